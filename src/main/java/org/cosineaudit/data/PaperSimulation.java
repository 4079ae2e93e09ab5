package org.cosineaudit.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The simulation of Steck, Ekanadham &amp; Kallus (2024), Section 4, as plain Java.
 *
 * <ul>
 *   <li>Each item is assigned to one of {@code clusters} clusters uniformly at random.
 *   <li>Each cluster c draws a power-law exponent {@code beta_c ~ Uniform(betaMin, betaMax)}
 *       (paper: 0.25 and 1.5); the items of a cluster, in random order, get baseline
 *       popularity {@code r^-beta_c} for their rank r = 1, 2, ... within the cluster,
 *       normalized to sum to 1 per cluster.
 *   <li>Each user draws cluster preferences {@code p_uc ~ Dirichlet(concentration)}; then
 *       {@code p_ui = p_uc * p_i / sum_i(p_uc * p_i)}, which is sampling a cluster with
 *       probability {@code p_uc} and then an item of it with probability {@code p_i}.
 *   <li>Items per user follow a power law with exponent {@code userBeta} (paper: 0.5):
 *       {@code k_u = ceil(minItems * U^(-1/userBeta))}, capped at the item count.
 *   <li>Each user's {@code k_u} items are sampled without replacement with probabilities
 *       {@code p_ui}.
 * </ul>
 *
 * <p>Deterministic: items depend only on the seed; a user's interactions only on the seed
 * and the user index, so any partitioning of users gives identical data.
 */
