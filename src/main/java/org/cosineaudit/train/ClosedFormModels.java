package org.cosineaudit.train;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The closed-form solutions of the paper's two linear models (Steck, Ekanadham &amp; Kallus
 * 2024, Sec. 2.1-2.2), from the spectrum {@code X^T X = V diag(s_i^2) V^T}. Plain Java.
 *
 * <ul>
 *   <li><b>Eq. 1</b> {@code min ||X - X A B^T||^2 + lam ||A B^T||^2}:
 *       {@code A B^T = V_k diag(w_i) V_k^T} with {@code w_i = 1 / (1 + lam / s_i^2)}. Every
 *       {@code (A1 D, B1 D^-1)} with invertible diagonal D is equally optimal; {@link Rescaling}
 *       names the three the project reports.
 *   <li><b>Eq. 2</b> {@code min ||X - X A B^T||^2 + lam (||X A||^2 + ||B||^2)}:
 *       {@code B = V_k diag(sqrt((s_i - lam)_+))}, {@code A = V_k diag(sqrt((s_i - lam)_+) / s_i)}
 *       (the paper's {@code sqrt(s_i (1 - lam/s_i)_+)} and {@code sqrt((1/s_i)(1 - lam/s_i)_+)}),
 *       unique up to a rotation.
 * </ul>
 *
 * <p>Units: Eq. 1's lam is on the scale of s_i^2, Eq. 2's on the scale of s_i (so lam1 = lam2^2
 * shrinks comparably; the paper's 10,000 and 100). Components with s_i = 0 get weight 0.
 */
public final class ClosedFormModels {

  private ClosedFormModels() {}

  /**
   * The diagonal rescalings of the Eq. 1 solution. With the symmetric solution
   * {@code A1 = B1 = V_k diag(w)^{1/2}}, a rescaling D gives {@code A = A1 D, B = B1 D^-1}.
   */
  public enum Rescaling {
    /** D = I: {@code A = B = V_k diag(w_i)^{1/2}}. */
    SYMMETRIC("eq1-symmetric", "Eq. 1, D = I: A = B = V_k diag(w)^1/2"),
    /** D = diag(w_i)^{1/2}: {@code A = V_k diag(w_i)}, {@code B = V_k}. */
    B_EQUALS_V("eq1-b-equals-v", "Eq. 1, D = diag(w)^1/2: B = V_k"),
    /**
     * D = diag(s_i^{-1/2}) with s_i the singular values of X:
     * {@code A = V_k diag(w_i^{1/2} s_i^{-1/2})}, {@code B = V_k diag(w_i^{1/2} s_i^{1/2})}.
     */
    INVERSE_SQRT_SINGULAR("eq1-d-inv-sqrt-s", "Eq. 1, D = diag(s)^-1/2: B = V_k diag(w s)^1/2");

    private final String id;
    private final String title;

    Rescaling(String id, String title) {
      this.id = id;
      this.title = title;
    }

    /** The variant id used in output paths ({@code neighbours/<id>/...}). */
    public String id() {
      return id;
    }

    /** A human title (figure panels, claims). */
    public String title() {
      return title;
    }
  }

  /** Eq. 1's shrinkage {@code w = s^2 / (s^2 + lam)}; 0 for a zero singular value. */
  public static double eq1Weight(double squaredSingular, double lambda) {
    if (squaredSingular <= 0) {
      return 0.0;
    }
    return squaredSingular / (squaredSingular + lambda);
  }

  /**
   * The Eq. 1 solution at rank k under a rescaling.
   *
   * @throws IllegalArgumentException when k exceeds the spectrum's known components or lam < 0
   */
  public static LinearAutoencoder eq1(ItemSpectrum spectrum, int k, double lambda, Rescaling rescaling) {
    checkArgs(spectrum, k, lambda);
    double[] aScale = new double[k];
    double[] bScale = new double[k];
    for (int c = 0; c < k; c++) {
      double s2 = spectrum.squaredSingularValues()[c];
      double w = eq1Weight(s2, lambda);
      switch (rescaling) {
        case SYMMETRIC -> {
          aScale[c] = Math.sqrt(w);
          bScale[c] = Math.sqrt(w);
        }
        case B_EQUALS_V -> {
          aScale[c] = w;
          bScale[c] = 1.0;
        }
        case INVERSE_SQRT_SINGULAR -> {
          // sqrt(w) * s^-1/2 = sqrt(s) / sqrt(s^2 + lam); written so that s = 0 gives 0, not 0 * inf
          double s = Math.sqrt(Math.max(0, s2));
          double denom = Math.sqrt(s2 + lambda);
          aScale[c] = s > 0 ? Math.sqrt(s) / denom : 0.0;
          bScale[c] = s > 0 ? s * Math.sqrt(s) / denom : 0.0;
        }
      }
    }
    return scaled(spectrum, k, aScale, bScale);
  }

  /** The Eq. 2 solution at rank k (components with s_i <= lam vanish). */
  public static LinearAutoencoder eq2(ItemSpectrum spectrum, int k, double lambda) {
    checkArgs(spectrum, k, lambda);
    double[] aScale = new double[k];
    double[] bScale = new double[k];
    for (int c = 0; c < k; c++) {
      double s = spectrum.singularValue(c);
      double kept = Math.max(0.0, s - lambda); // s (1 - lam/s)_+
      bScale[c] = Math.sqrt(kept);
      aScale[c] = s > 0 ? Math.sqrt(kept) / s : 0.0;
    }
    return scaled(spectrum, k, aScale, bScale);
  }

  /** Number of components Eq. 2 keeps at this lam (s_i > lam). */
  public static int eq2EffectiveRank(ItemSpectrum spectrum, int k, double lambda) {
    int n = 0;
    for (int c = 0; c < Math.min(k, spectrum.components()); c++) {
      if (spectrum.singularValue(c) > lambda) {
        n++;
      }
    }
    return n;
  }

  /** Eq. 1 objective for a dense X (n x p row-major); for tests and checks on small data. */
  public static double eq1Loss(double[] x, int n, LinearAutoencoder m, double lambda) {
    double[] w = m.product();
    return residual(x, n, m.items(), w) + lambda * sumSquares(w);
  }

  /** Eq. 2 objective for a dense X (n x p row-major). */
  public static double eq2Loss(double[] x, int n, LinearAutoencoder m, double lambda) {
    double[] xa = LinearAutoencoder.multiply(x, m.a(), n, m.items(), m.rank());
    return residual(x, n, m.items(), m.product()) + lambda * (sumSquares(xa) + sumSquares(m.b()));
  }

  /**
   * A uniformly random k x k rotation (row-major): Gram-Schmidt on a Gaussian matrix, with the
   * sign fix that makes it Haar-distributed. Deterministic for a seed.
   */
  public static double[] randomRotation(int k, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] q = new double[k * k]; // columns are built one by one; stored row-major
    for (int c = 0; c < k; c++) {
      double[] col = new double[k];
      for (int i = 0; i < k; i++) {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        col[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      }
      for (int prev = 0; prev < c; prev++) { // modified Gram-Schmidt, twice for stability
        for (int pass = 0; pass < 2; pass++) {
          double dot = 0;
          for (int i = 0; i < k; i++) {
            dot += col[i] * q[i * k + prev];
          }
          for (int i = 0; i < k; i++) {
            col[i] -= dot * q[i * k + prev];
          }
        }
      }
      double norm = 0;
      for (double v : col) {
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < k; i++) {
        q[i * k + c] = col[i] / norm;
      }
    }
    return q;
  }

  private static LinearAutoencoder scaled(ItemSpectrum spectrum, int k, double[] aScale, double[] bScale) {
    int p = spectrum.items();
    double[] a = new double[p * k];
    double[] b = new double[p * k];
    for (int i = 0; i < p; i++) {
      for (int c = 0; c < k; c++) {
        double v = spectrum.v(i, c);
        a[i * k + c] = v * aScale[c];
        b[i * k + c] = v * bScale[c];
      }
    }
    return new LinearAutoencoder(p, k, a, b);
  }

  private static void checkArgs(ItemSpectrum spectrum, int k, double lambda) {
    if (k < 1 || k > spectrum.components()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "rank must be in [1, %d] (the known components of X^T X), got %d", spectrum.components(), k));
    }
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be a finite number >= 0, got " + lambda);
    }
  }

  private static double residual(double[] x, int n, int p, double[] w) {
    double[] xw = LinearAutoencoder.multiply(x, w, n, p, p);
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - xw[i];
      s += d * d;
    }
    return s;
  }

  private static double sumSquares(double[] m) {
    double s = 0;
    for (double v : m) {
      s += v * v;
    }
    return s;
  }
}
