package org.cosineaudit.train;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.data.Feedback;
import org.cosineaudit.run.InputException;
import org.cosineaudit.similarity.BlockScorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Held-out metrics of one ALS model, computed on executors; only one-row aggregates come back
 * to the driver.
 *
 * <ul>
 *   <li>explicit: {@code rmse}, {@code mae} over the held-out ratings whose user and item are
 *       known to the model ({@code scored_test_rows} of {@code test_rows}).
 *   <li>implicit: {@code precision_at_k}, {@code recall_at_k}, {@code ndcg_at_k},
 *       {@code map_at_k} ({@link RankingAtK}, Spark's {@code RankingMetrics} definitions) of each held-out user's top-k
 *       recommendations against the user's held-out items with a positive value.
 *   <li>both: {@code coverage_at_k}, the share of training items that appear in at least one
 *       held-out user's top-k.
 * </ul>
 * Recommendations are the exact top-k by dot product among the items the user did not see in
 * training (ties to the smaller item index), computed by {@link UnseenTopK} in the same pass as
 * the ranking sums: per model, the item factors are packed and broadcast once, each partition of
 * held-out users (with their factor and sorted training items, prepared once per sweep) is
 * scored in blocks against all items, and one {@link RankingAtK} per partition comes back. Users
 * without a factor (not in training) get no recommendations and count as misses.
 *
 * <p>Danger: the broadcast holds {@code training items x rank x 4} bytes on the driver and on
 * every executor (1M items x rank 64 = 256 MB); above {@link #MAX_ITEM_FACTOR_BYTES} the sweep
 * refuses to start ({@link #requireBroadcastable}) instead of running out of memory.
 */
public final class AlsEvaluation {

  private static final Logger LOG = LoggerFactory.getLogger(AlsEvaluation.class);

  /**
   * Largest packed item-factor array evaluation broadcasts: 1 GiB (e.g. 4M items x rank 64).
   * Each executor and the driver hold one copy while a model is evaluated.
   */
  public static final long MAX_ITEM_FACTOR_BYTES = 1L << 30;

  private AlsEvaluation() {}

  /**
   * The held-out side of a split, prepared once for all models of a sweep (the seen items are
   * the same for every model; only the factors change). Cached until {@link #release}.
   *
   * @param test indexed held-out interactions
   * @param users held-out users with at least one relevant item: user index -&gt; {@link UserLists},
   *     hash-partitioned and cached, so each model's evaluation shuffles only its user factors to
   *     them, not the users' item lists (which hold every training interaction of those users)
   * @param testRows held-out interactions
   * @param testUsers distinct held-out users
   * @param trainItems distinct items in training (the denominator of coverage; ALS has a factor for each)
   */
  public record HeldOut(Dataset<Row> test, JavaPairRDD<Integer, UserLists> users, long testRows, long testUsers,
      long trainItems) {

    /**
     * Relevant held-out items: all for explicit feedback, those with a positive value for implicit.
     * The per-user item lists are built by {@link #itemsPerUser} (an int list per user combined
     * before the shuffle), not with {@code collect_list}, whose aggregate falls back to sorting
     * every row once a partition holds more than 128 users.
     */
    public static HeldOut of(Dataset<Row> train, Dataset<Row> test, Feedback feedback) {
      return of(train, test, feedback, test.count(), distinctItems(train));
    }

    /** Like {@link #of(Dataset, Dataset, Feedback)}, with the held-out rows and the training items counted already. */
    public static HeldOut of(Dataset<Row> train, Dataset<Row> test, Feedback feedback, long testRows,
        long trainItems) {
      Dataset<Row> relevant = feedback == Feedback.IMPLICIT ? test.where(col(AlsTrainer.VALUE).gt(0)) : test;
      // both sides are aggregated with the same hash partitioner, so the join is narrow and the
      // result keeps that partitioning (mapValues). At least one partition per core: the sides may
      // come in as few partitions as ALS has blocks, and every model's ranking pass runs one task
      // per partition of this (the metrics are exact sums, whatever the partitioning)
      JavaPairRDD<Integer, Integer> relevantPairs = userItems(relevant);
      JavaPairRDD<Integer, Integer> trainPairs = userItems(train);
      HashPartitioner byUser = new HashPartitioner(Math.max(test.sparkSession().sparkContext().defaultParallelism(),
          Math.max(relevantPairs.getNumPartitions(), trainPairs.getNumPartitions())));
      JavaPairRDD<Integer, UserLists> users = itemsPerUser(relevantPairs, byUser)
          .leftOuterJoin(itemsPerUser(trainPairs, byUser))
          .mapValues(new ToLists()).persist(StorageLevel.MEMORY_AND_DISK());
      users.count(); // materialize once here, not inside the first model's evaluation
      long testUsers = test.select(AlsTrainer.USER).distinct().count();
      return new HeldOut(test, users, testRows, testUsers, trainItems);
    }

    /** Distinct items of indexed interactions (for the training side: the items ALS gives a factor). */
    public static long distinctItems(Dataset<Row> indexed) {
      return indexed.select(AlsTrainer.ITEM).distinct().count();
    }

    public void release() {
      users.unpersist(false);
    }
  }

  /**
   * A held-out user's item lists.
   *
   * @param labels relevant held-out items, distinct, ascending
   * @param seen training items, distinct, ascending (empty when the user has no training row)
   */
  public record UserLists(int[] labels, int[] seen) implements java.io.Serializable {}

  /** (user, item) pairs of indexed interactions ({@link AlsTrainer#USER}, {@link AlsTrainer#ITEM}). */
  static JavaPairRDD<Integer, Integer> userItems(Dataset<Row> indexed) {
    return indexed.select(AlsTrainer.USER, AlsTrainer.ITEM).javaRDD().mapToPair(new UserItem());
  }

  /**
   * user -&gt; that user's distinct items, ascending; the lists are combined within each
   * partition before the shuffle.
   */
  static JavaPairRDD<Integer, int[]> itemsPerUser(JavaPairRDD<Integer, Integer> userItems, Partitioner byUser) {
    return userItems.aggregateByKey(new IntList(), byUser, new IntList.Add(), new IntList.Merge())
        .mapValues(new IntList.SortedDistinct());
  }

  /** (user, item) of a row (user int, item int). */
  static final class UserItem implements PairFunction<Row, Integer, Integer> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Integer, Integer> call(Row r) {
      return new Tuple2<>(r.getInt(0), r.getInt(1));
    }
  }

  /** A held-out user's lists: labels, and the training items (none when the user has no training row). */
  static final class ToLists implements Function<Tuple2<int[], Optional<int[]>>, UserLists> {
    private static final long serialVersionUID = 1L;

    @Override
    public UserLists call(Tuple2<int[], Optional<int[]>> t) {
      return new UserLists(t._1(), t._2().orElse(new int[0]));
    }
  }

  /** A growable int list: the per-user accumulator of {@link #itemsPerUser}. */
  static final class IntList implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    int[] values = new int[8];
    int size;

    IntList add(int v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, 2 * size);
      }
      values[size++] = v;
      return this;
    }

    IntList addAll(IntList other) {
      if (size + other.size > values.length) {
        values = Arrays.copyOf(values, Math.max(2 * values.length, size + other.size));
      }
      System.arraycopy(other.values, 0, values, size, other.size);
      size += other.size;
      return this;
    }

    static final class Add implements Function2<IntList, Integer, IntList> {
      private static final long serialVersionUID = 1L;

      @Override
      public IntList call(IntList list, Integer v) {
        return list.add(v);
      }
    }

    static final class Merge implements Function2<IntList, IntList, IntList> {
      private static final long serialVersionUID = 1L;

      @Override
      public IntList call(IntList a, IntList b) {
        return a.addAll(b);
      }
    }

    /** The distinct values, ascending. */
    static final class SortedDistinct implements Function<IntList, int[]> {
      private static final long serialVersionUID = 1L;

      @Override
      public int[] call(IntList list) {
        int[] a = Arrays.copyOf(list.values, list.size);
        Arrays.sort(a);
        int n = 0;
        for (int i = 0; i < a.length; i++) {
          if (n == 0 || a[i] != a[n - 1]) {
            a[n++] = a[i];
          }
        }
        return Arrays.copyOf(a, n);
      }
    }
  }

  /**
   * Refuses a sweep whose item factors would not fit the evaluation broadcast
   * ({@link #MAX_ITEM_FACTOR_BYTES}); called before any model is trained.
   */
  public static void requireBroadcastable(long items, int rank) {
    long bytes = items * rank * (long) Float.BYTES;
    if (bytes > MAX_ITEM_FACTOR_BYTES) {
      throw new InputException(String.format(Locale.ROOT,
          "held-out evaluation broadcasts the item factors: %,d training items x rank %d x 4 bytes = %,d bytes, "
              + "above the limit of %,d bytes; use a smaller --rank, fewer items, or --holdout-fraction 0 "
              + "(no held-out metrics)", items, rank, bytes, MAX_ITEM_FACTOR_BYTES));
    }
  }

  /**
   * Metrics of {@code model} on the held-out interactions (see the type's javadoc); only
   * {@code test_rows} and {@code test_users} when nothing was held out.
   */
  public static Map<String, Double> evaluate(ALSModel model, Feedback feedback, HeldOut heldOut, int k) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("test_rows", (double) heldOut.testRows());
    metrics.put("test_users", (double) heldOut.testUsers());
    if (heldOut.testRows() == 0) {
      return metrics;
    }
    if (feedback == Feedback.EXPLICIT) {
      metrics.putAll(errors(model, heldOut.test()));
    }
    RankingAtK sums = ranking(model, heldOut, k, UnseenTopK.DEFAULT_USER_BLOCK, UnseenTopK.DEFAULT_ITEM_CHUNK);
    metrics.put("coverage_at_k",
        heldOut.trainItems() == 0 ? 0.0 : (double) sums.distinctRecommended() / heldOut.trainItems());
    if (feedback == Feedback.IMPLICIT) {
      metrics.put("precision_at_k", sums.precision());
      metrics.put("recall_at_k", sums.recall());
      metrics.put("ndcg_at_k", sums.ndcg());
      metrics.put("map_at_k", sums.meanAveragePrecision());
    }
    return metrics;
  }

  /** RMSE and MAE of the predictions for held-out ratings (cold-start rows dropped and counted). */
  private static final double ERROR_SCALE = 0x1p30;

  static Map<String, Double> errors(ALSModel model, Dataset<Row> test) {
    Dataset<Row> predicted = model.transform(test)
        .withColumn("err", col("prediction").minus(col(AlsTrainer.VALUE)));
    // fixed-point sums (2^-30 resolution): integer addition is exact in any order, so the
    // metrics are bit-identical whatever the partitioning or the order partial sums arrive in
    Row r = predicted.agg(
            sum(round(col("err").multiply(col("err")).multiply(ERROR_SCALE)).cast("long")),
            sum(round(abs(col("err")).multiply(ERROR_SCALE)).cast("long")),
            count(col("err")))
        .head();
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("scored_test_rows", (double) r.getLong(2));
    if (r.getLong(2) > 0) {
      m.put("rmse", Math.sqrt(r.getLong(0) / ERROR_SCALE / r.getLong(2)));
      m.put("mae", r.getLong(1) / ERROR_SCALE / r.getLong(2));
    }
    return m;
  }

  /**
   * Ranking sums and recommended items over the held-out users in one pass: each user's exact
   * top-k unseen items ({@link UnseenTopK}) go straight into the partition's {@link RankingAtK};
   * only the merged sums come back to the driver.
   */
  static RankingAtK ranking(ALSModel model, HeldOut heldOut, int k, int userBlock, int itemChunk) {
    requireBroadcastable(heldOut.trainItems(), model.rank());
    UnseenTopK.Items items = packItems(model.itemFactors(), model.rank());
    int nonFinite = nonFiniteRows(items);
    if (nonFinite > 0) {
      // ALS diverged for these items (e.g. extreme values or parameters): they are never
      // recommended, which lowers the ranking metrics; say so rather than report a "bad model"
      LOG.warn("evaluation: {} of {} item factors have NaN or infinite components; those items are never "
          + "recommended (check the input values and the regularization)", nonFinite, items.size());
    }
    SparkSession spark = model.itemFactors().sparkSession();
    Broadcast<UnseenTopK.Items> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(items);
    try {
      JavaPairRDD<Integer, UserLists> users = heldOut.users();
      JavaPairRDD<Integer, float[]> factors = model.userFactors().select("id", "features").javaRDD()
          .mapToPair(new FactorPair(model.rank()));
      // the users' partitioner: only the factors move; the cached item lists stay where they are
      JavaPairRDD<Integer, Tuple2<UserLists, Optional<float[]>>> rows =
          users.leftOuterJoin(factors, users.partitioner().orElse(new HashPartitioner(users.getNumPartitions())));
      // one small object per partition, merged in partition order (its sums are exact, so the
      // result does not depend on the partitioning or the order of users either)
      RankingAtK all = new RankingAtK(k);
      for (RankingAtK part : rows.values().mapPartitions(new RankUsers(shared, k, userBlock, itemChunk)).collect()) {
        all.merge(part);
      }
      return all;
    } finally {
      shared.destroy();
    }
  }

  /** Items whose factor has a NaN or infinite component. */
  static int nonFiniteRows(UnseenTopK.Items items) {
    float[] data = items.data();
    int d = items.dim();
    int n = 0;
    for (int i = 0; i < items.size(); i++) {
      for (int j = 0; j < d; j++) {
        if (!Float.isFinite(data[i * d + j])) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  /** The model's item factors on the driver, packed per partition on executors (no boxed rows). */
  static UnseenTopK.Items packItems(Dataset<Row> itemFactors, int rank) {
    return UnseenTopK.Items.concat(itemFactors.select("id", "features").javaRDD().mapPartitions(new PackItems(rank))
        .collect(), rank);
  }

  /** Packs one partition of factors ({@code id} int, {@code features} array&lt;float&gt;). */
  static final class PackItems implements FlatMapFunction<Iterator<Row>, UnseenTopK.Items> {
    private static final long serialVersionUID = 1L;
    private final int rank;

    PackItems(int rank) {
      this.rank = rank;
    }

    @Override
    public Iterator<UnseenTopK.Items> call(Iterator<Row> rows) {
      int[] ids = new int[64];
      float[] data = new float[64 * rank];
      int n = 0;
      while (rows.hasNext()) {
        Row r = rows.next();
        if (n == ids.length) {
          ids = Arrays.copyOf(ids, 2 * n);
          data = Arrays.copyOf(data, 2 * n * rank);
        }
        ids[n] = r.getInt(0);
        copyFactor(r.getList(1), rank, "item " + ids[n], data, n * rank);
        n++;
      }
      return List.of(new UnseenTopK.Items(Arrays.copyOf(ids, n), Arrays.copyOf(data, n * rank), rank)).iterator();
    }
  }

  /**
   * Ranks one partition of held-out users ({@code labels}, {@code seen}, {@code features}, null
   * without a factor) in blocks of {@code userBlock} and sums their metrics.
   */
  /** (user index, factor) of a user factors row ({@code id} int, {@code features} array&lt;float&gt;). */
  static final class FactorPair implements PairFunction<Row, Integer, float[]> {
    private static final long serialVersionUID = 1L;
    private final int rank;

    FactorPair(int rank) {
      this.rank = rank;
    }

    @Override
    public Tuple2<Integer, float[]> call(Row r) {
      float[] f = new float[rank];
      copyFactor(r.getList(1), rank, "user " + r.getInt(0), f, 0);
      return new Tuple2<>(r.getInt(0), f);
    }
  }

  static final class RankUsers implements FlatMapFunction<Iterator<Tuple2<UserLists, Optional<float[]>>>, RankingAtK> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<UnseenTopK.Items> items;
    private final int k;
    private final int userBlock;
    private final int itemChunk;

    RankUsers(Broadcast<UnseenTopK.Items> items, int k, int userBlock, int itemChunk) {
      this.items = items;
      this.k = k;
      this.userBlock = userBlock;
      this.itemChunk = itemChunk;
    }

    @Override
    public Iterator<RankingAtK> call(Iterator<Tuple2<UserLists, Optional<float[]>>> rows) {
      RankingAtK sums = new RankingAtK(k);
      if (!rows.hasNext()) {
        return List.of(sums).iterator();
      }
      UnseenTopK kernel = new UnseenTopK(items.value(), k, userBlock, itemChunk);
      int d = items.value().dim();
      float[] factors = new float[userBlock * d];
      int[][] seen = new int[userBlock][];
      int[][] labels = new int[userBlock][];
      int n = 0;
      while (rows.hasNext()) {
        Tuple2<UserLists, Optional<float[]>> r = rows.next();
        int[] relevant = r._1().labels();
        if (!r._2().isPresent()) {
          sums.add(new int[0], relevant); // cold start: no factor, no recommendations, a miss
          continue;
        }
        float[] f = r._2().get();
        if (f.length != d) {
          throw new IllegalStateException("user factor has " + f.length + " components, expected " + d);
        }
        System.arraycopy(f, 0, factors, n * d, d);
        seen[n] = r._1().seen();
        labels[n] = relevant;
        if (++n == userBlock) {
          addBlock(kernel, factors, n, seen, labels, sums);
          n = 0;
        }
      }
      addBlock(kernel, factors, n, seen, labels, sums);
      return List.of(sums).iterator();
    }

    private static void addBlock(UnseenTopK kernel, float[] factors, int n, int[][] seen, int[][] labels,
        RankingAtK sums) {
      if (n == 0) {
        return;
      }
      int[][] recommended = kernel.recommend(factors, n, seen);
      for (int i = 0; i < n; i++) {
        sums.add(recommended[i], labels[i]);
      }
    }
  }

  private static void copyFactor(List<Float> features, int rank, String what, float[] into, int at) {
    if (features.size() != rank) {
      // ALS writes factors of its rank: anything else is a broken model, not bad input
      throw new IllegalStateException(what + " factor has " + features.size() + " components, expected " + rank);
    }
    for (int i = 0; i < rank; i++) {
      // no subnormal components, which a BLAS may read as zero (see BlockScorer#stored)
      into[at + i] = BlockScorer.stored(features.get(i));
    }
  }

}
