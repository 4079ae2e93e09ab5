package org.cosineaudit.similarity;

import dev.ludovic.netlib.blas.BLAS;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.mllib.linalg.DenseVector;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.CoordinateMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.mllib.linalg.distributed.MatrixEntry;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.testing.BenchmarkSession;
import scala.Tuple2;

/**
 * Benchmark of the top-k engine (not a test; excluded from {@code mvn test}). Run it with
 * {@code bench/similarity.sh} (see docs/benchmarks/similarity.md). In one process, on the
 * same seeded random factors: this engine vs (a) {@code BlockMatrix} multiply + top-k and
 * (b) {@code RowMatrix.columnSimilarities} + top-k (at the sizes where it finishes in the time
 * budget); GFLOP/s of the scoring phase vs bare {@code sgemm} of the engine's call shape;
 * a scaling table. Prints a Markdown report (and writes it with {@code --report FILE}).
 *
 * <p>Options: {@code --items 20000 --dim 64 --k 20 --block-size 4096 --scaling 10000,20000,40000,80000
 * --blockmatrix true --colsim 1000,2000,4000 --colsim-budget 600 --master local[2] --report FILE}.
 */
public final class SimilarityBenchmark {

  private final StringBuilder report = new StringBuilder();

  public static void main(String[] args) throws Exception {
    new SimilarityBenchmark().run(Args.parse(args));
  }

  record Args(int items, int dim, int k, int blockSize, List<Integer> scaling, boolean blockMatrix,
      List<Integer> colsim, double colsimBudget, String master, String reportFile) {
    static Args parse(String[] a) {
      int items = 20_000;
      int dim = 64;
      int k = 20;
      int block = EngineOptions.DEFAULT_BLOCK_SIZE;
      List<Integer> scaling = List.of(10_000, 20_000, 40_000, 80_000);
      boolean bm = true;
      List<Integer> colsim = List.of(1_000, 2_000, 4_000);
      double budget = 600;
      String master = "local[2]";
      String reportFile = null;
      for (int i = 0; i < a.length; i += 2) {
        String v = a[i + 1];
        switch (a[i]) {
          case "--items" -> items = Integer.parseInt(v);
          case "--dim" -> dim = Integer.parseInt(v);
          case "--k" -> k = Integer.parseInt(v);
          case "--block-size" -> block = Integer.parseInt(v);
          case "--scaling" -> scaling = BenchmarkSession.ints(v);
          case "--blockmatrix" -> bm = Boolean.parseBoolean(v);
          case "--colsim" -> colsim = BenchmarkSession.ints(v);
          case "--colsim-budget" -> budget = Double.parseDouble(v);
          case "--master" -> master = v;
          case "--report" -> reportFile = v;
          default -> throw new IllegalArgumentException("unknown option " + a[i]);
        }
      }
      return new Args(items, dim, k, block, scaling, bm, colsim, budget, master, reportFile);
    }

  }

