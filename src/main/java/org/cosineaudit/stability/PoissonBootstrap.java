package org.cosineaudit.stability;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A mergeable Poisson bootstrap of the means of several metrics over items.
 *
 * <p>Why Poisson: the classic bootstrap resamples n items with replacement, which needs all
 * n values in one place. Giving each item an independent Poisson(1) weight per replicate
 * instead (Hanley &amp; MacGibbon 2006; Chamandy et al. 2012) makes every replicate's mean a
 * ratio of two sums, so each executor adds up its own items and the partial states merge
 * by addition: the driver only ever sees one small state per (pair, stratum).
 *
 * <p>Why it is reproducible on any cluster: an item's weight in replicate r is a pure
 * function of (seed, item id, r) — not of partitioning or row order — and values are
 * accumulated in 36.28 fixed point ({@link #SCALE}), whose sums are exact and so do not
 * depend on the order of addition. Metrics must lie in [-1, 1] (all of ours do);
 * resolution 2^-28 = 3.7e-9. With replicate weights below ~20, sums stay exact up to
 * about 10^9 items.
 *
 * <p>The same item gets the same weights in every pair and every metric (common random
 * numbers), so intervals of different model pairs are resampled over the same items.
 */
public final class PoissonBootstrap implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Fixed-point scale of accumulated values. */
  static final double SCALE = 1L << 28;

  /** Cumulative Poisson(1) probabilities P(W <= w), w = 0..; beyond the table, weight = its length. */
  private static final double[] POISSON1_CDF = poissonOneCdf(20);

  private final int metrics;
  private final int replicates;
  private final long[] n;
  private final long[] sum;
  /** [metric * replicates + r]: sum of weights of the items with a value. */
  private final long[] weightSums;
  /** [metric * replicates + r]: sum of weight * fixed-point value. */
  private final long[] weightedSums;

  public PoissonBootstrap(int metrics, int replicates) {
    this.metrics = metrics;
    this.replicates = replicates;
    this.n = new long[metrics];
    this.sum = new long[metrics];
    this.weightSums = new long[metrics * replicates];
    this.weightedSums = new long[metrics * replicates];
  }

  /**
   * Adds one item's values (NaN = undefined for that item, skipped for that metric).
   *
   * @param weights the item's replicate weights, from {@link #weights(long, String, int[])}
   */
  public void add(double[] values, int[] weights) {
    for (int m = 0; m < metrics; m++) {
      double v = values[m];
      if (Double.isNaN(v)) {
        continue;
      }
      if (v < -1 || v > 1) {
        throw new IllegalArgumentException("bootstrap values must lie in [-1, 1], got " + v);
      }
      long q = Math.round(v * SCALE);
      n[m]++;
      sum[m] += q;
      int base = m * replicates;
      for (int r = 0; r < replicates; r++) {
        weightSums[base + r] += weights[r];
        weightedSums[base + r] += weights[r] * q;
      }
    }
  }

  /** Adds another state into this one (exact: order does not matter). */
  public PoissonBootstrap merge(PoissonBootstrap o) {
    for (int m = 0; m < metrics; m++) {
      n[m] += o.n[m];
      sum[m] += o.sum[m];
    }
    for (int i = 0; i < weightSums.length; i++) {
      weightSums[i] += o.weightSums[i];
      weightedSums[i] += o.weightedSums[i];
    }
    return this;
  }

  public long count(int metric) {
    return n[metric];
  }

  /** Mean of the metric over its items (NaN when none). */
  public double mean(int metric) {
    return n[metric] == 0 ? Double.NaN : sum[metric] / SCALE / n[metric];
  }

  /**
   * Percentile interval of the replicate means: {low, high} at (1 - level)/2 and (1 + level)/2,
   * linear interpolation between order statistics; NaNs when there are no items or replicates.
   */
  public double[] interval(int metric, double level) {
    double[] means = new double[replicates];
    int used = 0;
    for (int r = 0; r < replicates; r++) {
      long w = weightSums[metric * replicates + r];
      if (w > 0) { // a replicate that drew no item at all has no mean
        means[used++] = weightedSums[metric * replicates + r] / SCALE / w;
      }
    }
    if (used == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double[] sorted = Arrays.copyOf(means, used);
    Arrays.sort(sorted);
    return new double[] {quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2)};
  }

  /** Linear interpolation between order statistics (the "type 7" definition). */
  static double quantile(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /** The replicate weights of one item, into {@code out} (length = replicates). */
  public static int[] weights(long seed, String item, int[] out) {
    long base = mix(seed ^ mix(itemKey(item)));
    for (int r = 0; r < out.length; r++) {
      double u = (mix(base + (r + 1) * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
      int w = 0;
      while (w < POISSON1_CDF.length && u >= POISSON1_CDF[w]) {
        w++;
      }
      out[r] = w;
    }
    return out;
  }

  /** A 64-bit FNV-1a hash of the id's UTF-8 bytes: the same on every JVM. */
  static long itemKey(String item) {
    long h = 0xcbf29ce484222325L;
    for (byte b : item.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finalizer. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static double[] poissonOneCdf(int max) {
    double[] cdf = new double[max];
    double p = Math.exp(-1);
    double c = 0;
    for (int w = 0; w < max; w++) {
      c += p;
      cdf[w] = c;
      p /= (w + 1);
    }
    return cdf;
  }
}
