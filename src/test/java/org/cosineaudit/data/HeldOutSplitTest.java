package org.cosineaudit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.run.InputException;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/** The per-user held-out split on hand-made interactions. */
class HeldOutSplitTest {

  private static final SparkSession SPARK = SparkTestSession.get();

  /** User u{n} has n interactions (n = 1..10) with items i0..i{n-1}, timestamps 100*j. */
  private static Dataset<Row> interactions(boolean timestamps) {
    List<Row> rows = new ArrayList<>();
    for (int n = 1; n <= 10; n++) {
      for (int j = 0; j < n; j++) {
        rows.add(RowFactory.create("u" + n, "i" + j, 1.0, timestamps ? 100L * j : null));
      }
    }
    return SPARK.createDataFrame(rows, GenerateJob.INTERACTIONS_SCHEMA);
  }

  private static Set<String> pairs(Dataset<Row> t) {
    Set<String> s = new HashSet<>();
    for (Row r : t.collectAsList()) {
      s.add(r.getString(0) + "/" + r.getString(1));
    }
    return s;
  }

  @Test
  void eachUserHoldsOutFloorOfTheFractionAndKeepsTheRest() {
    HeldOutSplit.Split s = HeldOutSplit.split(interactions(false), HeldOutSplit.Mode.RANDOM, 0.3, 5);
    Map<String, Integer> testPerUser = new HashMap<>();
    for (Row r : s.test().collectAsList()) {
      testPerUser.merge(r.getString(0), 1, Integer::sum);
    }
    for (int n = 1; n <= 10; n++) {
      int expected = (int) Math.floor(0.3 * n); // 0 for n <= 3: small users stay in training
      assertEquals(expected, testPerUser.getOrDefault("u" + n, 0), "user u" + n);
    }
    Set<String> train = pairs(s.train());
    Set<String> test = pairs(s.test());
    assertEquals(55, train.size() + test.size());
    train.retainAll(test);
    assertTrue(train.isEmpty(), "train and test are disjoint");
  }

  @Test
  void randomSplitDoesNotDependOnPartitioningButOnTheSeed() {
    Dataset<Row> in = interactions(false);
    Set<String> one = pairs(HeldOutSplit.split(in.repartition(1), HeldOutSplit.Mode.RANDOM, 0.5, 5).test());
    Set<String> seven = pairs(HeldOutSplit.split(in.repartition(7), HeldOutSplit.Mode.RANDOM, 0.5, 5).test());
    Set<String> otherSeed = pairs(HeldOutSplit.split(in, HeldOutSplit.Mode.RANDOM, 0.5, 6).test());
    assertEquals(one, seven);
    assertTrue(!one.equals(otherSeed), "another seed holds out other interactions");
  }

  @Test
  void timeSplitHoldsOutEachUsersLatestAndAutoPicksItWhenTimestampsExist() {
    HeldOutSplit.Split s = HeldOutSplit.split(interactions(true), HeldOutSplit.Mode.AUTO, 0.2, 0);
    assertEquals(HeldOutSplit.Mode.TIME, s.mode());
    Set<String> expected = new HashSet<>();
    for (int n = 5; n <= 10; n++) {
      for (int j = n - (int) Math.floor(0.2 * n); j < n; j++) {
        expected.add("u" + n + "/i" + j);
      }
    }
    assertEquals(expected, pairs(s.test()));
  }

  @Test
  void autoFallsBackToRandomWithoutUsableTimestamps() {
    assertEquals(HeldOutSplit.Mode.RANDOM,
        HeldOutSplit.split(interactions(false), HeldOutSplit.Mode.AUTO, 0.2, 0).mode());
    List<Row> same = new ArrayList<>();
    for (int j = 0; j < 5; j++) {
      same.add(RowFactory.create("u", "i" + j, 1.0, 42L));
    }
    Dataset<Row> constant = SPARK.createDataFrame(same, GenerateJob.INTERACTIONS_SCHEMA);
    assertEquals(HeldOutSplit.Mode.RANDOM, HeldOutSplit.split(constant, HeldOutSplit.Mode.AUTO, 0.2, 0).mode());
    // asked for by name, a time split on the same data fails instead of ordering by item id
    for (Dataset<Row> untimed : List.of(interactions(false), constant)) {
      InputException e = assertThrows(InputException.class,
          () -> HeldOutSplit.split(untimed, HeldOutSplit.Mode.TIME, 0.2, 0));
      assertTrue(e.getMessage().startsWith("--holdout time needs a timestamp on every interaction"), e.getMessage());
    }
  }

  @Test
  void randomSplitHoldsOutTheSmallestHashesOfEachUserThenTheSmallerItem() {
    // the contract, computed here on the driver from Spark's own xxhash64 of (seed, user, item)
    Dataset<Row> in = interactions(false);
    Map<String, List<Object[]>> byUser = new HashMap<>();
    for (Row r : in.selectExpr("user", "item", "xxhash64(cast(5 as bigint), user, item)").collectAsList()) {
      byUser.computeIfAbsent(r.getString(0), u -> new ArrayList<>()).add(new Object[] {r.getLong(2), r.getString(1)});
    }
    Set<String> expected = new HashSet<>();
    for (Map.Entry<String, List<Object[]>> e : byUser.entrySet()) {
      List<Object[]> rows = e.getValue();
      rows.sort((a, b) -> {
        int c = Long.compare((Long) a[0], (Long) b[0]);
        return c != 0 ? c : ((String) a[1]).compareTo((String) b[1]);
      });
      int held = (int) Math.floor(0.4 * rows.size());
      for (int i = 0; i < held; i++) {
        expected.add(e.getKey() + "/" + rows.get(i)[1]);
      }
    }
    assertEquals(expected, pairs(HeldOutSplit.split(in.repartition(3), HeldOutSplit.Mode.RANDOM, 0.4, 5).test()));
  }
}
