package org.cosineaudit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.evaluation.RankingMetrics;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** The one-pass ranking metrics: hand-computed values, and agreement with Spark's RankingMetrics. */
class RankingAtKTest {

  /** Users: a full hit list, a partial one, a miss, a short list, more labels than k. */
  private static final int[][][] USERS = {
      {{1, 2, 3}, {1, 2, 3}},
      {{4, 5, 6}, {6, 9}},
      {{7, 8, 9}, {1}},
      {{3}, {3, 4}},
      {{10, 11, 12}, {10, 12, 13, 14, 15}},
  };

  @Test
  void handComputedValuesForOneUser() {
    RankingAtK r = new RankingAtK(3);
    r.add(new int[] {4, 5, 6}, new int[] {6, 9});
    // one hit at rank 3: precision 1/3, recall 1/2, AP (1/3)/min(2,3)
    assertEquals(1.0 / 3, r.precision(), 1e-15);
    assertEquals(0.5, r.recall(), 1e-15);
    assertEquals((1.0 / 3) / 2, r.meanAveragePrecision(), 1e-15);
    // DCG = 1/log(4); ideal = 1/log(2) + 1/log(3) over min(max(3, 2), 3) = 3 ranks
    assertEquals((1 / Math.log(4)) / (1 / Math.log(2) + 1 / Math.log(3)), r.ndcg(), 1e-15);
    assertEquals(3, r.distinctRecommended());
  }

  @Test
  void mergedSumsEqualSparksRankingMetricsAtSeveralK() {
    List<Tuple2<List<Integer>, List<Integer>>> pairs = new ArrayList<>();
    for (int[][] u : USERS) {
      pairs.add(new Tuple2<>(boxed(u[0]), boxed(u[1])));
    }
    JavaRDD<Tuple2<List<Integer>, List<Integer>>> rdd =
        JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext()).parallelize(pairs, 2);
    RankingMetrics<Integer> spark = RankingMetrics.of(rdd);
    for (int k : new int[] {1, 2, 3, 5}) {
      RankingAtK first = new RankingAtK(k);
      RankingAtK second = new RankingAtK(k);
      for (int i = 0; i < USERS.length; i++) {
        (i < 2 ? first : second).add(USERS[i][0], USERS[i][1]);
      }
      RankingAtK all = first.merge(second);
      // same formulas, summed in another order: equal up to rounding
      assertEquals(spark.precisionAt(k), all.precision(), 1e-12, "precision@" + k);
      assertEquals(spark.recallAt(k), all.recall(), 1e-12, "recall@" + k);
      assertEquals(spark.ndcgAt(k), all.ndcg(), 1e-12, "ndcg@" + k);
      assertEquals(spark.meanAveragePrecisionAt(k), all.meanAveragePrecision(), 1e-12, "map@" + k);
      assertEquals(5, all.users());
    }
  }

  private static List<Integer> boxed(int[] a) {
    List<Integer> l = new ArrayList<>();
    for (int x : a) {
      l.add(x);
    }
    return l;
  }
}
