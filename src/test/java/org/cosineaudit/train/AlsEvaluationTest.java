package org.cosineaudit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.data.Feedback;
import org.cosineaudit.run.InputException;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Held-out evaluation on small synthetic data (300 users x 60 items, plus one cold-start user):
 * the blocked kernel route gives the metrics of the old route (ALS's own recommendations for
 * every item, seen items dropped, {@link RankingAtK}), kept here as the reference.
 */
class AlsEvaluationTest {

  private static final int USERS = 300;
  private static final int ITEMS = 60;
  private static final int COLD_USER = USERS; // only held-out interactions: no factor
  private static final int K = 5;

  private static Dataset<Row> train;
  private static Dataset<Row> test;
  private static ALSModel implicitModel;
  private static AlsEvaluation.HeldOut implicitHeldOut;

  @BeforeAll
  static void fit() {
    SparkSession spark = SparkTestSession.get();
    List<Row> trainRows = new ArrayList<>();
    List<Row> testRows = new ArrayList<>();
    Random rnd = new Random(42);
    for (int u = 0; u < USERS; u++) {
      // two taste groups with skewed popularity, so that the model learns something
      int offset = (u % 2) * (ITEMS / 2);
      Set<Integer> items = new TreeSet<>();
      int n = 8 + rnd.nextInt(15);
      while (items.size() < n) {
        int i = rnd.nextDouble() < 0.8 ? offset + (int) (ITEMS / 2 * Math.pow(rnd.nextDouble(), 2)) : rnd.nextInt(ITEMS);
        items.add(i);
      }
      for (int i : items) {
        // value 0 rows in test are not relevant for implicit feedback
        Row r = RowFactory.create(u, i, (float) rnd.nextInt(4));
        (rnd.nextDouble() < 0.25 ? testRows : trainRows).add(r);
      }
    }
    testRows.add(RowFactory.create(COLD_USER, 3, 2f));
    testRows.add(RowFactory.create(COLD_USER, 40, 1f));
    StructType schema = new StructType()
        .add(AlsTrainer.USER, DataTypes.IntegerType, false)
        .add(AlsTrainer.ITEM, DataTypes.IntegerType, false)
        .add(AlsTrainer.VALUE, DataTypes.FloatType, false);
    train = AlsTrainer.prepare(spark.createDataFrame(trainRows, schema), 2).cache();
    test = spark.createDataFrame(testRows, schema).cache();
    implicitModel = AlsTrainer.fit(train, new ModelSpec(Feedback.IMPLICIT, 6, 0.1, 1.0, 3L, false, 6),
        new AlsSettings(2, 2, "memory_and_disk", null, 10));
    implicitHeldOut = AlsEvaluation.HeldOut.of(train, test, Feedback.IMPLICIT);
  }

  @AfterAll
  static void release() {
    implicitHeldOut.release();
    AlsTrainer.release(implicitModel);
    train.unpersist();
    test.unpersist();
  }

  @Test
  void itemFactorsWithNanOrInfinityAreCountedForTheWarning() {
    UnseenTopK.Items items = new UnseenTopK.Items(new int[] {0, 1, 2, 3},
        new float[] {1, 2, Float.NaN, 0, 3, Float.POSITIVE_INFINITY, 4, 5}, 2);
    assertEquals(2, AlsEvaluation.nonFiniteRows(items));
  }

  @Test
  void implicitMetricsEqualTheOldRecommendForUserSubsetRoute() {
    Map<String, Double> m = AlsEvaluation.evaluate(implicitModel, Feedback.IMPLICIT, implicitHeldOut, K);
    RankingAtK reference = oldRoute(implicitModel, Feedback.IMPLICIT, K);
    // the same ranked lists give the same exact sums; 1e-12 only allows for the last bit of the means
    assertTrue(reference.precision() > 0.05, "a model that learned something: " + reference.precision());
    assertEquals(reference.precision(), m.get("precision_at_k"), 1e-12);
    assertEquals(reference.recall(), m.get("recall_at_k"), 1e-12);
    assertEquals(reference.ndcg(), m.get("ndcg_at_k"), 1e-12);
    assertEquals(reference.meanAveragePrecision(), m.get("map_at_k"), 1e-12);
    assertEquals((double) reference.distinctRecommended() / trainItems(), m.get("coverage_at_k"), 1e-12);
    assertFalse(m.containsKey("rmse"), "no rating error for implicit feedback");
    assertFalse(m.containsKey("seen_filter_exact"), "the filter is always exact now");
    // the cold-start user is one of the ranked users (a miss), as in the reference
    assertEquals(reference.users(), implicitHeldOut.users().count());
  }

