package org.cosineaudit.similarity;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.testing.BenchmarkSession;

/**
 * The unit costs behind the cluster cost models of docs/cluster.md (not a test; excluded from
 * {@code mvn test}). Run: {@code bench/cost-model.sh}.
 *
 * <p>Measures CPU time of the whole JVM (driver and local executor threads), i.e. core-seconds,
 * not wall time: on a shared machine wall time says more about the neighbours than about the
 * engine, while core-seconds are what a cluster is billed for. Both are printed.
 * <ul>
 *   <li>similarity: {@link ItemNeighbours} (cosine, k neighbours) on seeded Gaussian factors of
 *       dimension d; reports core-nanoseconds per ordered item pair (n²), the quantity that
 *       extrapolates to 10M items, and the GEMM share;
 *   <li>ALS: bare Spark {@code ALS.fit} (implicit, pinned blocks) on random interactions at two
 *       ranks; reports core-nanoseconds per (rating x rank² x iteration), the leading term of ALS.
 * </ul>
 * Options: {@code --items 10000,20000 --dim 128 --k 20 --ratings 500000 --users 50000
 * --als-items 10000 --ranks 32,64 --iterations 5 --master local[2]}.
 */
public final class CostModelBenchmark {

  public static void main(String[] args) {
    List<Integer> items = List.of(10_000, 20_000);
    int dim = 128;
    int k = 20;
    int ratings = 500_000;
    int users = 50_000;
    int alsItems = 10_000;
    List<Integer> ranks = List.of(32, 64);
    int iterations = 5;
    String master = "local[2]";
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--items" -> items = BenchmarkSession.ints(v);
        case "--dim" -> dim = Integer.parseInt(v);
        case "--k" -> k = Integer.parseInt(v);
        case "--ratings" -> ratings = Integer.parseInt(v);
        case "--users" -> users = Integer.parseInt(v);
        case "--als-items" -> alsItems = Integer.parseInt(v);
        case "--ranks" -> ranks = BenchmarkSession.ints(v);
        case "--iterations" -> iterations = Integer.parseInt(v);
        case "--master" -> master = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SparkSession spark = BenchmarkSession.start("cost-model-benchmark", master, 4);
    System.out.printf("# cost-model benchmark (%s, %d processors, Java %s, BLAS %s)%n%n", master,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getSimpleName());

    // warm-up: JIT and Spark's first-job costs are not the engine's
    ItemNeighbours.compute(spark, SimilarityBenchmark.factors(spark, 2_000, dim, 7), null, Measure.COSINE, k,
        EngineOptions.defaults()).close();
    System.out.println("| items | dim | k | wall s | core-s | GEMM GFLOP | GEMM task-s | core-ns per ordered pair |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (int n : items) {
      Dataset<Row> f = SimilarityBenchmark.factors(spark, n, dim, 1);
      long cpu0 = cpuNanos();
      long t0 = System.nanoTime();
      NeighbourResult r = ItemNeighbours.compute(spark, f, null, Measure.COSINE, k, EngineOptions.defaults());
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuNanos() - cpu0) / 1e9;
      r.close();
      f.unpersist();
      System.out.printf("| %,d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.2f |%n", n, dim, k, wall, cpu,
          r.stats().gemmFlops() / 1e9, r.stats().gemmSeconds(), cpu * 1e9 / ((double) n * n));
    }

    System.out.println();
    System.out.println("| ratings | users x items | rank | iterations | wall s | core-s | core-ns per rating x rank² x iteration |");
    System.out.println("|---|---|---|---|---|---|---|");
    Dataset<Row> interactions = spark.range(0, ratings, 1, 4)
        .select(functions.pmod(functions.xxhash64(functions.col("id"), functions.lit(1)), functions.lit(users))
                .cast("int").as("user"),
            functions.pmod(functions.xxhash64(functions.col("id"), functions.lit(2)), functions.lit(alsItems))
                .cast("int").as("item"),
            functions.lit(1.0f).as("value"))
        .persist(StorageLevel.MEMORY_ONLY());
    interactions.count();
    // warm-up at the smallest rank
    als(ranks.get(0), 1).fit(interactions);
    for (int rank : ranks) {
      long cpu0 = cpuNanos();
      long t0 = System.nanoTime();
      als(rank, iterations).fit(interactions).userFactors().count();
      double wall = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuNanos() - cpu0) / 1e9;
      System.out.printf("| %,d | %,d x %,d | %d | %d | %.1f | %.1f | %.3f |%n", ratings, users, alsItems, rank,
          iterations, wall, cpu, cpu * 1e9 / ((double) ratings * rank * rank * iterations));
    }
    spark.stop();
  }

  private static ALS als(int rank, int iterations) {
    return new ALS().setRank(rank).setMaxIter(iterations).setRegParam(0.1).setImplicitPrefs(true).setAlpha(1.0)
        .setUserCol("user").setItemCol("item").setRatingCol("value").setNumUserBlocks(4).setNumItemBlocks(4)
        .setSeed(1L);
  }

  /** CPU time of this JVM, all threads: the core-seconds a cluster would bill. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private CostModelBenchmark() {}
}
