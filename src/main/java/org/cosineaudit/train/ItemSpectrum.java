package org.cosineaudit.train;

import dev.ludovic.netlib.lapack.LAPACK;
import java.io.Serializable;
import org.netlib.util.intW;

/**
 * The eigen-decomposition of the item Gram matrix {@code G = X^T X} (p x p), which is the
 * right-singular half of the SVD {@code X = U S V^T}: {@code G = V diag(s_i^2) V^T}.
 *
 * <p>Holds the {@code components} largest eigenvalues {@code s_i^2} in falling order and the
 * matching eigenvectors {@code V} (p x components, row-major: row i belongs to item i).
 * {@code components == items} when the whole spectrum is known (a dense Gram), fewer when it
 * came from a truncated SVD. Plain Java: the closed-form models need nothing else.
 *
 * @param items p, the number of items (rows of V)
 * @param components r, the number of eigenpairs held (columns of V)
 * @param squaredSingularValues s_i^2 = eigenvalues of X^T X, falling, clipped at 0
 * @param vectors V, p x r row-major; columns are orthonormal
 */
public record ItemSpectrum(int items, int components, double[] squaredSingularValues, double[] vectors)
    implements Serializable {

  public ItemSpectrum {
    if (items < 1 || components < 0 || components > items) {
      throw new IllegalArgumentException("need 0 <= components <= items, got " + components + " of " + items);
    }
    if (squaredSingularValues.length != components || vectors.length != (long) items * components) {
      throw new IllegalArgumentException("spectrum arrays do not match " + items + " x " + components);
    }
  }

  /** True when every eigenpair is known (needed for the full-rank claims). */
  public boolean complete() {
    return components == items;
  }

  /** The i-th singular value s_i of X (0-based, falling). */
  public double singularValue(int i) {
    return Math.sqrt(Math.max(0.0, squaredSingularValues[i]));
  }

  /** Component {@code c} of eigenvector for item {@code item}: V[item, c]. */
  public double v(int item, int c) {
    return vectors[item * components + c];
  }

  /** The leading {@code k} eigenpairs (k may not exceed {@link #components()}). */
  public ItemSpectrum truncate(int k) {
    if (k > components) {
      throw new IllegalArgumentException("rank " + k + " exceeds the " + components + " known components");
    }
    double[] v = new double[items * k];
    for (int i = 0; i < items; i++) {
      System.arraycopy(vectors, i * components, v, i * k, k);
    }
    return new ItemSpectrum(items, k, java.util.Arrays.copyOf(squaredSingularValues, k), v);
  }

  /**
   * Full eigen-decomposition of a dense symmetric p x p matrix (LAPACK {@code dsyevd}, through
   * the netlib binding Spark ships; Java F2J unless a native LAPACK is installed). Cost O(p^3):
   * about a second at p = 1,000 in Java, so callers bound p (see {@code --dense-gram-limit}).
   *
   * @param gram the symmetric matrix, column- or row-major (the same for a symmetric matrix);
   *     not modified
   */
  public static ItemSpectrum ofGram(double[] gram, int p) {
    if (gram.length != (long) p * p) {
      throw new IllegalArgumentException("Gram has " + gram.length + " entries, expected " + p + "^2");
    }
    double[] a = gram.clone();
    double[] w = new double[p];
    intW info = new intW(0);
    double[] workQuery = new double[1];
    int[] iworkQuery = new int[1];
    LAPACK lapack = LAPACK.getInstance();
    lapack.dsyevd("V", "U", p, a, p, w, workQuery, -1, iworkQuery, -1, info);
    int lwork = (int) workQuery[0];
    int liwork = iworkQuery[0];
    lapack.dsyevd("V", "U", p, a, p, w, new double[Math.max(1, lwork)], lwork, new int[Math.max(1, liwork)], liwork,
        info);
    if (info.val != 0) {
      throw new IllegalStateException("LAPACK dsyevd failed to converge (info=" + info.val + ") on a " + p + "x" + p
          + " Gram matrix");
    }
    // LAPACK returns ascending eigenvalues, eigenvectors as columns (column-major): reverse both
    double[] values = new double[p];
    double[] v = new double[p * p];
    for (int c = 0; c < p; c++) {
      int src = p - 1 - c;
      values[c] = Math.max(0.0, w[src]); // tiny negatives are rounding: X^T X is PSD
      for (int i = 0; i < p; i++) {
        v[i * p + c] = a[src * p + i];
      }
    }
    canonicalSigns(v, p, p);
    return new ItemSpectrum(p, p, values, v);
  }

  /**
   * Fixes each eigenvector's sign (largest-magnitude entry positive) so results do not depend
   * on the LAPACK build. Cosines are unaffected; factor tables become reproducible.
   */
  static void canonicalSigns(double[] v, int rows, int cols) {
    for (int c = 0; c < cols; c++) {
      int arg = 0;
      double best = -1;
      for (int i = 0; i < rows; i++) {
        double m = Math.abs(v[i * cols + c]);
        if (m > best + 1e-12) {
          best = m;
          arg = i;
        }
      }
      if (v[arg * cols + c] < 0) {
        for (int i = 0; i < rows; i++) {
          v[i * cols + c] = -v[i * cols + c];
        }
      }
    }
  }

  /** A spectrum from given singular values and V (p x r row-major), e.g. a truncated SVD. */
  public static ItemSpectrum ofSvd(double[] singularValues, double[] v, int p) {
    int r = singularValues.length;
    double[] sq = new double[r];
    for (int i = 0; i < r; i++) {
      sq[i] = singularValues[i] * singularValues[i];
    }
    double[] vv = v.clone();
    canonicalSigns(vv, p, r);
    return new ItemSpectrum(p, r, sq, vv);
  }
}
