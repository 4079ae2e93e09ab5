package org.cosineaudit.train;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.struct;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.data.Feedback;

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
 * Recommendations exclude the user's training items. ALS cannot exclude them itself, so it is
 * asked for k plus the most training items any held-out user has, capped at
 * {@link #SEEN_ITEMS_CAP}; {@code seen_filter_exact} is 0 when the cap was hit (users with more
 * training items may then get fewer than k recommendations).
 */
public final class AlsEvaluation {

  /** Upper bound on the extra recommendations requested to make room for training items. */
  public static final int SEEN_ITEMS_CAP = 1000;

  private AlsEvaluation() {}

  /**
   * The held-out side of a split, prepared once for all models of a sweep: the users to
   * recommend for, their relevant items, and the sizes the metrics need. Cached until
   * {@link #release}.
   *
   * @param train indexed training interactions (the seen items)
   * @param test indexed held-out interactions
   * @param users held-out users with at least one relevant item ({@link AlsTrainer#USER})
   * @param labels each such user's relevant items ({@link AlsTrainer#USER}, {@code labels} array&lt;int&gt;)
   * @param maxSeen the most training items any of these users has
   * @param trainItems distinct items in training (the denominator of coverage)
   */
  public record HeldOut(Dataset<Row> train, Dataset<Row> test, Dataset<Row> users, Dataset<Row> labels,
      long testRows, long testUsers, long maxSeen, long trainItems) {

    /** Relevant held-out items: all for explicit feedback, those with a positive value for implicit. */
    public static HeldOut of(Dataset<Row> train, Dataset<Row> test, Feedback feedback) {
      Dataset<Row> relevant = feedback == Feedback.IMPLICIT ? test.where(col(AlsTrainer.VALUE).gt(0)) : test;
      Dataset<Row> labels = relevant.groupBy(AlsTrainer.USER)
          .agg(collect_list(col(AlsTrainer.ITEM)).as("labels"))
          .persist(StorageLevel.MEMORY_AND_DISK());
      Dataset<Row> users = labels.select(AlsTrainer.USER);
      Row sizes = test.agg(count(col(AlsTrainer.USER)), countDistinct(col(AlsTrainer.USER))).head();
      Row most = train.select(AlsTrainer.USER).join(users, AlsTrainer.USER).groupBy(AlsTrainer.USER).count()
          .agg(max("count")).head();
      long trainItems = train.select(AlsTrainer.ITEM).distinct().count();
      return new HeldOut(train, test, users, labels, sizes.getLong(0), sizes.getLong(1),
          most.isNullAt(0) ? 0 : most.getLong(0), trainItems);
    }

    public void release() {
      labels.unpersist(false);
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
    int extra = (int) Math.min(heldOut.maxSeen(), SEEN_ITEMS_CAP);
    metrics.put("seen_filter_exact", heldOut.maxSeen() <= SEEN_ITEMS_CAP ? 1.0 : 0.0);
    Dataset<Row> recs = topK(model, heldOut.users(), heldOut.train(), k, extra);
    RankingAtK sums = ranking(recs, heldOut.labels(), k);
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
  static Map<String, Double> errors(ALSModel model, Dataset<Row> test) {
    Dataset<Row> predicted = model.transform(test)
        .withColumn("err", col("prediction").minus(col(AlsTrainer.VALUE)));
    Row r = predicted.agg(sqrt(avg(col("err").multiply(col("err")))), avg(abs(col("err"))), count(col("err")))
        .head();
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("scored_test_rows", (double) r.getLong(2));
    if (r.getLong(2) > 0) {
      m.put("rmse", r.getDouble(0));
      m.put("mae", r.getDouble(1));
    }
    return m;
  }

  /**
   * Each user's top-k unseen items, best first: {@link AlsTrainer#USER}, {@code items} array&lt;int&gt;.
   * ALS is asked for {@code k + extra} so that up to {@code extra} seen items can be dropped.
   */
  static Dataset<Row> topK(ALSModel model, Dataset<Row> users, Dataset<Row> train, int k, int extra) {
    Dataset<Row> seen = train.select(AlsTrainer.USER, AlsTrainer.ITEM);
    Dataset<Row> raw = model.recommendForUserSubset(users, k + extra)
        .select(col(AlsTrainer.USER), posexplode(col("recommendations")).as(new String[] {"pos", "rec"}))
        .select(col(AlsTrainer.USER), col("pos"), col("rec." + AlsTrainer.ITEM).as(AlsTrainer.ITEM));
    Dataset<Row> unseen = raw.join(seen, raw.col(AlsTrainer.USER).equalTo(seen.col(AlsTrainer.USER))
        .and(raw.col(AlsTrainer.ITEM).equalTo(seen.col(AlsTrainer.ITEM))), "left_anti");
    return unseen.groupBy(AlsTrainer.USER)
        .agg(sort_array(collect_list(struct(col("pos"), col(AlsTrainer.ITEM)))).as("ranked"))
        .select(col(AlsTrainer.USER), expr("slice(transform(ranked, r -> r." + AlsTrainer.ITEM + "), 1, " + k + ")")
            .as("items"));
  }

  /**
   * Ranking sums and recommended items over the held-out users in one pass (users without
   * recommendations count as misses); only the merged sums come back to the driver.
   */
  static RankingAtK ranking(Dataset<Row> recs, Dataset<Row> labels, int k) {
    Dataset<Row> pairs = labels.join(recs, AlsTrainer.USER, "left")
        // a fixed summation order: float sums must not depend on task timing
        .sortWithinPartitions(AlsTrainer.USER)
        .select(expr("coalesce(items, array())").cast("array<int>").as("items"), col("labels"));
    // one small object per partition, merged in partition order (fold would merge in completion order)
    RankingAtK all = new RankingAtK(k);
    for (RankingAtK part : pairs.javaRDD().mapPartitions(new SumRanking(k)).collect()) {
      all.merge(part);
    }
    return all;
  }

  /** Sums one partition's (items, labels) rows. */
  static final class SumRanking implements FlatMapFunction<Iterator<Row>, RankingAtK> {
    private static final long serialVersionUID = 1L;
    private final int k;

    SumRanking(int k) {
      this.k = k;
    }

    @Override
    public Iterator<RankingAtK> call(Iterator<Row> rows) {
      RankingAtK sums = new RankingAtK(k);
      while (rows.hasNext()) {
        Row r = rows.next();
        sums.add(ints(r.getList(0)), distinct(ints(r.getList(1))));
      }
      return List.of(sums).iterator();
    }

    private static int[] ints(List<Integer> list) {
      int[] a = new int[list.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = list.get(i);
      }
      return a;
    }

    private static int[] distinct(int[] a) {
      return java.util.Arrays.stream(a).distinct().toArray();
    }
  }
}
