package org.cosineaudit.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cosineaudit.stability.TiedListEquivalence;
import org.junit.jupiter.api.Test;

/**
 * The "unchanged" claims (3c, 4b) judge the tie-aware share, not Jaccard@k, and keep Jaccard
 * visible; the "differ" claims (1c, 3d) still judge Jaccard@k. Plain Java: the agreement is
 * built by hand (the Spark side is {@code TiedListEquivalenceTest}).
 */
class NeighbourClaimsTest {

  static final String EQ2 = NeighbourClaims.cos(Variants.EQ2);
  static final String ROTATED = NeighbourClaims.cos(Variants.EQ2_ROTATED);

  /** An agreement holding 3c's pair, 4b's pairs and 1c's pairs, each with the given figures. */
  static NeighbourClaims.Agreement agreement(double jaccard, TiedListEquivalence.Result equivalence) {
    Map<String, Double> j = new LinkedHashMap<>();
    Map<String, TiedListEquivalence.Result> e = new LinkedHashMap<>();
    j.put(EQ2 + " | " + ROTATED, jaccard);
    e.put(EQ2 + " | " + ROTATED, equivalence);
    List<String> ids = ClaimChecks.eq1Ids();
    for (int i = 0; i < ids.size(); i++) {
      for (int m = i + 1; m < ids.size(); m++) {
        j.put(NeighbourClaims.cos(ids.get(i)) + " | " + NeighbourClaims.cos(ids.get(m)), jaccard);
      }
      if (i > 0) {
        String pair = NeighbourClaims.score(ids.get(0)) + " | " + NeighbourClaims.score(ids.get(i));
        j.put(pair, jaccard);
        e.put(pair, equivalence);
      }
    }
    return new NeighbourClaims.Agreement(10, j, Map.of(), Double.NaN, e);
  }

  @Test
  void reorderedNearTiesPassTheUnchangedClaimsWithJaccardShown() {
    // the MovieLens figures: Jaccard@10 0.77, every list equivalent, largest difference 1e-7
    NeighbourClaims.Agreement a = agreement(0.77, new TiedListEquivalence.Result(9_724, 9_724, 1.0e-7));
    Claim c3 = NeighbourClaims.eq2RotationNeighbours(a);
    assertEquals("pass", c3.status(), c3.line());
    assertEquals(1.0, c3.measured(), 0);
    assertEquals(0.77, c3.detail().get("mean_jaccard"));
    assertEquals(NeighbourClaims.TIE_TOLERANCE, c3.detail().get("tie_tolerance"));
    Claim c4 = NeighbourClaims.scoreCosineNeighboursIdentical(a);
    assertEquals("pass", c4.status(), c4.line());
    assertEquals(ClaimChecks.eq1Ids().size() - 1, c4.detail().size());
  }

  @Test
  void changedNeighboursFailTheUnchangedClaims() {
    // Jaccard as high as before, but 2% of the items have a score moved beyond the tolerance
    NeighbourClaims.Agreement a = agreement(0.99, new TiedListEquivalence.Result(1_000, 980, 0.05));
    assertEquals("fail", NeighbourClaims.eq2RotationNeighbours(a).status());
    assertEquals(0.98, NeighbourClaims.eq2RotationNeighbours(a).measured(), 0);
    assertEquals("fail", NeighbourClaims.scoreCosineNeighboursIdentical(a).status());
  }

  @Test
  void differClaimStillJudgesPlainJaccard() {
    // 1c is a "change" claim: it keeps judging mean Jaccard@k (< 0.9), whatever the equivalence says
    assertEquals("pass", NeighbourClaims.eq1NeighboursDiffer(
        agreement(0.77, new TiedListEquivalence.Result(10, 10, 0))).status());
    assertEquals("fail", NeighbourClaims.eq1NeighboursDiffer(
        agreement(0.95, new TiedListEquivalence.Result(10, 0, 1))).status());
  }
}
