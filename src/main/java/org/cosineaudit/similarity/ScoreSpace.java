package org.cosineaudit.similarity;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * The map of item vectors into score space: a d x d matrix W with W Wᵀ = G = UᵀU, so that
 * {@code (Wᵀ q_i)·(Wᵀ q_j) = q_iᵀ G q_j}, the inner product of the items' columns of U Vᵀ.
 *
 * <p>W is the Cholesky factor L of G when G is positive definite. When G is singular (user
 * factors of lower rank than d) Cholesky breaks down; W is then the symmetric square root
 * from an eigendecomposition with negative round-off eigenvalues clipped to 0. Both give the
 * same scores, since only W Wᵀ enters them.
 */
public final class ScoreSpace {

  /** Pivots below this fraction of the largest diagonal entry count as singular. */
  static final double SINGULAR_PIVOT = 1e-12;

  private ScoreSpace() {}

  /** A factor and how it was obtained. */
  public record Factor(double[] w, int dim, boolean cholesky) {}

  /**
   * Factors the Gram matrix.
   *
   * @param g d x d symmetric positive semi-definite matrix, row-major (= column-major)
   */
  public static Factor factor(double[] g, int d) {
    double[] l = cholesky(g, d);
    if (l != null) {
      return new Factor(l, d, true);
    }
    return new Factor(symmetricSqrt(g, d), d, false);
  }

  /**
   * Lower Cholesky factor L (row-major, L Lᵀ = G), or null when G is not numerically positive
   * definite.
   */
  static double[] cholesky(double[] g, int d) {
    double maxDiag = 0;
    for (int i = 0; i < d; i++) {
      maxDiag = Math.max(maxDiag, g[i * d + i]);
    }
    if (!(maxDiag > 0)) {
      return null;
    }
    double[] l = new double[d * d];
    for (int j = 0; j < d; j++) {
      double s = g[j * d + j];
      for (int p = 0; p < j; p++) {
        s -= l[j * d + p] * l[j * d + p];
      }
      if (!(s > SINGULAR_PIVOT * maxDiag)) {
        return null;
      }
      double ljj = Math.sqrt(s);
      l[j * d + j] = ljj;
      for (int i = j + 1; i < d; i++) {
        double t = g[i * d + j];
        for (int p = 0; p < j; p++) {
          t -= l[i * d + p] * l[j * d + p];
        }
        l[i * d + j] = t / ljj;
      }
    }
    return l;
  }

  /** Symmetric square root S (S Sᵀ = G) via LAPACK dsyev, eigenvalues clipped at 0. */
  static double[] symmetricSqrt(double[] g, int d) {
    double[] a = g.clone();
    double[] eig = new double[d];
    intW info = new intW(0);
    double[] query = new double[1];
    LAPACK lapack = LAPACK.getInstance();
    lapack.dsyev("V", "U", d, a, d, eig, query, -1, info);
    double[] work = new double[Math.max(1, (int) query[0])];
    lapack.dsyev("V", "U", d, a, d, eig, work, work.length, info);
    if (info.val != 0) {
      throw new IllegalStateException("eigendecomposition of the user Gram matrix failed (LAPACK info " + info.val + ")");
    }
    // a holds eigenvectors as columns (column-major): a[col * d + row]
    double[] s = new double[d * d];
    for (int e = 0; e < d; e++) {
      double root = Math.sqrt(Math.max(0, eig[e]));
      if (root == 0) {
        continue;
      }
      for (int i = 0; i < d; i++) {
        double vi = a[e * d + i] * root;
        for (int j = 0; j < d; j++) {
          s[i * d + j] += vi * a[e * d + j];
        }
      }
    }
    // S = Q Λ^{1/2} Qᵀ is symmetric, so S Sᵀ = Q Λ Qᵀ = G
    return s;
  }

  /** y = Wᵀ x for a row-major d x d W. */
  static void applyTranspose(double[] w, int d, double[] x, double[] y) {
    for (int j = 0; j < d; j++) {
      double s = 0;
      for (int i = 0; i < d; i++) {
        s += w[i * d + j] * x[i];
      }
      y[j] = s;
    }
  }
}
