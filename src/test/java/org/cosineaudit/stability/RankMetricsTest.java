package org.cosineaudit.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RankMetricsTest {

  // values computed by hand to more digits than asserted; 1e-9 only absorbs rounding
  private static final double EPS = 1e-9;

  private static String[] list(String letters) {
    return letters.split("");
  }

  @Test
  void identicalListsAgreeFully() {
    String[] a = list("abcdefghij");
    RankMetrics.ListAgreement m = RankMetrics.compare(a, null, a.clone(), null, 10, 0.9, 0.5);
    assertEquals(1.0, m.jaccard(), EPS);
    assertEquals(1.0, m.overlap(), EPS);
    assertEquals(1.0, m.rboExt(), EPS);
    assertEquals(1.0, m.rboMin() + m.rboResidual(), EPS);
    assertEquals(0.0, m.kendall(), EPS);
    assertEquals(0.0, m.footrule(), EPS);
  }

  @Test
  void disjointListsDisagreeFully() {
    RankMetrics.ListAgreement m = RankMetrics.compare(list("abcde"), null, list("vwxyz"), null, 5, 0.9, 0.5);
    assertEquals(0.0, m.jaccard(), EPS);
    assertEquals(0.0, m.overlap(), EPS);
    assertEquals(0.0, m.rboExt(), EPS);
    assertEquals(0.0, m.rboMin(), EPS);
    assertEquals(1.0, m.kendall(), EPS);
    assertEquals(1.0, m.footrule(), EPS);
    // nothing seen agrees, everything unseen could: the residual is p^5 (all weight beyond depth 5)... at most
    assertTrue(m.rboResidual() > 0 && m.rboResidual() <= Math.pow(0.9, 5) + EPS);
  }

  @Test
  void swappedTopPairWithOneReplacementByHand() {
    // a = [a b c], b = [b a d], k = 3: X_1 = 0, X_2 = 2, X_3 = 2
    String[] a = list("abc");
    String[] b = list("bad");
    assertEquals(0.5, RankMetrics.jaccard(a, b), EPS);
    assertEquals(2.0 / 3, RankMetrics.overlap(a, b, 3), EPS);
    // K^(0.5): (a,b) inverted = 1, (c,d) each in one list only = 1, the rest consistent = 0;
    // max = 3*3 + 0.5*(3 + 3) = 12
    assertEquals(2.0, RankMetrics.kendallRaw(a, b, 0.5), EPS);
    assertEquals(2.0 / 12, RankMetrics.kendall(a, b, 0.5), EPS);
    // footrule with l = 4: |1-2| + |2-1| + |3-4| + |4-3| = 4; max = 6 + 6
    assertEquals(4.0 / 12, RankMetrics.footrule(a, b, 3), EPS);
    RankBiasedOverlap.Rbo rbo = RankBiasedOverlap.of(a, b, 0.9);
    // ext = (0.1/0.9)(0.81 + 2/3*0.729) + 2/3*0.729
    assertEquals(0.1 / 0.9 * (0.81 + 0.486) + 0.486, rbo.ext(), EPS);
    // min = (0.1/0.9)(-2*0.9 + 2 ln 10)
    assertEquals(0.1 / 0.9 * (-1.8 + 2 * Math.log(10)), rbo.min(), EPS);
    // the best continuation (c, d matching at depth 4, then everything) gives
    // max = (0.1/0.9)(0.81 + 0.486 + 0.9^4/0.1)
    assertEquals(0.1 / 0.9 * (0.81 + 0.486 + 0.6561 / 0.1), rbo.max(), EPS);
  }

  @Test
  void rboExtMatchesThePublishedExampleOfOneRotation() {
    // [1 2 3 4 5] vs [2 3 4 1 5] at p = 0.9 is 0.828 in the published Eq. 32 implementations
    String[] a = {"1", "2", "3", "4", "5"};
    String[] b = {"2", "3", "4", "1", "5"};
    assertEquals(0.828, RankBiasedOverlap.of(a, b, 0.9).ext(), 5e-4);
  }

  @Test
  void rboOfIdenticalSevenListsSplitsIntoPublishedMinAndResidual() {
    // published doctest values: rbo_min("abcdefg", "abcdefg", 0.9) = 0.767, residual 0.233
    RankBiasedOverlap.Rbo rbo = RankBiasedOverlap.of(list("abcdefg"), list("abcdefg"), 0.9);
    assertEquals(0.767, rbo.min(), 5e-4);
    assertEquals(0.233, rbo.residual(), 5e-4);
    // an extra item seen in the longer list changes neither bound
    RankBiasedOverlap.Rbo longer = RankBiasedOverlap.of(list("abcdefgh"), list("abcdefg"), 0.9);
    assertEquals(rbo.min(), longer.min(), EPS);
  }

  @Test
  void shorterListThatIsAPrefixExtrapolatesToFullAgreement() {
    // Eq. 32 assumes the agreement seen at the end of the shorter list continues: a prefix is
    // a perfect match; min and residual still bracket every possible continuation (max = 1).
    RankBiasedOverlap.Rbo rbo = RankBiasedOverlap.of(list("abcdefg"), list("abcdefghijklmnopqrstuvwxyz"), 0.9);
    assertEquals(1.0, rbo.ext(), EPS);
    assertEquals(1.0, rbo.max(), EPS);
    // residual = p^7 - (0.1/0.9) * 7 * (ln 10 - sum_{d<=7} 0.9^d/d) = 0.23286
    assertEquals(0.23286, rbo.residual(), 5e-5);
  }

  @Test
  void unevenListsByHand() {
    // a = [a b], b = [c a d], p = 0.5: X_1 = 0, X_2 = 1, X_3 = 1
    RankBiasedOverlap.Rbo rbo = RankBiasedOverlap.of(list("ab"), list("cad"), 0.5);
    // Eq. 32: (0.125 + 0.125/3) + 1 * (1/6) * 0.125 + (1/2) * 0.125
    assertEquals(0.25, rbo.ext(), EPS);
    assertEquals(-0.5 + Math.log(2), rbo.min(), EPS);
    // best continuation: a = [a b d c ...], b = [c a d b ...] -> 0.5 * (0.25 + 1/6 + 0.25) = 1/3
    assertEquals(1.0 / 3, rbo.max(), EPS);
    // kendall with lengths 2 and 3: max = 6 + 0.5 * (1 + 3) = 8; pairs: (a,b) b ranks a only, a ahead in a: 0;
    // (a,c) c only in b, b has c ahead of a, a ranks only a: 1; (a,d) 0; (b,c) 1; (b,d) 1; (c,d) p
    assertEquals(3.5 / 8, RankMetrics.kendall(list("ab"), list("cad"), 0.5), EPS);
    // footrule, k = 3, l = 4: a |1-2| + b |2-4| + c |4-1| + d |4-3| = 7; max = (8-3) + (12-6) = 11
    assertEquals(7.0 / 11, RankMetrics.footrule(list("ab"), list("cad"), 3), EPS);
    assertEquals(1.0 / 3, RankMetrics.overlap(list("ab"), list("cad"), 3), EPS);
  }

  @Test
  void scoreSpearmanOverCommonNeighbours() {
    String[] a = {"x", "y", "z", "w"};
    String[] b = {"z", "y", "x", "q"};
    double[] sa = {0.9, 0.8, 0.7, 0.6};
    double[] sb = {0.95, 0.5, 0.4, 0.3};
    // common x, y, z: a orders them x > y > z, b orders z > y > x: reversed
    assertEquals(-1.0, RankMetrics.scoreSpearman(a, sa, b, sb), EPS);
    assertEquals(1.0, RankMetrics.scoreSpearman(a, sa, a, sa), EPS);
    // two common neighbours are too few
    assertTrue(Double.isNaN(RankMetrics.scoreSpearman(new String[] {"x", "y"}, new double[] {1, 2},
        new String[] {"y", "x"}, new double[] {3, 4})));
  }

  @Test
  void averageRanksShareTies() {
    double[] r = RankMetrics.averageRanks(new double[] {0.5, 0.1, 0.5, 0.9});
    assertEquals(2.5, r[0], EPS);
    assertEquals(1.0, r[1], EPS);
    assertEquals(2.5, r[2], EPS);
    assertEquals(4.0, r[3], EPS);
  }

  @Test
  void clusterPrecisionCountsUnlabelledNeighboursAsOutside() {
    assertEquals(0.5, RankMetrics.clusterPrecision(2, new Integer[] {2, 1, null, 2}), EPS);
    assertTrue(Double.isNaN(RankMetrics.clusterPrecision(null, new Integer[] {2})));
  }

  @Test
  void duplicateNeighbourIsRejectedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RankMetrics.jaccard(new String[] {"a", "b", "a"}, new String[] {"a"}));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
  }

  @Test
  void badParametersAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> RankBiasedOverlap.of(list("ab"), list("ab"), 1.0));
    assertThrows(IllegalArgumentException.class, () -> RankMetrics.kendall(list("ab"), list("ab"), 1.5));
    assertThrows(IllegalArgumentException.class, () -> RankMetrics.overlap(list("abc"), list("ab"), 2));
  }
}
