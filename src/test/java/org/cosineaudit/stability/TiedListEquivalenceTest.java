package org.cosineaudit.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.run.InputException;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tie-aware equivalence of two neighbour tables on a fixture checkable on paper: k = 3, one item
 * per regime, each expected verdict stated next to its rows.
 */
class TiedListEquivalenceTest {

  static final int K = 3;
  /** The reproduction's tolerance for cosine-scale scores. */
  static final double TOL = 1e-6;

  static SparkSession spark;
  static NeighbourAgreement.NamedTable a;
  static NeighbourAgreement.NamedTable b;

  @BeforeAll
  static void fixture() {
    spark = SparkTestSession.get();
    List<Row> ra = new ArrayList<>();
    List<Row> rb = new ArrayList<>();
    // same: identical lists; rank 4 differs but lies beyond k
    add(ra, "same", "s1", 0.9, "s2", 0.8, "s3", 0.7, "s4", 0.6);
    add(rb, "same", "s1", 0.9, "s2", 0.8, "s3", 0.7, "s9", 0.1);
    // swapAtK: a near-tie at rank k resolved the other way swaps a member (Jaccard@3 = 2/4),
    // the scores agree within 4e-7 at every rank: equivalent
    add(ra, "swapAtK", "w1", 0.9, "w2", 0.8, "w3", 0.7);
    add(rb, "swapAtK", "w1", 0.9, "w2", 0.8, "w4", 0.7000004);
    // reordered: two neighbours scoring above 0.999999 (items rated by one user) in the other
    // order, last-bit noise of 5e-8: same members, different ranks, equivalent
    add(ra, "reordered", "r1", 0.99999995, "r2", 0.99999990, "r3", 0.5);
    add(rb, "reordered", "r2", 0.99999996, "r1", 0.99999991, "r3", 0.5);
    // changed: a genuinely different neighbour at rank 3 (score 0.6 instead of 0.7): not equivalent
    add(ra, "changed", "c1", 0.9, "c2", 0.8, "c3", 0.7);
    add(rb, "changed", "c1", 0.9, "c2", 0.8, "c9", 0.6);
    // shorter: the same first two neighbours, the third missing from b: not equivalent
    add(ra, "shorter", "h1", 0.9, "h2", 0.8, "h3", 0.7);
    add(rb, "shorter", "h1", 0.9, "h2", 0.8);
    // onlyA: listed by one table only: counted, not equivalent
    add(ra, "onlyA", "o1", 0.9, "o2", 0.8, "o3", 0.7);
    a = new NeighbourAgreement.NamedTable("a", spark.createDataFrame(ra, NeighbourAgreementTest.NEIGHBOURS));
    b = new NeighbourAgreement.NamedTable("b", spark.createDataFrame(rb, NeighbourAgreementTest.NEIGHBOURS));
  }

  /** Rows of one item's list: neighbour, score, neighbour, score, ... in rank order. */
  static void add(List<Row> rows, String item, Object... neighbourScore) {
    for (int i = 0; i < neighbourScore.length; i += 2) {
      rows.add(RowFactory.create(item, i / 2 + 1, neighbourScore[i], neighbourScore[i + 1]));
    }
  }

  static Dataset<Row> only(NeighbourAgreement.NamedTable t, String item) {
    return t.neighbours().where(t.neighbours().col("item").equalTo(item));
  }

  static TiedListEquivalence.Result item(String item, double tolerance) {
    return TiedListEquivalence.compare(new NeighbourAgreement.NamedTable("a", only(a, item)),
        new NeighbourAgreement.NamedTable("b", only(b, item)), K, tolerance);
  }

  @Test
  void tiesReorderedWithinToleranceAreEquivalent() {
    assertEquals(1, item("swapAtK", TOL).equivalent());
    assertEquals(1, item("reordered", TOL).equivalent());
    // 4e-7 apart at rank 3; doubles of decimal literals: the difference itself is exact to ~1e-16
    assertEquals(4e-7, item("swapAtK", TOL).maxScoreDifference(), 1e-12);
  }

  @Test
  void genuinelyDifferentNeighbourIsNotEquivalent() {
    TiedListEquivalence.Result r = item("changed", TOL);
    assertEquals(1, r.items());
    assertEquals(0, r.equivalent());
    assertEquals(0.1, r.maxScoreDifference(), 1e-12);
    assertEquals(0, item("shorter", TOL).equivalent());
  }

  @Test
  void ranksBeyondKAreIgnored() {
    assertEquals(1, item("same", TOL).equivalent());
    // to depth 4 the lists differ (0.6 vs 0.1)
    assertEquals(0, TiedListEquivalence.compare(new NeighbourAgreement.NamedTable("a", only(a, "same")),
        new NeighbourAgreement.NamedTable("b", only(b, "same")), 4, TOL).equivalent());
  }

  @Test
  void wholeTablesCountEveryItemListedByEither() {
    TiedListEquivalence.Result r = TiedListEquivalence.compare(a, b, K, TOL);
    assertEquals(6, r.items()); // onlyA counted
    assertEquals(3, r.equivalent()); // same, swapAtK, reordered
    assertEquals(0.5, r.share(), 0);
    assertEquals(0.1, r.maxScoreDifference(), 1e-12);
  }

  @Test
  void zeroToleranceCountsOnlyExactlyEqualScores() {
    // the near-ties now break equivalence: only the identical list is left
    assertEquals(1, TiedListEquivalence.compare(a, b, K, 0).equivalent());
  }

  @Test
  void badSettingsAndTablesAreRefusedByName() {
    assertThrows(IllegalArgumentException.class, () -> TiedListEquivalence.compare(a, b, 0, TOL));
    assertThrows(IllegalArgumentException.class, () -> TiedListEquivalence.compare(a, b, K, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> TiedListEquivalence.compare(a, b, K, -1e-6));
    NeighbourAgreement.NamedTable noScore = new NeighbourAgreement.NamedTable("noScore", a.neighbours().drop("score"));
    InputException e = assertThrows(InputException.class, () -> TiedListEquivalence.compare(a, noScore, K, TOL));
    assertEquals(true, e.getMessage().contains("noScore"), e.getMessage());
  }
}
