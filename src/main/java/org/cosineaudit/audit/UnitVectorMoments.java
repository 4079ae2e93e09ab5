package org.cosineaudit.audit;

import java.io.Serializable;
import java.util.Arrays;
import org.cosineaudit.stability.SymmetricEigen;

/**
 * First and second moments of unit-normalized vectors, mergeable across partitions: the count,
 * the sum of the unit vectors and the sum of their outer products (d x d, upper triangle).
 * From these the driver gets the exact anisotropy measures without ever seeing a vector:
 *
 * <ul>
 *   <li>{@link #meanPairCosine()}: the mean cosine over all n(n-1) ordered pairs of distinct
 *       items, exactly, from |sum|^2 = n + sum_{i != j} cos(i, j);
 *   <li>{@link #firstComponentShare()}: the largest eigenvalue of the covariance of the unit
 *       vectors over its trace (1/d for an isotropic space, 1 for a line).
 * </ul>
 *
 * <p>Cost: O(d^2) per vector (8,256 multiply-adds at d = 128) and 8 d^2 bytes of state per
 * partition (128 KiB at d = 128). Not thread-safe; one per partition.
 */
public final class UnitVectorMoments implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int d;
  private long n;
  private final double[] sum;
  /** Row-major d x d; only the upper triangle (j >= i) is accumulated. */
  private final double[] outer;

  public UnitVectorMoments(int d) {
    if (d < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + d);
    }
    this.d = d;
    this.sum = new double[d];
    this.outer = new double[d * d];
  }

  public int dimension() {
    return d;
  }

  public long count() {
    return n;
  }

  /**
   * Adds a vector after scaling it to unit length. The caller excludes zero and non-finite
   * vectors (integrity reports them); they are refused here rather than divided by zero.
   */
  public void add(double[] v) {
    if (v.length != d) {
      throw new IllegalArgumentException("vector has " + v.length + " components, expected " + d);
    }
    double sq = 0;
    for (double x : v) {
      sq += x * x;
    }
    if (!(sq > 0) || Double.isInfinite(sq)) {
      throw new IllegalArgumentException("vector norm must be finite and > 0, got sqrt(" + sq + ")");
    }
    double inv = 1.0 / Math.sqrt(sq);
    double[] u = new double[d];
    for (int i = 0; i < d; i++) {
      u[i] = v[i] * inv;
      sum[i] += u[i];
    }
    for (int i = 0; i < d; i++) {
      double ui = u[i];
      int row = i * d;
      for (int j = i; j < d; j++) {
        outer[row + j] += ui * u[j];
      }
    }
    n++;
  }

  /** Adds {@code other} into this one and returns this. */
  public UnitVectorMoments merge(UnitVectorMoments other) {
    if (other.d != d) {
      throw new IllegalArgumentException("cannot merge moments of dimension " + other.d + " into " + d);
    }
    n += other.n;
    for (int i = 0; i < d; i++) {
      sum[i] += other.sum[i];
    }
    for (int i = 0; i < outer.length; i++) {
      outer[i] += other.outer[i];
    }
    return this;
  }

  /** Mean cosine over pairs of distinct items; NaN with fewer than two vectors. */
  public double meanPairCosine() {
    if (n < 2) {
      return Double.NaN;
    }
    double s2 = 0;
    for (double x : sum) {
      s2 += x * x;
    }
    return (s2 - n) / ((double) n * (n - 1));
  }

  /** The covariance (population) of the unit vectors, full symmetric d x d, column-major. */
  double[] covariance() {
    double[] c = new double[d * d];
    for (int i = 0; i < d; i++) {
      double mi = sum[i] / n;
      for (int j = i; j < d; j++) {
        double v = outer[i * d + j] / n - mi * (sum[j] / n);
        c[i * d + j] = v;
        c[j * d + i] = v;
      }
    }
    return c;
  }

  /**
   * Eigenvalues of the covariance, descending, clipped at 0. Computed on the driver with the
   * project's Jacobi solver ({@link SymmetricEigen}), not LAPACK: plain Java gives the same bits
   * on every driver machine, where native and Java LAPACK may differ in the last ones. O(d^3),
   * some tens of milliseconds at d = 128.
   */
  public double[] covarianceEigenvalues() {
    if (n < 2) {
      return new double[0];
    }
    double[] w = SymmetricEigen.eigenvalues(covariance(), d);
    Arrays.sort(w);
    double[] desc = new double[d];
    for (int i = 0; i < d; i++) {
      desc[i] = Math.max(0, w[d - 1 - i]);
    }
    return desc;
  }

  /**
   * Largest covariance eigenvalue over the total variance; NaN when there is no variance at all
   * (fewer than two vectors, or every vector pointing the same way: {@link #meanPairCosine()} is
   * 1 then and catches it).
   */
  public double firstComponentShare() {
    double[] ev = covarianceEigenvalues();
    double total = 0;
    for (double e : ev) {
      total += e;
    }
    return ev.length == 0 || total < 1e-12 ? Double.NaN : ev[0] / total;
  }
}