  @Test
  void smallBlocksAndChunksGiveTheSameSumsAsTheDefaults() {
    RankingAtK defaults = AlsEvaluation.ranking(implicitModel, implicitHeldOut, K, UnseenTopK.DEFAULT_USER_BLOCK,
        UnseenTopK.DEFAULT_ITEM_CHUNK);
    RankingAtK small = AlsEvaluation.ranking(implicitModel, implicitHeldOut, K, 7, 13);
    assertEquals(defaults.precision(), small.precision(), 0.0);
    assertEquals(defaults.ndcg(), small.ndcg(), 0.0);
    assertEquals(defaults.meanAveragePrecision(), small.meanAveragePrecision(), 0.0);
    assertEquals(defaults.distinctRecommended(), small.distinctRecommended());
  }

  @Test
  void explicitFeedbackKeepsRatingErrorsAndTheOldCoverage() {
    ALSModel model = AlsTrainer.fit(train, new ModelSpec(Feedback.EXPLICIT, 4, 0.1, 0, 1L, false, 5),
        new AlsSettings(2, 2, "memory_and_disk", null, 10));
    AlsEvaluation.HeldOut heldOut = AlsEvaluation.HeldOut.of(train, test, Feedback.EXPLICIT);
    try {
      Map<String, Double> m = AlsEvaluation.evaluate(model, Feedback.EXPLICIT, heldOut, K);
      RankingAtK reference = oldRoute(model, Feedback.EXPLICIT, K);
      assertEquals((double) reference.distinctRecommended() / trainItems(), m.get("coverage_at_k"), 1e-12);
      assertTrue(m.get("rmse") > 0 && m.get("mae") > 0, m.toString());
      // rows with a user or item unknown to training (the cold-start user's two) cannot be scored
      long known = test.join(train.select(AlsTrainer.USER).distinct(), AlsTrainer.USER)
          .join(train.select(AlsTrainer.ITEM).distinct(), AlsTrainer.ITEM).count();
      assertTrue(known <= test.count() - 2);
      assertEquals(known, m.get("scored_test_rows"));
      assertFalse(m.containsKey("precision_at_k"));
    } finally {
      heldOut.release();
      AlsTrainer.release(model);
    }
  }

  @Test
  void itemFactorsAboveTheBroadcastLimitAreRefusedWithTheSizes() {
    AlsEvaluation.requireBroadcastable(1_000_000, 64); // 256 MB: fine
    InputException e = assertThrows(InputException.class, () -> AlsEvaluation.requireBroadcastable(5_000_000, 64));
    assertTrue(e.getMessage().contains("5,000,000 training items x rank 64"), e.getMessage());
    assertTrue(e.getMessage().contains("--rank"), e.getMessage());
  }

  /**
   * The route this class replaced: ALS recommends every item to each held-out user, seen items
   * are dropped, the first k remain; users without recommendations count as misses.
   */
  private static RankingAtK oldRoute(ALSModel model, Feedback feedback, int k) {
    Map<Integer, Set<Integer>> seen = new HashMap<>();
    for (Row r : train.collectAsList()) {
      seen.computeIfAbsent(r.getInt(0), u -> new HashSet<>()).add(r.getInt(1));
    }
    Map<Integer, Set<Integer>> labels = new HashMap<>();
    for (Row r : test.collectAsList()) {
      if (feedback == Feedback.EXPLICIT || r.getFloat(2) > 0) {
        labels.computeIfAbsent(r.getInt(0), u -> new LinkedHashSet<>()).add(r.getInt(1));
      }
    }
    List<Row> users = new ArrayList<>();
    labels.keySet().forEach(u -> users.add(RowFactory.create(u)));
    Dataset<Row> userFrame = SparkTestSession.get().createDataFrame(users,
        new StructType().add(AlsTrainer.USER, DataTypes.IntegerType, false));
    Map<Integer, int[]> recommended = new HashMap<>();
    for (Row r : model.recommendForUserSubset(userFrame, ITEMS).collectAsList()) {
      int user = r.getInt(0);
      List<Row> recs = r.getList(1);
      recommended.put(user, recs.stream().mapToInt(rec -> rec.getInt(0))
          .filter(i -> !seen.getOrDefault(user, Set.of()).contains(i)).limit(k).toArray());
    }
    RankingAtK sums = new RankingAtK(k);
    labels.forEach((user, relevant) -> sums.add(recommended.getOrDefault(user, new int[0]),
        relevant.stream().mapToInt(Integer::intValue).toArray()));
    return sums;
  }

  private static long trainItems() {
    return train.select(AlsTrainer.ITEM).distinct().count();
  }
}
