package org.cosineaudit.stability;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Whether two tables hold the same top-k neighbour lists up to the order of near-tied scores:
 * the test behind "the neighbours are unchanged" when the two tables come from two computations
 * of the same similarity (a rotated model, another rescaling under score-cosine) that agree only
 * up to floating-point rounding.
 *
 * <p>The rule: an item's two lists are <em>equivalent</em> when both hold the same ranks
 * 1..min(k, length) and, at every rank, the two scores differ by at most {@code tolerance}. Both
 * lists are exact top-k lists sorted by score, so equal score sequences mean that any neighbour
 * present in one list and not in the other scores within the tolerance of the neighbour it
 * replaces: the lists differ only by the order of scores tied within the tolerance. A neighbour
 * that genuinely changes moves a score by more than the tolerance at some rank (or changes the
 * list length) and makes the item non-equivalent. Plain Jaccard@k cannot tell the two apart: a
 * reordered tie at rank k swaps a member. An item listed by one table only is not equivalent.
 *
 * <p>How it scales: one full outer join of the two tables on (item, rank), one aggregation by
 * item and one global aggregation; only one row reaches the driver.
 *
 * <p>Danger: the tolerance must exceed the rounding of the scores compared and stay far below
 * score gaps that matter; for scores on the cosine scale computed from float factors, 1e-6
 * (see {@code docs/reproduce.md}). {@link Result#maxScoreDifference()} shows how much of it was used.
 */
public final class TiedListEquivalence {

  /**
   * The outcome for one pair of tables.
   *
   * @param items items listed by either table
   * @param equivalent items whose two lists are equivalent
   * @param maxScoreDifference largest |score a - score b| at a rank both lists hold (NaN when none)
   */
  public record Result(long items, long equivalent, double maxScoreDifference) {
    /** Share of the items whose lists are equivalent (NaN when no item is listed). */
    public double share() {
      return items == 0 ? Double.NaN : (double) equivalent / items;
    }
  }

  private TiedListEquivalence() {}

  /**
   * Compares tables {@code a} and {@code b} ({@code item, rank, neighbour, score}) to depth k.
   *
   * @param k evaluation depth, at least 1: ranks above k are ignored
   * @param tolerance largest absolute score difference at one rank that counts as a tie, finite and &gt;= 0
   */
  public static Result compare(NeighbourAgreement.NamedTable a, NeighbourAgreement.NamedTable b, int k,
      double tolerance) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
    }
    Dataset<Row> left = ranks(a, k, "score_a");
    Dataset<Row> right = ranks(b, k, "score_b");
    Column diff = abs(col("score_a").minus(col("score_b")));
    // a rank held by one list only (null score) or a NaN score fails the comparison
    Column sameRank = coalesce(diff.leq(lit(tolerance)), lit(false));
    Dataset<Row> perItem = left.join(right, new String[] {"item", "rank"}, "full_outer")
        .groupBy("item")
        .agg(min(when(sameRank, lit(1)).otherwise(lit(0))).as("equivalent"), max(diff).as("max_diff"));
    Row r = perItem.agg(count(lit(1)), sum(col("equivalent")), max(col("max_diff"))).first();
    long items = r.getLong(0);
    long equivalent = r.isNullAt(1) ? 0 : r.getLong(1);
    double maxDiff = r.isNullAt(2) ? Double.NaN : r.getDouble(2);
    return new Result(items, equivalent, maxDiff);
  }

  private static Dataset<Row> ranks(NeighbourAgreement.NamedTable t, int k, String score) {
    return NeighbourAgreement.normalized(t).where(col("rank").leq(k))
        .select(col("item"), col("rank"), col("score").as(score));
  }
}