public final class PaperSimulation implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Parameters; validated on construction. */
  public record Params(int users, int items, int clusters, long seed, double betaMin, double betaMax,
      double userBeta, int minItemsPerUser, double concentration) implements Serializable {
    public Params {
      if (users < 1) throw new IllegalArgumentException("users must be >= 1, got " + users);
      if (items < 2) throw new IllegalArgumentException("items must be >= 2, got " + items);
      if (clusters < 1 || clusters > items) {
        throw new IllegalArgumentException("clusters must be in [1, items=" + items + "], got " + clusters);
      }
      if (!(betaMin > 0 && betaMax >= betaMin)) {
        throw new IllegalArgumentException("need 0 < beta-min <= beta-max, got " + betaMin + ", " + betaMax);
      }
      if (!(userBeta > 0)) throw new IllegalArgumentException("user-beta must be > 0, got " + userBeta);
      if (minItemsPerUser < 1 || minItemsPerUser > items) {
        throw new IllegalArgumentException("min-items-per-user must be in [1, items], got " + minItemsPerUser);
      }
      if (!(concentration > 0)) throw new IllegalArgumentException("concentration must be > 0, got " + concentration);
    }

    /** The paper's defaults: 20,000 users, 1,000 items, 5 clusters. */
    public static Params paper(long seed) {
      return new Params(20_000, 1_000, 5, seed, 0.25, 1.5, 0.5, 1, 1.0);
    }
  }

  private final Params params;
  private final int[] clusterOf;
  private final double[] popularity;     // normalized within cluster
  private final double[] clusterBeta;
  private final int[][] clusterItems;    // items of each cluster, by falling popularity
  private final double[][] clusterCdf;   // cumulative popularity within each cluster

  public PaperSimulation(Params params) {
    this.params = params;
    int p = params.items();
    int c = params.clusters();
    SplittableRandom rnd = new SplittableRandom(params.seed());
    clusterOf = new int[p];
    int[] sizes = new int[c];
    for (int i = 0; i < p; i++) {
      clusterOf[i] = rnd.nextInt(c);
      sizes[clusterOf[i]]++;
    }
    clusterBeta = new double[c];
    for (int k = 0; k < c; k++) {
      clusterBeta[k] = params.betaMin() + rnd.nextDouble() * (params.betaMax() - params.betaMin());
    }
    // random order within each cluster: shuffle all items once, then rank per cluster
    int[] order = new int[p];
    for (int i = 0; i < p; i++) {
      order[i] = i;
    }
    for (int i = p - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    clusterItems = new int[c][];
    for (int k = 0; k < c; k++) {
      clusterItems[k] = new int[sizes[k]];
    }
    int[] fill = new int[c];
    popularity = new double[p];
    for (int i : order) {
      int k = clusterOf[i];
      int rank = ++fill[k];
      clusterItems[k][rank - 1] = i;
      popularity[i] = Math.pow(rank, -clusterBeta[k]);
    }
    clusterCdf = new double[c][];
    for (int k = 0; k < c; k++) {
      double sum = 0;
      for (int i : clusterItems[k]) {
        sum += popularity[i];
      }
      double[] cdf = new double[clusterItems[k].length];
      double acc = 0;
      for (int r = 0; r < cdf.length; r++) {
        int i = clusterItems[k][r];
        popularity[i] /= sum;
        acc += popularity[i];
        cdf[r] = acc;
      }
      clusterCdf[k] = cdf;
    }
  }

  public Params params() {
    return params;
  }

  public int clusterOf(int item) {
    return clusterOf[item];
  }

  /** Baseline popularity of an item, normalized to sum to 1 within its cluster. */
  public double popularity(int item) {
    return popularity[item];
  }

  public double clusterBeta(int cluster) {
    return clusterBeta[cluster];
  }

  /** Number of items of each cluster. */
  public int clusterSize(int cluster) {
    return clusterItems[cluster].length;
  }

  /** The number of items user {@code user} interacts with. */
  public int itemsPerUser(SplittableRandom rnd) {
    double u = 1.0 - rnd.nextDouble(); // (0, 1]
    double k = Math.ceil(params.minItemsPerUser() * Math.pow(u, -1.0 / params.userBeta()));
    return (int) Math.min(params.items(), Math.max(params.minItemsPerUser(), k));
  }

  /** A user's random stream: a function of the seed and the user only. */
  public SplittableRandom userRandom(long user) {
    return new SplittableRandom(params.seed() * 0x9E3779B97F4A7C15L + user * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL);
  }

  /** The distinct items of one user, ascending. */
  public int[] sampleUser(long user) {
    SplittableRandom rnd = userRandom(user);
    double[] pref = dirichlet(rnd, params.clusters(), params.concentration());
    int k = itemsPerUser(rnd);
    int p = params.items();
    if (k * 2 > p) {
      return weightedWithoutReplacement(rnd, pref, k);
    }
    // few items: sample cluster then item, rejecting repeats (expected work O(k))
    boolean[] taken = new boolean[p];
    int[] out = new int[k];
    int n = 0;
    int guard = 0;
    while (n < k) {
      int c = pick(rnd, pref);
      int[] members = clusterItems[c];
      if (members.length == 0) {
        continue;
      }
      int r = Arrays.binarySearch(clusterCdf[c], rnd.nextDouble() * clusterCdf[c][members.length - 1]);
      int item = members[Math.min(members.length - 1, r >= 0 ? r : -r - 1)];
      if (!taken[item]) {
        taken[item] = true;
        out[n++] = item;
      } else if (++guard > 50L * k + 1000) {
        // heavily skewed weights: finish exactly with the weighted-key method
        return weightedWithoutReplacement(rnd, pref, k);
      }
    }
    Arrays.sort(out);
    return out;
  }

  /** Efraimidis-Spirakis: the k largest of u^(1/w) form a weighted sample without replacement. */
  private int[] weightedWithoutReplacement(SplittableRandom rnd, double[] pref, int k) {
    int p = params.items();
    double[] key = new double[p];
    Integer[] idx = new Integer[p];
    for (int i = 0; i < p; i++) {
      double w = pref[clusterOf[i]] * popularity[i];
      key[i] = w > 0 ? Math.log(1.0 - rnd.nextDouble()) / w : Double.NEGATIVE_INFINITY;
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Double.compare(key[b], key[a]));
    int[] out = new int[k];
    for (int j = 0; j < k; j++) {
      out[j] = idx[j];
    }
    Arrays.sort(out);
    return out;
  }

  private static int pick(SplittableRandom rnd, double[] weights) {
    double u = rnd.nextDouble();
    double acc = 0;
    for (int i = 0; i < weights.length; i++) {
      acc += weights[i];
      if (u < acc) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** Dirichlet(alpha,...,alpha) from normalized Gamma(alpha) draws (Marsaglia-Tsang). */
  static double[] dirichlet(SplittableRandom rnd, int n, double alpha) {
    double[] g = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      g[i] = gamma(rnd, alpha);
      sum += g[i];
    }
    if (sum <= 0) {
      Arrays.fill(g, 1.0 / n);
      return g;
    }
    for (int i = 0; i < n; i++) {
      g[i] /= sum;
    }
    return g;
  }

  static double gamma(SplittableRandom rnd, double alpha) {
    if (alpha < 1) {
      double u = 1.0 - rnd.nextDouble();
      return gamma(rnd, alpha + 1) * Math.pow(u, 1.0 / alpha);
    }
    double d = alpha - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = gaussian(rnd);
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = 1.0 - rnd.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  private static double gaussian(SplittableRandom rnd) {
    double u1 = 1.0 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
