package org.cosineaudit.stability;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Agreement of two ranked top-k neighbour lists of the same item (plain Java, no Spark).
 *
 * <p>Conventions shared by every metric: lists are in rank order (index 0 = rank 1), hold no
 * item twice, are non-empty, and are at most {@code k} long. Lists shorter than k (an item
 * with fewer candidates, or a table cut at a smaller k) are handled as what they are: the
 * overlap is divided by k, the distances are normalized by the distance of two disjoint
 * lists of the same lengths, and RBO uses the uneven-length formulas.
 *
 * <p>Similarities are 1 for identical lists and 0 for disjoint ones (jaccard, overlap,
 * rbo_ext); distances (kendall, footrule) are 0 for identical and 1 for disjoint lists.
 */
public final class RankMetrics {

  /** Every metric of one pair of lists; {@code scoreSpearman} is NaN when undefined. */
  public record ListAgreement(double jaccard, double overlap, double rboMin, double rboResidual, double rboExt,
      double kendall, double footrule, double scoreSpearman) {}

  /** Fewest common neighbours for which a score correlation is reported. */
  public static final int MIN_COMMON_FOR_SPEARMAN = 3;

  private RankMetrics() {}

  /**
   * All metrics at once.
   *
   * @param scoresA scores of {@code a}'s neighbours (same order), or null to skip score_spearman
   * @param k the evaluation depth (the nominal list length), &gt;= both lengths
   * @param rboP RBO persistence in (0, 1)
   * @param kendallP Kendall's penalty for pairs seen in only one list, in [0, 1]
   */
  public static ListAgreement compare(String[] a, double[] scoresA, String[] b, double[] scoresB, int k,
      double rboP, double kendallP) {
    RankBiasedOverlap.Rbo rbo = RankBiasedOverlap.of(a, b, rboP);
    double spearman = scoresA == null || scoresB == null ? Double.NaN : scoreSpearman(a, scoresA, b, scoresB);
    return new ListAgreement(jaccard(a, b), overlap(a, b, k), rbo.min(), rbo.residual(), rbo.ext(),
        kendall(a, b, kendallP), footrule(a, b, k), spearman);
  }

  /** |A intersect B| / |A union B|. */
  public static double jaccard(String[] a, String[] b) {
    int common = common(a, b);
    int union = a.length + b.length - common;
    return union == 0 ? Double.NaN : (double) common / union;
  }

  /** X_k / k: the share of the k slots that both lists fill with the same items. */
  public static double overlap(String[] a, String[] b, int k) {
    checkDepth(a, b, k);
    return (double) common(a, b) / k;
  }

  /**
   * Fagin, Kumar, Sivakumar's K^(p) for top-k lists (SIAM J. Discrete Math 17(1), 2003),
   * normalized by its value for two disjoint lists of the same lengths (k^2 + p*k*(k-1)
   * when both hold k items). Over every pair {i, j} of the union: 1 when both lists rank
   * both items in opposite orders, or when one list ranks both and the other ranks only the
   * one that the first puts behind, or when each item is in a different list only; p when
   * both items are in one list only; otherwise 0.
   */
  public static double kendall(String[] a, String[] b, double penalty) {
    if (!(penalty >= 0 && penalty <= 1)) {
      throw new IllegalArgumentException("kendall penalty p must be in [0, 1], got " + penalty);
    }
    double max = kendallMax(a.length, b.length, penalty);
    return max == 0 ? 0 : kendallRaw(a, b, penalty) / max;
  }