  void run(Args a) throws Exception {
    SparkSession spark = BenchmarkSession.start("similarity-benchmark", a.master(), 8);
    int cores = spark.sparkContext().defaultParallelism();
    EngineOptions options = EngineOptions.defaults().withBlockSize(a.blockSize());
    line("# similarity benchmark");
    line("");
    line("- master %s (default parallelism %d), %d available processors, Java %s", a.master(), cores,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    line("- BLAS on the driver: %s", BLAS.getInstance().getClass().getName());
    line("- factors: %,d x %d Gaussian, seed 42; k = %d; block size %d", a.items(), a.dim(), a.k(), a.blockSize());
    line("- load average at start: %s", load());
    line("");

    // warm-up (JIT, Spark code generation), not reported
    try (NeighbourResult w = ItemNeighbours.compute(spark, factors(spark, 3_000, a.dim(), 7), null, Measure.COSINE,
        a.k(), options)) {
      w.neighbours().count();
    }

    // bare sgemm, the engine's call shape and a square one
    int nt = Math.min(a.blockSize(), a.items());
    double gemm1 = bareSgemm(nt, EngineOptions.CHUNK_ROWS, a.dim(), 1);
    double gemm2 = bareSgemm(nt, EngineOptions.CHUNK_ROWS, a.dim(), cores);
    double gemmSquare = bareSgemm(nt, nt, a.dim(), 1);
    line("## Bare sgemm in this process");
    line("");
    line("| shape (m x n x k) | threads | GFLOP/s |");
    line("|---|---|---|");
    line("| %d x %d x %d (the engine's call) | 1 | %.1f |", nt, EngineOptions.CHUNK_ROWS, a.dim(), gemm1);
    line("| %d x %d x %d (the engine's call) | %d concurrently | %.1f (total) |", nt, EngineOptions.CHUNK_ROWS,
        a.dim(), cores, gemm2);
    line("| %d x %d x %d | 1 | %.1f |", nt, nt, a.dim(), gemmSquare);
    line("");

    // the engine at the headline size
    Dataset<Row> f = factors(spark, a.items(), a.dim(), 42);
    EngineRun engine = engine(spark, f, a.items(), a.dim(), a.k(), options);
    double bareBest = Math.max(gemm1, gemm2);
    line("## This engine, %,d x %d, cosine, k = %d", a.items(), a.dim(), a.k());
    line("");
    line("- total %.2f s (prepare %.2f s: validate, sort, normalize, pack; scoring %.2f s)", engine.total(),
        engine.prepare(), engine.score());
    line("- scoring phase: %.1f GFLOP/s (2 p² d / scoring wall time) = %.0f%% of the best bare sgemm above (%.1f)",
        engine.gflops(), 100 * engine.gflops() / bareBest, bareBest);
    line("- inside GEMM calls: %.1f GFLOP/s per task; %,d candidates rescored in double (%.4f%% of pairs)",
        engine.gemmRate(), engine.rescored(), 100.0 * engine.rescored() / ((double) a.items() * a.items()));
    line("- BLAS in the tasks: %s; load average after: %s", engine.blas(), load());
    line("");

    if (a.blockMatrix()) {
      line("## (a) BlockMatrix multiply + top-k, same factors");
      line("");
      double t = timeBlockMatrix(spark, f, a.k());
      line("- %.1f s; this engine %.2f s: **%.1fx faster**; load average after: %s", t, engine.total(),
          t / engine.total(), load());
      line("");
    }

    if (!a.colsim().isEmpty()) {
      line("## (b) RowMatrix.columnSimilarities (exact) + top-k");
      line("");
      line("| items | columnSimilarities + top-k (s) | this engine (s) | speedup |");
      line("|---|---|---|---|");
      double spent = 0;
      double last = 0;
      int lastP = 0;
      for (int p : a.colsim()) {
        if (last > 0 && spent + last * Math.pow((double) p / lastP, 2) > a.colsimBudget()) {
          line("| %,d | not run: projected %.0f s exceeds the %.0f s budget | | |", p,
              last * Math.pow((double) p / lastP, 2), a.colsimBudget());
          continue;
        }
        Dataset<Row> fp = factors(spark, p, a.dim(), 42);
        double cs = timeColumnSimilarities(spark, fp, a.k());
        EngineRun e = engine(spark, fp, p, a.dim(), a.k(), options);
        line("| %,d | %.1f | %.2f | %.0fx |", p, cs, e.total(), cs / e.total());
        spent += cs;
        last = cs;
        lastP = p;
        fp.unpersist();
      }
      line("");
      line("load average after: %s", load());
      line("");
    }
    f.unpersist();

    if (!a.scaling().isEmpty()) {
      line("## Scaling, %d dimensions, cosine, k = %d", a.dim(), a.k());
      line("");
      line("| items | total (s) | scoring (s) | scoring GFLOP/s | scoring time / p², relative to the first row | load |");
      line("|---|---|---|---|---|---|");
      double base = 0;
      for (int p : a.scaling()) {
        Dataset<Row> fp = factors(spark, p, a.dim(), 42);
        EngineRun e = engine(spark, fp, p, a.dim(), a.k(), options);
        double perP2 = e.score() / ((double) p * p);
        if (base == 0) {
          base = perP2;
        }
        line("| %,d | %.1f | %.1f | %.1f | %.2f | %s |", p, e.total(), e.score(), e.gflops(), perP2 / base, load());
        fp.unpersist();
      }
      line("");
    }
    if (a.reportFile() != null) {
      Files.writeString(Path.of(a.reportFile()), report.toString());
    }
    spark.stop();
  }

  /** One engine run's figures. */
  record EngineRun(double total, double prepare, double score, double gflops, double gemmRate, long rescored,
      String blas) {}

  static EngineRun engine(SparkSession spark, Dataset<Row> f, int p, int d, int k, EngineOptions options) {
    long start = System.nanoTime();
    try (NeighbourResult r = ItemNeighbours.compute(spark, f, null, Measure.COSINE, k, options)) {
      double total = (System.nanoTime() - start) / 1e9;
      NeighbourResult.EngineStats s = r.stats();
      double flops = 2.0 * p * p * d;
      return new EngineRun(total, s.prepareSeconds(), s.scoreSeconds(), flops / s.scoreSeconds() / 1e9,
          s.gemmFlops() / s.gemmSeconds() / 1e9, s.rescored(), r.blasImplementation());
    }
  }

  /** GFLOP/s of repeated sgemm("T", "N", m, n, k) on fresh arrays per thread, for about 2 s. */
  static double bareSgemm(int m, int n, int k, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Double>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          Random rnd = new Random(1);
          float[] a = new float[m * k];
          float[] b = new float[n * k];
          float[] c = new float[m * n];
          for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat();
          }
          for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat();
          }
          BLAS blas = BLAS.getInstance();
          for (int i = 0; i < 3; i++) { // warm-up
            blas.sgemm("T", "N", m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, m);
          }
          long start = System.nanoTime();
          long calls = 0;
          while (System.nanoTime() - start < 2_000_000_000L) {
            blas.sgemm("T", "N", m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, m);
            calls++;
          }
          return 2.0 * m * n * k * calls / ((System.nanoTime() - start) / 1e9) / 1e9;
        }));
      }
      double total = 0;
      for (Future<Double> fu : futures) {
        total += fu.get();
      }
      return total;
    } finally {
      pool.shutdown();
    }
  }

  /** Seeded Gaussian factors {@code id, features array<float>}, cached and counted (not timed). */
  static Dataset<Row> factors(SparkSession spark, int p, int d, long seed) {
    Dataset<Row> f = spark.range(0, p, 1, 4).map(new RandomFactor(d, seed),
        Encoders.row(SimilarityFixtures.FLOAT_FACTORS)).persist(StorageLevel.MEMORY_ONLY());
    f.count();
    return f;
  }

  /** Row i: Gaussian from a generator seeded by (seed, i). */
  static final class RandomFactor implements MapFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final int d;
    private final long seed;

    RandomFactor(int d, long seed) {
      this.d = d;
      this.seed = seed;
    }

    @Override
    public Row call(Long i) {
      Random rnd = new Random(seed * 1_000_003L + i);
      Float[] v = new Float[d];
      for (int j = 0; j < d; j++) {
        v[j] = (float) rnd.nextGaussian();
      }
      return RowFactory.create(String.format("i%07d", i), v);
    }
  }

  /** Normalized rows as (index, double vector), the index parsed back from the id. */
  static JavaRDD<IndexedRow> normalizedRows(Dataset<Row> f) {
    return f.javaRDD().map(SimilarityBenchmark::normalized);
  }

  static IndexedRow normalized(Row r) {
    List<Object> l = r.getList(1);
    double[] v = new double[l.size()];
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = ((Number) l.get(i)).doubleValue();
      s += v[i] * v[i];
    }
    double n = Math.sqrt(s);
    for (int i = 0; i < v.length; i++) {
      v[i] /= n;
    }
    return new IndexedRow(Long.parseLong(r.getString(0).substring(1)), new DenseVector(v));
  }

  /** (a): cosine matrix as BlockMatrix A Aᵀ of normalized rows, then top-k per row from its blocks. */
  static double timeBlockMatrix(SparkSession spark, Dataset<Row> f, int k) {
    long start = System.nanoTime();
    BlockMatrix a = new IndexedRowMatrix(normalizedRows(f).rdd()).toBlockMatrix(1024, 1024).cache();
    BlockMatrix product = a.multiply(a.transpose());
    JavaPairRDD<Long, TopK> perRow = product.blocks().toJavaRDD()
        .flatMapToPair(new BlockTopK(k, 1024, 1024))
        .reduceByKey(SimilarityBenchmark::mergeTopK);
    long rows = perRow.count();
    double t = (System.nanoTime() - start) / 1e9;
    a.blocks().unpersist(false);
    if (rows != f.count()) {
      throw new IllegalStateException("BlockMatrix route produced " + rows + " rows");
    }
    return t;
  }

  /** Per-row top-k of one product block (self excluded). */
  static final class BlockTopK implements
      PairFlatMapFunction<Tuple2<Tuple2<Object, Object>, Matrix>, Long, TopK> {
    private static final long serialVersionUID = 1L;
    private final int k;
    private final int rowsPerBlock;
    private final int colsPerBlock;

    BlockTopK(int k, int rowsPerBlock, int colsPerBlock) {
      this.k = k;
      this.rowsPerBlock = rowsPerBlock;
      this.colsPerBlock = colsPerBlock;
    }

    @Override
    public Iterator<Tuple2<Long, TopK>> call(Tuple2<Tuple2<Object, Object>, Matrix> b) {
      long r0 = (Integer) b._1()._1() * (long) rowsPerBlock;
      long c0 = (Integer) b._1()._2() * (long) colsPerBlock;
      Matrix m = b._2();
      List<Tuple2<Long, TopK>> out = new ArrayList<>();
      for (int i = 0; i < m.numRows(); i++) {
        TopK t = new TopK(1, k);
        for (int j = 0; j < m.numCols(); j++) {
          if (r0 + i != c0 + j) {
            t.offer(0, m.apply(i, j), c0 + j, null);
          }
        }
        out.add(new Tuple2<>(r0 + i, t));
      }
      return out.iterator();
    }
  }

  static TopK mergeTopK(TopK a, TopK b) {
    for (TopK.Entry e : b.sorted(0)) {
      a.offer(0, e.score(), e.order(), e.id());
    }
    return a;
  }

  /** (b): exact columnSimilarities of the d x p matrix whose columns are the items, then top-k. */
  static double timeColumnSimilarities(SparkSession spark, Dataset<Row> f, int k) {
    List<Row> rows = f.collectAsList(); // p x d, small at the sizes this baseline can handle
    int p = rows.size();
    int d = rows.get(0).getList(1).size();
    double[][] t = new double[d][p];
    for (Row r : rows) {
      int i = Integer.parseInt(r.getString(0).substring(1));
      List<Object> l = r.getList(1);
      for (int j = 0; j < d; j++) {
        t[j][i] = ((Number) l.get(j)).doubleValue();
      }
    }
    List<Vector> vectors = new ArrayList<>();
    for (double[] row : t) {
      vectors.add(Vectors.dense(row));
    }
    long start = System.nanoTime();
    JavaRDD<Vector> rdd = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext()).parallelize(vectors, 2);
    CoordinateMatrix sims = new RowMatrix(rdd.rdd()).columnSimilarities();
    long n = sims.entries().toJavaRDD().flatMapToPair(new BothDirections(k)).reduceByKey(SimilarityBenchmark::mergeTopK)
        .count();
    double secs = (System.nanoTime() - start) / 1e9;
    if (n != p) {
      throw new IllegalStateException("columnSimilarities route produced " + n + " rows for " + p + " items");
    }
    return secs;
  }

  /** An upper-triangular entry as a candidate for both items. */
  static final class BothDirections implements PairFlatMapFunction<MatrixEntry, Long, TopK> {
    private static final long serialVersionUID = 1L;
    private final int k;

    BothDirections(int k) {
      this.k = k;
    }

    @Override
    public Iterator<Tuple2<Long, TopK>> call(MatrixEntry e) {
      TopK a = new TopK(1, k);
      a.offer(0, e.value(), e.j(), null);
      TopK b = new TopK(1, k);
      b.offer(0, e.value(), e.i(), null);
      return List.of(new Tuple2<>(e.i(), a), new Tuple2<>(e.j(), b)).iterator();
    }
  }

  private static String load() {
    try {
      String[] s = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return s[0] + " / " + s[1] + " / " + s[2];
    } catch (IOException e) {
      return "n/a";
    }
  }

  private void line(String fmt, Object... args) {
    String s = String.format(Locale.ROOT, fmt, args);
    System.out.println(s);
    System.out.flush();
    report.append(s).append('\n');
  }
}
