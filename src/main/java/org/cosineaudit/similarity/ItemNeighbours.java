package org.cosineaudit.similarity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.trim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.OrderedMerge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Exact top-k nearest items for every item, under a {@link Measure}, at BLAS speed.
 *
 * <p>How: items are sorted by id (range partitions, so the sort is a scalable shuffle) and
 * validated; each sort partition is transformed once (normalize, center, or map into score
 * space) and packed into contiguous float blocks of at most {@link EngineOptions#blockSize()}
 * rows. Query tasks each own a contiguous range of blocks and stream every block as a target:
 * one {@code sgemm} per (query chunk, target block), selection on float scores with a certified
 * margin (a rigorous rounding bound), exact double rescoring of the few candidates that can be in
 * the final top-k, a bounded top-k per row
 * ({@link BlockScorer}). Because each task sees all targets for its queries, no score and no
 * partial top-k list is ever shuffled: the only shuffles move input vectors.
 *
 * <p>Guarantees: an item is never its own neighbour; rank 1 is the most similar; equal scores
 * are ordered by neighbour id ascending (Spark's string order, i.e. UTF-8 bytes); if k is at
 * least the number of other items, all of them are returned; results do not depend on block
 * size, partitions or BLAS. Memory per task: its query rows (at most
 * {@link EngineOptions#MAX_QUERY_BLOCKS_PER_TASK} blocks with their top-k state), one target
 * block, a 256 x blockSize float buffer. O(items²) scores are never materialized.
 *
 * <p>Factors contract: columns {@code id} (string; other atomic types are cast) and
 * {@code features} (array of float or double; also a string of space-separated numbers, as
 * tables written to CSV hold them).
 */
public final class ItemNeighbours {

  private static final Logger LOG = LoggerFactory.getLogger(ItemNeighbours.class);

  /** The neighbours table: {@code item, rank, neighbour, score}. */
  public static final StructType SCHEMA = new StructType()
      .add("item", DataTypes.StringType, false)
      .add("rank", DataTypes.IntegerType, false)
      .add("neighbour", DataTypes.StringType, false)
      .add("score", DataTypes.DoubleType, false);

  /** A task owns at least this many query rows (below that, more tasks only add shuffle). */
  static final int MIN_ROWS_PER_TASK = 64;

  private ItemNeighbours() {}

  /**
   * Top-k neighbours of every item under one measure.
   *
   * @param itemFactors {@code id}, {@code features}
   * @param userFactorsOrNull user factors (same contract); required for {@code score-cosine}
   * @param k neighbours per item, >= 1; if >= items - 1, all other items
   * @throws InputException on unusable factors (empty, duplicate ids, NaN/inf, mixed dimensions)
   */
  public static NeighbourResult compute(SparkSession spark, Dataset<Row> itemFactors, Dataset<Row> userFactorsOrNull,
      Measure measure, int k, EngineOptions options) {
    try (Prepared p = prepare(spark, itemFactors, userFactorsOrNull, options, "item factors", "user factors")) {
      return p.compute(measure, k);
    }
  }

  /**
   * Validates and sorts the factors once, for several measures or k; close it to release the
   * cached input.
   *
   * @param itemsLabel names the item factors in error messages (e.g. their path)
   * @param usersLabel names the user factors in error messages
   */
  public static Prepared prepare(SparkSession spark, Dataset<Row> itemFactors, Dataset<Row> userFactorsOrNull,
      EngineOptions options, String itemsLabel, String usersLabel) {
    return new Prepared(spark, itemFactors, userFactorsOrNull, options, itemsLabel, usersLabel);
  }

  /**
   * The factors table in the engine's form: {@code id} string, {@code features} array<double>
   * (null components where a value was missing or not a number).
   */
  public static Dataset<Row> standardize(Dataset<Row> factors, String label) {
    StructType schema = factors.schema();
    List<String> names = Arrays.asList(schema.fieldNames());
    if (!names.contains("id") || !names.contains("features")) {
      throw new InputException(label + " must have columns 'id' and 'features' (array of float or double); found "
          + names);
    }
    DataType it = schema.apply("id").dataType();
    if (!(it instanceof StringType || it instanceof NumericType)) {
      throw new InputException(label + ": column 'id' has type " + it.simpleString() + "; expected a string");
    }
    DataType ft = schema.apply("features").dataType();
    ArrayType doubles = DataTypes.createArrayType(DataTypes.DoubleType, true);
    Column features;
    if (ft instanceof ArrayType at && at.elementType() instanceof NumericType) {
      features = col("features").cast(doubles);
    } else if (ft instanceof StringType) {
      features = split(trim(col("features")), "\\s+").try_cast(doubles);
    } else {
      throw new InputException(label + ": column 'features' has type " + ft.simpleString()
          + "; expected array<float> or array<double>");
    }
    return factors.select(col("id").cast(DataTypes.StringType).as("id"), features.as("features"));
  }

  /** Factors validated, sorted by id and cached; computes any measure and k. */
  public static final class Prepared implements AutoCloseable {
    private final SparkSession spark;
    private final EngineOptions options;
    private final Dataset<Row> users;
    private final String usersLabel;
    private final JavaRDD<FactorRow> sorted;
    private final FactorStats stats;
    private final int dim;
    private final int tasks;
    private final double prepareSeconds;
    private UserGram userGram;

    Prepared(SparkSession spark, Dataset<Row> itemFactors, Dataset<Row> userFactorsOrNull, EngineOptions options,
        String itemsLabel, String usersLabel) {
      long start = System.nanoTime();
      this.spark = spark;
      this.options = options;
      this.users = userFactorsOrNull == null ? null : standardize(userFactorsOrNull, usersLabel);
      this.usersLabel = usersLabel;
      Dataset<Row> items = standardize(itemFactors, itemsLabel);
      long n = items.count();
      if (n == 0) {
        throw new InputException(itemsLabel + " holds no embeddings; give a non-empty factors table");
      }
      long blocksNeeded = (n + options.blockSize() - 1) / options.blockSize();
      int parallelism = spark.sparkContext().defaultParallelism();
      long wanted = options.partitions() > 0 ? options.partitions()
          : Math.max(parallelism, (blocksNeeded + EngineOptions.MAX_QUERY_BLOCKS_PER_TASK - 1)
              / EngineOptions.MAX_QUERY_BLOCKS_PER_TASK);
      long maxTasks = Math.max(1, n / MIN_ROWS_PER_TASK);
      int plannedTasks = (int) Math.max(1, Math.min(wanted, maxTasks));
      // sort partitions: a multiple of the tasks, each at most about one block
      long perTask = (blocksNeeded + plannedTasks - 1) / plannedTasks;
      int sortPartitions = (int) Math.min(Integer.MAX_VALUE, plannedTasks * perTask);
      this.sorted = items.repartitionByRange(sortPartitions, col("id")).sortWithinPartitions("id")
          .javaRDD().map(FactorRow::of).persist(StorageLevel.MEMORY_AND_DISK());
      this.tasks = Math.min(plannedTasks, sorted.getNumPartitions());
      this.stats = FactorStats.mergeAll(sorted.mapPartitions(new EngineFunctions.PartitionStats()).collect());
      try {
        this.dim = stats.validate(itemsLabel, -1);
      } catch (InputException e) {
        sorted.unpersist(false);
        throw e;
      }
      this.prepareSeconds = (System.nanoTime() - start) / 1e9;
      LOG.info("similarity: {} items x {} components in {} sort partitions, {} query tasks (block size {})",
          n, dim, sorted.getNumPartitions(), tasks, options.blockSize());
    }

    public long items() {
      return stats.rows();
    }

    public int dimension() {
      return dim;
    }

    /**
     * The mean item vector and the root-mean-square norm ({@code [mean_0 .. mean_{d-1}, rms]}),
     * the same to the bit on every run: summed over ids hashed into
     * {@link OrderedMerge#FIXED_PARTITIONS} partitions, each in id order, merged in partition order.
     * (The prepare step's stats sum over the id ranges of its sort, whose boundaries Spark samples
     * differently from run to run.)
     */
    double[] centering() {
      JavaRDD<double[]> partials = fixedById(sorted).mapPartitions(new SumVectors(dim));
      double[] sums = OrderedMerge.inPartitionOrder(partials, new OrderedMerge.SumArrays()).orElseGet(() -> new double[dim + 1]);
      long n = stats.rows();
      double[] c = new double[dim + 1];
      for (int i = 0; i < dim; i++) {
        c[i] = sums[i] / n;
      }
      c[dim] = Math.sqrt(sums[dim] / n);
      return c;
    }

    /** The top-k neighbours of every item under {@code measure}. */
    public NeighbourResult compute(Measure measure, int k) {
      if (k < 1) {
        throw new IllegalArgumentException("k must be >= 1, got " + k);
      }
      long start = System.nanoTime();
      ItemTransform transform;
      String factorKind = null;
      switch (measure) {
        case COSINE -> transform = ItemTransform.cosine(dim);
        case DOT -> transform = ItemTransform.dot(dim);
        case CENTERED_COSINE -> {
          double[] c = centering();
          transform = ItemTransform.centered(Arrays.copyOf(c, dim), c[dim]);
        }
        case SCORE_COSINE -> {
          UserGram g = userGram();
          transform = ItemTransform.scoreSpace(g.factor(), g.gram());
          factorKind = g.factor().cholesky() ? "cholesky" : "eigen";
        }
        default -> throw new IllegalStateException(measure.toString());
      }
      JavaRDD<EngineFunctions.PackedPartition> packed = sorted
          .mapPartitionsWithIndex(new EngineFunctions.PackPartition(transform, options.blockSize(),
              options.maxReportedIds()), true)
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        List<PackSummary> summaries = packed.map(PackSummary::of).collect();
        long kept = 0;
        long excluded = 0;
        int blocks = 0;
        List<String> zeroIds = new ArrayList<>();
        for (PackSummary s : summaries) {
          kept += s.kept();
          excluded += s.excluded();
          blocks += s.blocks();
          for (String id : s.excludedIds()) {
            if (zeroIds.size() < options.maxReportedIds()) {
              zeroIds.add(id);
            }
          }
        }
        if (excluded > 0) {
          LOG.warn("similarity {}: {} zero-norm items excluded (first: {})", measure.id(), excluded,
              zeroIds.subList(0, Math.min(5, zeroIds.size())));
        }
        int kEff = (int) Math.min(k, Math.max(0, kept - 1));
        double prepare = prepareSeconds + (System.nanoTime() - start) / 1e9;

        long scoreStart = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        LongAccumulator flops = jsc.sc().longAccumulator("similarity.gemm.flops");
        LongAccumulator gemmNanos = jsc.sc().longAccumulator("similarity.gemm.nanos");
        LongAccumulator rescored = jsc.sc().longAccumulator("similarity.rescored");
        CollectionAccumulator<String> blasNames = jsc.sc().collectionAccumulator("similarity.blas");
        List<Integer> blocksPerPartition = new ArrayList<>();
        for (PackSummary s : summaries) {
          blocksPerPartition.add(s.blocks());
        }
        // one block: nothing to share; else every pair of blocks is scored once, for both sides
        EngineFunctions.BlockPlan plan = EngineFunctions.BlockPlan.of(blocksPerPartition, tasks, blocks > 1);
        HashPartitioner byTask = new HashPartitioner(tasks);
        JavaPairRDD<Integer, EngineFunctions.IndexedBlock> queries = packed
            .flatMapToPair(EngineFunctions.RouteBlocks.queries(plan)).partitionBy(byTask);
        JavaPairRDD<Integer, EngineFunctions.IndexedBlock> targets = packed
            .flatMapToPair(EngineFunctions.RouteBlocks.targets(plan)).partitionBy(byTask);
        JavaPairRDD<String, NeighbourList> lists = JavaPairRDD.fromJavaRDD(queries.zipPartitions(targets,
            new EngineFunctions.NeighbourSearch(kEff, EngineOptions.CHUNK_ROWS, plan, flops, gemmNanos, rescored,
                blasNames)));
        if (plan.symmetric()) {
          lists = lists.reduceByKey(new EngineFunctions.MergeLists(kEff), tasks);
        }
        JavaRDD<Row> rows = lists.flatMap(new EngineFunctions.ToRows());
        Dataset<Row> neighbours = spark.createDataFrame(rows, SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
        long count = neighbours.count();
        double score = (System.nanoTime() - scoreStart) / 1e9;
        if (count != kept * kEff) {
          throw new IllegalStateException("engine produced " + count + " neighbour rows, expected " + kept * kEff);
        }
        String blas = EngineFunctions.joinDistinct(blasNames.value());
        LOG.info("similarity {}: {} items, k={}, {} rows in {} s; GEMM {} GFLOP in {} task-s; {} rescored; BLAS {}",
            measure.id(), kept, kEff, count, score, flops.value() / 1e9, gemmNanos.value() / 1e9,
            rescored.value(), blas);
        return new NeighbourResult(measure, k, neighbours, stats.rows(), kept, kEff, dim, zeroIds, excluded, blas,
            factorKind, new NeighbourResult.EngineStats(prepare, score, flops.value(), gemmNanos.value() / 1e9,
                rescored.value(), tasks, blocks));
      } finally {
        packed.unpersist(false);
      }
    }

    private UserGram userGram() {
      if (userGram == null) {
        if (users == null) {
          throw new InputException("measure score-cosine needs user factors (the U of U Vᵀ); give "
              + "--user-embeddings, or choose cosine, dot or centered-cosine");
        }
        userGram = UserGram.compute(users, dim, usersLabel);
      }
      return userGram;
    }

    /** Releases the cached, sorted input. */
    @Override
    public void close() {
      sorted.unpersist(false);
    }
  }

  /** The small part of a packed partition, for the driver. */
  record PackSummary(long kept, long excluded, int blocks, List<String> excludedIds) implements java.io.Serializable {
    static PackSummary of(EngineFunctions.PackedPartition p) {
      return new PackSummary(p.kept(), p.excluded(), p.blocks().size(), p.excludedIds());
    }
  }

  /**
   * The rows hashed by id into {@link OrderedMerge#FIXED_PARTITIONS} partitions, each sorted by id
   * (null ids first): the same partitions in the same order however the input was split (file
   * splits follow the cluster's parallelism), so sums folded over them are the same to the bit
   * locally and on a cluster. Equal ids end up adjacent.
   */
  static JavaRDD<FactorRow> fixedById(JavaRDD<FactorRow> rows) {
    return rows.mapToPair(new ById())
        .repartitionAndSortWithinPartitions(new HashPartitioner(OrderedMerge.FIXED_PARTITIONS), new NullsFirst())
        .values();
  }

  /** (id, row) of a factor row. */
  static final class ById implements PairFunction<FactorRow, String, FactorRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<String, FactorRow> call(FactorRow r) {
      return new Tuple2<>(r.id(), r);
    }
  }

  /** Ids in natural order, null first. */
  static final class NullsFirst implements java.util.Comparator<String>, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(String a, String b) {
      return a == null ? (b == null ? 0 : -1) : b == null ? 1 : a.compareTo(b);
    }
  }

  /** [Σ v_0 .. Σ v_{d-1}, Σ |v|²] of one partition's (validated) vectors, added in row order. */
  static final class SumVectors implements FlatMapFunction<Iterator<FactorRow>, double[]> {
    private static final long serialVersionUID = 1L;
    private final int dim;

    SumVectors(int dim) {
      this.dim = dim;
    }

    @Override
    public Iterator<double[]> call(Iterator<FactorRow> rows) {
      double[] sums = new double[dim + 1];
      while (rows.hasNext()) {
        double[] v = rows.next().values();
        double sq = 0;
        for (int i = 0; i < dim; i++) {
          sums[i] += v[i];
          sq += v[i] * v[i];
        }
        sums[dim] += sq;
      }
      return List.of(sums).iterator();
    }
  }

  /** G = UᵀU of validated user factors, and its factor W (W Wᵀ = G). */
  record UserGram(double[] gram, ScoreSpace.Factor factor, long users) {

    /**
     * G and the validation of the user factors in one pass over a fixed partitioning
     * ({@link #fixedById}: duplicate ids are adjacent, so the stats see them all): each partition's
     * rows in id order, then the partitions' (stats, partial G) merged in partition order
     * ({@link OrderedMerge}), so G is the same to the bit on every run, locally or on a cluster,
     * and the driver holds at most a few partials at once.
     */
    static UserGram compute(Dataset<Row> users, int dim, String label) {
      JavaRDD<Tuple2<FactorStats, double[]>> parts =
          fixedById(users.javaRDD().map(FactorRow::of)).mapPartitions(new EngineFunctions.PartitionGram(dim));
      Tuple2<FactorStats, double[]> merged = OrderedMerge.inPartitionOrder(parts, new MergeGram())
          .orElseGet(() -> new Tuple2<>(new FactorStats(), new double[dim * dim]));
      FactorStats total = merged._1();
      double[] g = merged._2();
      total.validate(label, dim);
      // dsyrk filled the upper triangle (column-major): mirror it
      for (int c = 0; c < dim; c++) {
        for (int r = 0; r < c; r++) {
          g[r * dim + c] = g[c * dim + r];
        }
      }
      ScoreSpace.Factor f = ScoreSpace.factor(g, dim);
      if (!f.cholesky()) {
        LOG.warn("{}: UᵀU is singular (user factors of rank < {}); score space from its eigendecomposition", label,
            dim);
      }
      return new UserGram(g, f, total.rows());
    }

    /** Merges the second (stats, partial G) into the first: stats in order, G summed element-wise. */
    static final class MergeGram implements Function2<Tuple2<FactorStats, double[]>, Tuple2<FactorStats, double[]>,
        Tuple2<FactorStats, double[]>> {
      private static final long serialVersionUID = 1L;

      @Override
      public Tuple2<FactorStats, double[]> call(Tuple2<FactorStats, double[]> a, Tuple2<FactorStats, double[]> b) {
        return new Tuple2<>(a._1().merge(b._1()), new OrderedMerge.SumArrays().call(a._2(), b._2()));
      }
    }
  }
}
