package org.cosineaudit.train;

import static org.cosineaudit.train.SweepFixtures.run;
import static org.cosineaudit.train.SweepFixtures.spark;
import static org.cosineaudit.train.SweepFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/**
 * Held-out accuracy on the real datasets in ../shared/data (skipped when absent): the sweep's
 * metrics land where published ALS results on these datasets are.
 */
class SweepRealDataTest {

  @Test
  void movieLensLatestSmallExplicitRmseIsBelowOneAtModerateReg() throws Exception {
    String ratings = SweepFixtures.sharedFile("ml-latest-small/ratings.csv");
    assumeTrue(ratings != null, "ml-latest-small is not in ../shared/data");
    String out = SparkTestSession.tempDir("sweep-ml").resolve("sweep").toString();
    RegularizationSweep.Result r = run(with(Map.of("input", ratings, "output", out, "rank", "10", "reg", "0.1",
        "max-iter", "10", "holdout", "random", "user-blocks", "2", "item-blocks", "2", "measures", "none")));
    Factorization f = Factorization.read(spark(), out, r.modelIds().get(0));
    assertEquals(610, f.userFactors().count(), "every user keeps training ratings");
    double rmse = f.metrics().get("rmse");
    double mae = f.metrics().get("mae");
    // ratings 0.5..5 (sd ~1.04); ALS rank 10 at reg 0.1 reaches ~0.88 on random splits
    assertTrue(rmse > 0.6 && rmse < 1.0, "rmse " + rmse);
    assertTrue(mae > 0.4 && mae < rmse, "mae " + mae);
    // about 20% of 100,836 ratings are held out (floor per user)
    double heldOut = f.metrics().get("test_rows");
    assertTrue(heldOut > 19_000 && heldOut < 20_200, "held-out rows " + heldOut);
    // items rated only in the held-out part get no prediction: counted, and in the index too
    org.apache.spark.sql.Row index = org.cosineaudit.io.Tables.read(spark(), r.indexPath()).first();
    double scored = index.getDouble(index.fieldIndex("scored_test_rows"));
    assertEquals(f.metrics().get("scored_test_rows"), scored);
    assertTrue(scored > 0.9 * heldOut && scored < heldOut, "scored " + scored + " of " + heldOut);
  }

  @Test
  void lastFmImplicitRankingMetricsAreInASaneRange() throws Exception {
    String plays = SweepFixtures.sharedFile("hetrec2011-lastfm-2k/user_artists.dat");
    assumeTrue(plays != null, "hetrec2011-lastfm-2k is not in ../shared/data");
    String out = SparkTestSession.tempDir("sweep-lastfm").resolve("sweep").toString();
    RegularizationSweep.Result r = run(with(Map.of("input", plays, "output", out, "feedback", "implicit",
        "alpha", "1", "rank", "16", "reg", "0.1", "max-iter", "8", "user-blocks", "2", "item-blocks", "2",
        "measures", "none"), "metrics-k", "10"));
    Map<String, Double> m = Factorization.read(spark(), out, r.modelIds().get(0)).metrics();
    // a random ranking of ~17,000 artists scores ~0.001; popularity ~0.07 precision@10
    assertTrue(m.get("precision_at_k") > 0.05 && m.get("precision_at_k") < 0.6, "precision@10 " + m);
    assertTrue(m.get("recall_at_k") > 0.05 && m.get("recall_at_k") < 0.8, "recall@10 " + m);
    assertTrue(m.get("ndcg_at_k") > 0.05 && m.get("ndcg_at_k") < 0.8, "ndcg@10 " + m);
    assertTrue(m.get("map_at_k") > 0.01 && m.get("map_at_k") <= m.get("ndcg_at_k"), "map@10 " + m);
    assertTrue(m.get("coverage_at_k") > 0.005 && m.get("coverage_at_k") < 1, "coverage " + m);
  }
}