  /** The unnormalized K^(p) distance. */
  public static double kendallRaw(String[] a, String[] b, double penalty) {
    Map<String, Integer> posA = ListPositions.of(a);
    Map<String, Integer> posB = ListPositions.of(b);
    String[] union = union(a, b);
    int n = union.length;
    int[] ra = new int[n];
    int[] rb = new int[n];
    for (int i = 0; i < n; i++) {
      ra[i] = posA.getOrDefault(union[i], 0);
      rb[i] = posB.getOrDefault(union[i], 0);
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        total += pairPenalty(ra[i], ra[j], rb[i], rb[j], penalty);
      }
    }
    return total;
  }

  /** Positions are 1-based, 0 = absent from that list. */
  private static double pairPenalty(int ai, int aj, int bi, int bj, double penalty) {
    boolean inA = ai > 0 && aj > 0;
    boolean inB = bi > 0 && bj > 0;
    if (inA && inB) {
      return Integer.signum(ai - aj) * Integer.signum(bi - bj) < 0 ? 1 : 0;
    }
    if (inA) {
      if (bi > 0) {
        return aj < ai ? 1 : 0; // b ranks i (so i ahead of j there); a disagrees when j is ahead
      }
      if (bj > 0) {
        return ai < aj ? 1 : 0;
      }
      return penalty; // neither in b: no evidence of their order in b
    }
    if (inB) {
      if (ai > 0) {
        return bj < bi ? 1 : 0;
      }
      if (aj > 0) {
        return bi < bj ? 1 : 0;
      }
      return penalty;
    }
    return 1; // one item only in a, the other only in b: each list puts its own ahead
  }

  static double kendallMax(int la, int lb, double penalty) {
    return (double) la * lb + penalty * (la * (la - 1.0) / 2 + lb * (lb - 1.0) / 2);
  }

  /**
   * Spearman footrule with location parameter l = k + 1 (Fagin et al. 2003): the sum over
   * the union of |rank in a - rank in b|, an absent item counting as rank k + 1; normalized
   * by its value for disjoint lists of the same lengths (k * (k + 1) when both hold k items).
   */
  public static double footrule(String[] a, String[] b, int k) {
    checkDepth(a, b, k);
    int location = k + 1;
    Map<String, Integer> posB = ListPositions.of(b);
    ListPositions.of(a);
    double total = 0;
    Set<String> inA = new HashSet<>(Arrays.asList(a));
    for (int i = 0; i < a.length; i++) {
      total += Math.abs(i + 1 - posB.getOrDefault(a[i], location));
    }
    for (int j = 0; j < b.length; j++) {
      if (!inA.contains(b[j])) {
        total += location - (j + 1);
      }
    }
    double max = footruleMax(a.length, location) + footruleMax(b.length, location);
    return max == 0 ? 0 : total / max;
  }

  private static double footruleMax(int length, int location) {
    return (double) length * location - length * (length + 1.0) / 2;
  }

  /**
   * Spearman rank correlation of the two models' scores over the neighbours common to both
   * lists (average ranks for ties); NaN with fewer than {@link #MIN_COMMON_FOR_SPEARMAN}
   * common neighbours or when one side's scores are all equal.
   */
  public static double scoreSpearman(String[] a, double[] scoresA, String[] b, double[] scoresB) {
    if (scoresA.length != a.length || scoresB.length != b.length) {
      throw new IllegalArgumentException("scores and neighbours differ in length");
    }
    Map<String, Integer> posB = ListPositions.of(b);
    int common = 0;
    double[] x = new double[Math.min(a.length, b.length)];
    double[] y = new double[x.length];
    for (int i = 0; i < a.length; i++) {
      Integer j = posB.get(a[i]);
      if (j != null) {
        x[common] = scoresA[i];
        y[common] = scoresB[j - 1];
        common++;
      }
    }
    if (common < MIN_COMMON_FOR_SPEARMAN) {
      return Double.NaN;
    }
    return pearson(averageRanks(Arrays.copyOf(x, common)), averageRanks(Arrays.copyOf(y, common)));
  }

  /**
   * Share of the neighbours that belong to the item's own cluster; NaN when the item has no
   * cluster. Neighbours without a cluster ({@code null}) count as outside it.
   */
  public static double clusterPrecision(Integer itemCluster, Integer[] neighbourClusters) {
    if (itemCluster == null || neighbourClusters.length == 0) {
      return Double.NaN;
    }
    int same = 0;
    for (Integer c : neighbourClusters) {
      if (itemCluster.equals(c)) {
        same++;
      }
    }
    return (double) same / neighbourClusters.length;
  }

  static double[] averageRanks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (p, q) -> Double.compare(v[p], v[q]));
    double[] ranks = new double[v.length];
    int i = 0;
    while (i < v.length) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int t = i; t <= j; t++) {
        ranks[order[t]] = avg;
      }
      i = j + 1;
    }
    return ranks;
  }

  static double pearson(double[] x, double[] y) {
    int n = x.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
  }

  private static int common(String[] a, String[] b) {
    Map<String, Integer> posB = ListPositions.of(b);
    ListPositions.of(a);
    int c = 0;
    for (String s : a) {
      if (posB.containsKey(s)) {
        c++;
      }
    }
    return c;
  }

  private static String[] union(String[] a, String[] b) {
    java.util.LinkedHashSet<String> u = new java.util.LinkedHashSet<>(Arrays.asList(a));
    u.addAll(Arrays.asList(b));
    return u.toArray(new String[0]);
  }

  private static void checkDepth(String[] a, String[] b, int k) {
    if (k < Math.max(a.length, b.length) || k < 1) {
      throw new IllegalArgumentException("evaluation depth k=" + k + " is shorter than a list (lengths "
          + a.length + ", " + b.length + ")");
    }
  }
}
