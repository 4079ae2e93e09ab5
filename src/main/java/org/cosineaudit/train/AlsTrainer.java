package org.cosineaudit.train;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.Dependency;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.data.Feedback;

/**
 * Spark MLlib ALS for one {@link ModelSpec}, on interactions whose ids are already dense ints.
 *
 * <p>Determinism: the seed and both block counts are pinned by the configuration, and
 * {@link #prepare} gives ALS its input in a fixed partitioning and order, so a configuration
 * gives the same factors on every run in local mode. (On a multi-executor cluster, shuffle
 * blocks may arrive in another order, which can change float sums in the last bits.)
 */
public final class AlsTrainer {

  /** Columns of the indexed interactions ALS trains on. */
  public static final String USER = "user_index";
  public static final String ITEM = "item_index";
  public static final String VALUE = "value";

  /** Names ALS gives the RDDs holding its final factors (see {@link #release}). */
  private static final Set<String> FACTOR_RDD_NAMES = Set.of("userFactors", "itemFactors");

  private AlsTrainer() {}

  /**
   * The indexed interactions ({@link #USER}, {@link #ITEM}, {@link #VALUE}) hash-partitioned by
   * user into a fixed number of partitions and sorted within them: ALS merges its rating blocks
   * in input order, and float sums depend on that order. {@code extra} columns of {@code indexed}
   * are kept after those three: rows filtered from the result keep its order, so one prepared
   * table can hold both sides of a split (see {@code RegularizationSweep.prepare}). With one row
   * per (user, item) pair, as ingestion leaves them, the order is total.
   */
  public static Dataset<Row> prepare(Dataset<Row> indexed, int partitions, Column... extra) {
    return indexed.select(columns(col(VALUE), extra))
        .repartition(partitions, col(USER))
        .sortWithinPartitions(USER, ITEM);
  }

  /** {@link #USER}, {@link #ITEM}, {@code value} as a float {@link #VALUE}, then {@code extra}. */
  static Column[] columns(Column value, Column... extra) {
    Column[] columns = new Column[3 + extra.length];
    columns[0] = col(USER);
    columns[1] = col(ITEM);
    columns[2] = value.cast("float").as(VALUE);
    System.arraycopy(extra, 0, columns, 3, extra.length);
    return columns;
  }

  /** The configured, unfitted estimator. */
  public static ALS estimator(ModelSpec spec, AlsSettings settings) {
    return new ALS()
        .setUserCol(USER)
        .setItemCol(ITEM)
        .setRatingCol(VALUE)
        .setImplicitPrefs(spec.feedback() == Feedback.IMPLICIT)
        .setAlpha(spec.alpha())
        .setRank(spec.rank())
        .setRegParam(spec.reg())
        .setMaxIter(spec.maxIter())
        .setSeed(spec.seed())
        .setNonnegative(spec.nonnegative())
        // pin blocks: ALS initialization depends on the block count
        .setNumUserBlocks(settings.userBlocks())
        .setNumItemBlocks(settings.itemBlocks())
        .setIntermediateStorageLevel(settings.sparkStorageLevel())
        .setFinalStorageLevel(settings.sparkStorageLevel())
        .setCheckpointInterval(settings.checkpointDir() == null ? -1 : settings.checkpointInterval())
        // unknown users/items in held-out data get no prediction instead of NaN
        .setColdStartStrategy("drop");
  }

  /** Fits one model; the returned model's factors are cached until {@link #release}. */
  public static ALSModel fit(Dataset<Row> prepared, ModelSpec spec, AlsSettings settings) {
    return estimator(spec, settings).fit(prepared);
  }

  /**
   * ALS factors ({@code id} int, {@code features}) with the original ids from an id map
   * ({@code id} string, {@code index} int): the factors table contract.
   */
  public static Dataset<Row> withOriginalIds(Dataset<Row> factors, Dataset<Row> idMap) {
    return factors.join(idMap.withColumnRenamed("id", "original_id"), factors.col("id").equalTo(col("index")))
        .select(col("original_id").as("id"), col("features"));
  }

  /**
   * Unpersists the cached factor RDDs of a fitted model (ALS keeps them cached for the model's
   * lifetime; a sweep would otherwise accumulate every model's factors in memory). Walks the
   * model's lineage and stops at the first cached RDD on each path, so the caller's cached
   * input is never touched.
   */
  public static void release(ALSModel model) {
    Deque<RDD<?>> todo = new ArrayDeque<>();
    todo.add(model.userFactors().rdd());
    todo.add(model.itemFactors().rdd());
    Set<Integer> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      RDD<?> rdd = todo.poll();
      if (!seen.add(rdd.id())) {
        continue;
      }
      if (!rdd.getStorageLevel().equals(StorageLevel.NONE())) {
        if (FACTOR_RDD_NAMES.contains(rdd.name())) {
          rdd.unpersist(false);
        }
        continue;
      }
      scala.collection.Iterator<Dependency<?>> deps = rdd.dependencies().iterator();
      while (deps.hasNext()) {
        todo.add(deps.next().rdd());
      }
    }
  }
}
