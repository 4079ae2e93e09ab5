package org.cosineaudit.train;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.BitSet;

/**
 * Ranking metrics at k of one user's recommendations against the user's relevant items, with
 * the definitions of Spark's {@code RankingMetrics} (binary relevance), summed over users in one
 * pass together with the items recommended (for coverage). Plain Java: merged across
 * partitions, never more than one instance per partition.
 *
 * <p>For a user with relevant set L (non-empty) and recommendations p (best first), n = min(k, |p|):
 * <ul>
 *   <li>precision@k = |p[0..n) ∩ L| / k (divided by k even when fewer than k were recommended)
 *   <li>recall@k = |p[0..n) ∩ L| / |L|
 *   <li>AP@k = sum over hits at rank i of (hits so far / i), divided by min(|L|, k)
 *   <li>NDCG@k = DCG / ideal DCG with gain 1 / log(rank + 1) over min(max(|p|, |L|), k) ranks
 * </ul>
 */
public final class RankingAtK implements Serializable {

  private static final long serialVersionUID = 1L;

  // Per-user values are summed exactly (BigDecimal holds every double and their sums without
  // rounding): exact sums do not depend on partitioning or merge order, so the metrics are
  // bit-identical whatever the cluster, the parallelism or AQE's partition coalescing.
  private final int k;
  private BigDecimal precision = BigDecimal.ZERO;
  private BigDecimal recall = BigDecimal.ZERO;
  private BigDecimal ndcg = BigDecimal.ZERO;
  private BigDecimal averagePrecision = BigDecimal.ZERO;
  private long users;
  private final BitSet recommended = new BitSet();

  public RankingAtK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.k = k;
  }

  /**
   * Adds one user. {@code relevant} must be free of duplicates; an empty one counts as a user
   * with all metrics 0 (as in Spark). Item ids must be >= 0.
   */
  public void add(int[] predicted, int[] relevant) {
    users++;
    int n = Math.min(k, predicted.length);
    for (int i = 0; i < n; i++) {
      recommended.set(predicted[i]);
    }
    if (relevant.length == 0) {
      return;
    }
    BitSet labels = new BitSet();
    for (int r : relevant) {
      labels.set(r);
    }
    int hits = 0;
    double precisionSum = 0;
    for (int i = 0; i < n; i++) {
      if (labels.get(predicted[i])) {
        hits++;
        precisionSum += (double) hits / (i + 1);
      }
    }
    precision = precision.add(new BigDecimal((double) hits / k));
    recall = recall.add(new BigDecimal((double) hits / relevant.length));
    averagePrecision = averagePrecision.add(new BigDecimal(precisionSum / Math.min(relevant.length, k)));
    int ranks = Math.min(Math.max(predicted.length, relevant.length), k);
    double dcg = 0;
    double ideal = 0;
    for (int i = 0; i < ranks; i++) {
      double gain = 1.0 / Math.log(i + 2);
      if (i < predicted.length && labels.get(predicted[i])) {
        dcg += gain;
      }
      if (i < relevant.length) {
        ideal += gain;
      }
    }
    ndcg = ndcg.add(new BigDecimal(dcg / ideal));
  }

  /** Adds another partition's sums into this one. */
  public RankingAtK merge(RankingAtK other) {
    if (other.k != k) {
      throw new IllegalArgumentException("cannot merge metrics at k=" + other.k + " into k=" + k);
    }
    precision = precision.add(other.precision);
    recall = recall.add(other.recall);
    ndcg = ndcg.add(other.ndcg);
    averagePrecision = averagePrecision.add(other.averagePrecision);
    users += other.users;
    recommended.or(other.recommended);
    return this;
  }

  public long users() {
    return users;
  }

  public double precision() {
    return users == 0 ? 0 : mean(precision);
  }

  public double recall() {
    return users == 0 ? 0 : mean(recall);
  }

  public double ndcg() {
    return users == 0 ? 0 : mean(ndcg);
  }

  public double meanAveragePrecision() {
    return users == 0 ? 0 : mean(averagePrecision);
  }

  private double mean(BigDecimal sum) {
    return sum.divide(BigDecimal.valueOf(users), MathContext.DECIMAL128).doubleValue();
  }

  /** Distinct items in at least one user's top k. */
  public long distinctRecommended() {
    return recommended.cardinality();
  }
}
