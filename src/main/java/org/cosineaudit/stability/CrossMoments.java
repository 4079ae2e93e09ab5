package org.cosineaudit.stability;

import java.io.Serializable;

/**
 * Mergeable centered second moments of paired vectors (x from space A, y from space B, for
 * the same id): means and the co-moment matrices Sxx = sum (x - mx)(x - mx)^T, Syy, Sxy.
 * Updated row by row (Welford) and merged exactly as Chan et al.'s parallel formula says, so
 * executors summarize their ids and the driver only merges dA x dB matrices.
 *
 * <p>From them, over the shared ids:
 * <ul>
 *   <li>linear CKA (Kornblith et al. 2019) = ||Sxy||_F^2 / (||Sxx||_F ||Syy||_F): 1 when one
 *       space is a rotation and isotropic scaling of the other; NOT invariant to per-dimension
 *       rescaling, which is exactly what the paper's gauge freedom does;</li>
 *   <li>the orthogonal Procrustes residual of the centered spaces scaled to unit Frobenius
 *       norm: min over orthogonal R of ||X R - Y||_F^2 = 2 - 2 ||X^T Y||_* (the nuclear
 *       norm; spaces of different dimension are padded with zeros), in [0, 2], 0 = equal up
 *       to rotation and scale.</li>
 * </ul>
 */
final class CrossMoments implements Serializable {

  private static final long serialVersionUID = 1L;

  final int dx;
  final int dy;
  long n;
  final double[] mx;
  final double[] my;
  final double[] sxx;
  final double[] syy;
  final double[] sxy;

  CrossMoments(int dx, int dy) {
    this.dx = dx;
    this.dy = dy;
    mx = new double[dx];
    my = new double[dy];
    sxx = new double[dx * dx];
    syy = new double[dy * dy];
    sxy = new double[dx * dy];
  }

  /** Adds one id's pair of vectors. */
  void add(double[] x, double[] y) {
    n++;
    double[] ddx = new double[dx];
    double[] ddy = new double[dy];
    for (int i = 0; i < dx; i++) {
      ddx[i] = x[i] - mx[i];
      mx[i] += ddx[i] / n;
    }
    for (int j = 0; j < dy; j++) {
      ddy[j] = y[j] - my[j];
      my[j] += ddy[j] / n;
    }
    // Welford: S += (v - mean_old)(w - mean_new)^T
    for (int i = 0; i < dx; i++) {
      for (int j = 0; j < dx; j++) {
        sxx[i * dx + j] += ddx[i] * (x[j] - mx[j]);
      }
      for (int j = 0; j < dy; j++) {
        sxy[i * dy + j] += ddx[i] * (y[j] - my[j]);
      }
    }
    for (int i = 0; i < dy; i++) {
      for (int j = 0; j < dy; j++) {
        syy[i * dy + j] += ddy[i] * (y[j] - my[j]);
      }
    }
  }

  /** Merges {@code o} into this (Chan et al.): S = Sa + Sb + (na nb / n) d d^T. */
  CrossMoments merge(CrossMoments o) {
    if (o.n == 0) {
      return this;
    }
    if (n == 0) {
      n = o.n;
      System.arraycopy(o.mx, 0, mx, 0, dx);
      System.arraycopy(o.my, 0, my, 0, dy);
      System.arraycopy(o.sxx, 0, sxx, 0, sxx.length);
      System.arraycopy(o.syy, 0, syy, 0, syy.length);
      System.arraycopy(o.sxy, 0, sxy, 0, sxy.length);
      return this;
    }
    long total = n + o.n;
    double f = (double) n * o.n / total;
    double[] ddx = new double[dx];
    double[] ddy = new double[dy];
    for (int i = 0; i < dx; i++) {
      ddx[i] = o.mx[i] - mx[i];
    }
    for (int j = 0; j < dy; j++) {
      ddy[j] = o.my[j] - my[j];
    }
    for (int i = 0; i < dx; i++) {
      for (int j = 0; j < dx; j++) {
        sxx[i * dx + j] += o.sxx[i * dx + j] + f * ddx[i] * ddx[j];
      }
      for (int j = 0; j < dy; j++) {
        sxy[i * dy + j] += o.sxy[i * dy + j] + f * ddx[i] * ddy[j];
      }
    }
    for (int i = 0; i < dy; i++) {
      for (int j = 0; j < dy; j++) {
        syy[i * dy + j] += o.syy[i * dy + j] + f * ddy[i] * ddy[j];
      }
    }
    for (int i = 0; i < dx; i++) {
      mx[i] += ddx[i] * o.n / total;
    }
    for (int j = 0; j < dy; j++) {
      my[j] += ddy[j] * o.n / total;
    }
    n = total;
    return this;
  }

  /** Linear CKA; NaN when either space has no variance. */
  double cka() {
    double cross = frobenius2(sxy);
    double xx = Math.sqrt(frobenius2(sxx));
    double yy = Math.sqrt(frobenius2(syy));
    return xx == 0 || yy == 0 ? Double.NaN : cross / (xx * yy);
  }

  /** Normalized orthogonal Procrustes residual in [0, 2]; NaN when either space has no variance. */
  double procrustes() {
    double tx = trace(sxx, dx);
    double ty = trace(syy, dy);
    if (tx <= 0 || ty <= 0) {
      return Double.NaN;
    }
    // singular values of Sxy = square roots of the eigenvalues of Sxy^T Sxy (dy x dy)
    double[] g = new double[dy * dy];
    for (int a = 0; a < dy; a++) {
      for (int b = a; b < dy; b++) {
        double s = 0;
        for (int i = 0; i < dx; i++) {
          s += sxy[i * dy + a] * sxy[i * dy + b];
        }
        g[a * dy + b] = s;
        g[b * dy + a] = s;
      }
    }
    double nuclear = 0;
    for (double ev : SymmetricEigen.eigenvalues(g, dy)) {
      nuclear += Math.sqrt(Math.max(0, ev));
    }
    return Math.max(0, 2 - 2 * nuclear / Math.sqrt(tx * ty));
  }

  private static double frobenius2(double[] m) {
    double s = 0;
    for (double v : m) {
      s += v * v;
    }
    return s;
  }

  private static double trace(double[] m, int d) {
    double s = 0;
    for (int i = 0; i < d; i++) {
      s += m[i * d + i];
    }
    return s;
  }
}
