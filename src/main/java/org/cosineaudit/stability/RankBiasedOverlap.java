package org.cosineaudit.stability;

/**
 * Rank-biased overlap (Webber, Moffat, Zobel, "A similarity measure for indefinite rankings",
 * ACM TOIS 28(4), 2010) of two ranked prefixes, possibly of uneven lengths.
 *
 * <p>RBO = (1 - p) * sum over depths d of p^(d-1) * X_d / d, where X_d is the size of the
 * overlap of the two top-d prefixes. Only the top {@code s} and {@code l} items are seen
 * (s = shorter length, l = longer), so three numbers are reported:
 * <ul>
 *   <li>{@code min}: the tight lower bound, assuming nothing beyond the seen prefixes ever
 *       matches (Eq. 11 evaluated to depth l, with X_d counting the shorter list whole for
 *       d &gt; s);</li>
 *   <li>{@code residual}: the largest amount the unseen items could still add (Eq. 30), so
 *       min + residual is the upper bound;</li>
 *   <li>{@code ext}: the point estimate that extrapolates the agreement seen at the end of
 *       the prefixes to infinite depth (Eq. 32; Eq. 9 for even lengths).</li>
 * </ul>
 * Identical lists of equal length have ext = 1; disjoint lists have min = ext = 0.
 * Persistence {@code p} in (0, 1): the top d ranks carry 1 - p^(d-1) + ... of the weight
 * (p = 0.9: the top 10 carry about 86%). Lists must not contain an item twice; ties are not
 * modelled (the neighbour tables have strict ranks).
 */
public final class RankBiasedOverlap {

  /** The three RBO figures of one pair of lists. */
  public record Rbo(double min, double residual, double ext) {
    /** The upper bound min + residual. */
    public double max() {
      return min + residual;
    }
  }

  private RankBiasedOverlap() {}

  /**
   * RBO of two non-empty ranked lists.
   *
   * @param p persistence, strictly between 0 and 1
   * @throws IllegalArgumentException on an empty list or p outside (0, 1)
   */
  public static Rbo of(String[] a, String[] b, double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("rbo persistence p must be in (0, 1), got " + p);
    }
    if (a.length == 0 || b.length == 0) {
      throw new IllegalArgumentException("rbo needs two non-empty lists, got lengths " + a.length + " and " + b.length);
    }
    int s = Math.min(a.length, b.length);
    int l = Math.max(a.length, b.length);
    int[] x = ListPositions.cumulativeOverlap(a, b, l);
    return new Rbo(min(x, s, l, p), residual(x, s, l, p), ext(x, s, l, p));
  }

  /** Eq. 11 to depth l; x[d] = X_d for d = 0..l. */
  static double min(int[] x, int s, int l, double p) {
    double xl = x[l];
    double sum = 0;
    double pd = 1;
    for (int d = 1; d <= l; d++) {
      pd *= p;
      sum += (x[d] - xl) * pd / d;
    }
    return (1 - p) / p * (sum - xl * Math.log(1 - p));
  }

  /**
   * Eq. 30: the weight the unseen ranks could add at most. Beyond depth l, the best case is
   * that every unseen item of one list matches an unseen or seen-but-unmatched item of the
   * other; full agreement is reached at depth f = l + s - X_l.
   */
  static double residual(int[] x, int s, int l, double p) {
    int xl = x[l];
    int f = l + s - xl;
    double sumSf = 0; // sum_{d=s+1..f} p^d/d
    double sumLf = 0; // sum_{d=l+1..f} p^d/d
    double sum1f = 0; // sum_{d=1..f} p^d/d
    double pd = 1;
    for (int d = 1; d <= f; d++) {
      pd *= p;
      double t = pd / d;
      sum1f += t;
      if (d > s) {
        sumSf += t;
      }
      if (d > l) {
        sumLf += t;
      }
    }
    double terms = s * sumSf + l * sumLf + xl * (Math.log(1 / (1 - p)) - sum1f);
    return Math.pow(p, s) + Math.pow(p, l) - Math.pow(p, f) - (1 - p) / p * terms;
  }

  /** Eq. 32 (reduces to Eq. 9 when s = l). */
  static double ext(int[] x, int s, int l, double p) {
    double xs = x[s];
    double xl = x[l];
    double sum1 = 0;
    double sum2 = 0;
    double pd = 1;
    for (int d = 1; d <= l; d++) {
      pd *= p;
      sum1 += (double) x[d] / d * pd;
      if (d > s) {
        sum2 += xs * (d - s) / ((double) s * d) * pd;
      }
    }
    return (1 - p) / p * (sum1 + sum2) + ((xl - xs) / l + xs / s) * Math.pow(p, l);
  }
}
