package org.cosineaudit.stability;

/**
 * Eigenvalues of a small symmetric matrix by the cyclic Jacobi method: robust, no
 * dependencies, accurate to rounding for the k x k matrices (k &lt;= a few hundred) of
 * {@link CrossMoments} and the audit's covariance. O(k^3) per sweep, usually under 10 sweeps.
 * Plain Java: the same bits on every machine, unlike LAPACK, whose native and Java builds may
 * differ in the last bits.
 */
public final class SymmetricEigen {

  private static final int MAX_SWEEPS = 100;

  private SymmetricEigen() {}

  /** Eigenvalues of the symmetric {@code n x n} matrix {@code a} (row-major, not modified). */
  public static double[] eigenvalues(double[] a, int n) {
    double[] m = a.clone();
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      double off = 0;
      double diag = 0;
      for (int i = 0; i < n; i++) {
        diag += m[i * n + i] * m[i * n + i];
        for (int j = i + 1; j < n; j++) {
          off += m[i * n + j] * m[i * n + j];
        }
      }
      if (off <= 1e-30 * Math.max(diag, Double.MIN_NORMAL)) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          double apq = m[p * n + q];
          if (apq == 0) {
            continue;
          }
          double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) { // columns p, q
            double mkp = m[k * n + p];
            double mkq = m[k * n + q];
            m[k * n + p] = c * mkp - s * mkq;
            m[k * n + q] = s * mkp + c * mkq;
          }
          for (int k = 0; k < n; k++) { // rows p, q
            double mpk = m[p * n + k];
            double mqk = m[q * n + k];
            m[p * n + k] = c * mpk - s * mqk;
            m[q * n + k] = s * mpk + c * mqk;
          }
        }
      }
    }
    double[] ev = new double[n];
    for (int i = 0; i < n; i++) {
      ev[i] = m[i * n + i];
    }
    return ev;
  }
}
