package org.cosineaudit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.cosineaudit.train.ClosedFormModels.Rescaling;
import org.junit.jupiter.api.Test;

class ClosedFormModelsTest {

  /** A fixed 8 x 5 interaction matrix with distinct singular values (checked below). */
  private static final int N = 8;
  private static final int P = 5;
  private static final double[] X = {
      1, 1, 0, 0, 1,
      1, 0, 1, 0, 0,
      0, 1, 1, 1, 0,
      1, 1, 1, 0, 0,
      0, 0, 1, 1, 1,
      1, 0, 0, 1, 0,
      0, 1, 0, 0, 1,
      1, 1, 0, 1, 1};

  static double[] gram(double[] x, int n, int p) {
    double[] g = new double[p * p];
    for (int u = 0; u < n; u++) {
      for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) {
          g[i * p + j] += x[u * p + i] * x[u * p + j];
        }
      }
    }
    return g;
  }

  static ItemSpectrum spectrum() {
    return ItemSpectrum.ofGram(gram(X, N, P), P);
  }

  @Test
  void spectrumReconstructsTheGramAndIsFalling() {
    ItemSpectrum s = spectrum();
    double[] g = gram(X, N, P);
    for (int i = 0; i < P; i++) {
      for (int j = 0; j < P; j++) {
        double r = 0;
        for (int c = 0; c < P; c++) {
          r += s.v(i, c) * s.squaredSingularValues()[c] * s.v(j, c);
        }
        assertEquals(g[i * P + j], r, 1e-10, "V diag(s^2) V^T must equal X^T X");
      }
    }
    for (int c = 1; c < P; c++) {
      assertTrue(s.squaredSingularValues()[c - 1] > s.squaredSingularValues()[c] + 1e-3, "distinct, falling");
    }
  }

  @Test
  void eq1ClosedFormIsTheMinimumGradientDescentFinds() {
    ItemSpectrum s = spectrum();
    int k = 2;
    double lambda = 0.5 * s.squaredSingularValues()[1]; // comparable to the kept spectrum: shrinkage matters
    double closed = ClosedFormModels.eq1Loss(X, N, ClosedFormModels.eq1(s, k, lambda, Rescaling.SYMMETRIC), lambda);
    double descended = GradientDescent.minimize(X, N, P, k, lambda, false, 11L);
    // GD stops at gradient norm 1e-9; the loss is then within ~1e-12 relative of the optimum
    assertEquals(closed, descended, 1e-7 * closed, "closed form loss vs gradient descent loss");
  }

  @Test
  void eq2ClosedFormIsTheMinimumGradientDescentFinds() {
    ItemSpectrum s = spectrum();
    int k = 2;
    double lambda = 0.4 * s.singularValue(1);
    double closed = ClosedFormModels.eq2Loss(X, N, ClosedFormModels.eq2(s, k, lambda), lambda);
    double descended = GradientDescent.minimize(X, N, P, k, lambda, true, 12L);
    assertEquals(closed, descended, 1e-7 * closed, "closed form loss vs gradient descent loss");
  }

  @Test
  void gradientDescentFromOtherSeedsNeverBeatsTheClosedForm() {
    ItemSpectrum s = spectrum();
    double lambda = 1.0;
    double eq1 = ClosedFormModels.eq1Loss(X, N, ClosedFormModels.eq1(s, 3, lambda, Rescaling.B_EQUALS_V), lambda);
    double eq2 = ClosedFormModels.eq2Loss(X, N, ClosedFormModels.eq2(s, 3, lambda), lambda);
    for (long seed = 1; seed <= 2; seed++) {
      assertTrue(GradientDescent.minimize(X, N, P, 3, lambda, false, seed) >= eq1 * (1 - 1e-9));
      assertTrue(GradientDescent.minimize(X, N, P, 3, lambda, true, seed) >= eq2 * (1 - 1e-9));
    }
  }

  @Test
  void eq1PredictionsAreIdenticalUnderEveryRescaling() {
    ItemSpectrum s = spectrum();
    double lambda = 2.0;
    double[] ref = ClosedFormModels.eq1(s, 3, lambda, Rescaling.SYMMETRIC).product();
    for (Rescaling r : Rescaling.values()) {
      double[] w = ClosedFormModels.eq1(s, 3, lambda, r).product();
      for (int i = 0; i < w.length; i++) {
        assertEquals(ref[i], w[i], 1e-12, r + " changes A B^T");
      }
      double expected = 0; // A B^T = V_k diag(w) V_k^T, entry (0, 1)
      for (int c = 0; c < 3; c++) {
        expected += s.v(0, c) * ClosedFormModels.eq1Weight(s.squaredSingularValues()[c], lambda) * s.v(1, c);
      }
      assertEquals(expected, w[1], 1e-12);
    }
  }

  @Test
  void eq1CosinesDependOnTheRescaling() {
    ItemSpectrum s = spectrum();
    double a = cosine(ClosedFormModels.eq1(s, 3, 2.0, Rescaling.SYMMETRIC), 0, 1);
    double b = cosine(ClosedFormModels.eq1(s, 3, 2.0, Rescaling.B_EQUALS_V), 0, 1);
    double c = cosine(ClosedFormModels.eq1(s, 3, 2.0, Rescaling.INVERSE_SQRT_SINGULAR), 0, 1);
    assertTrue(Math.abs(a - b) > 1e-3 && Math.abs(b - c) > 1e-3 && Math.abs(a - c) > 1e-3,
        "cosines " + a + ", " + b + ", " + c + " should differ");
  }

  @Test
  void fullRankEq1WithBEqualsVGivesIdentityCosine() {
    ItemSpectrum s = spectrum();
    LinearAutoencoder m = ClosedFormModels.eq1(s, P, 3.0, Rescaling.B_EQUALS_V);
    for (int i = 0; i < P; i++) {
      for (int j = 0; j < P; j++) {
        assertEquals(i == j ? 1.0 : 0.0, cosine(m, i, j), 1e-12);
      }
    }
  }

  @Test
  void eq2CosineIsUnchangedByARotationButPredictionsToo() {
    ItemSpectrum s = spectrum();
    LinearAutoencoder m = ClosedFormModels.eq2(s, 3, 0.5);
    double[] r = ClosedFormModels.randomRotation(3, 5L);
    LinearAutoencoder rotated = m.rotate(r);
    double[] before = m.product();
    double[] after = rotated.product();
    for (int i = 0; i < before.length; i++) {
      assertEquals(before[i], after[i], 1e-12);
    }
    for (int i = 0; i < P; i++) {
      for (int j = 0; j < P; j++) {
        assertEquals(cosine(m, i, j), cosine(rotated, i, j), 1e-12);
      }
    }
    // and R is really a non-trivial rotation
    assertTrue(Math.abs(r[0] - 1.0) > 1e-3);
    double[] rrT = LinearAutoencoder.multiplyTransposed(r, r, 3, 3);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(i == j ? 1.0 : 0.0, rrT[i * 3 + j], 1e-12);
      }
    }
  }

  @Test
  void eq2DropsComponentsAtOrBelowLambda() {
    ItemSpectrum s = spectrum();
    double lambda = (s.singularValue(1) + s.singularValue(2)) / 2;
    assertEquals(2, ClosedFormModels.eq2EffectiveRank(s, 4, lambda));
    LinearAutoencoder m = ClosedFormModels.eq2(s, 4, lambda);
    for (int i = 0; i < P; i++) {
      assertEquals(0.0, Math.abs(m.b()[i * 4 + 2]));
      assertEquals(0.0, Math.abs(m.b()[i * 4 + 3]));
    }
  }

  @Test
  void rankBeyondTheSpectrumAndNegativeLambdaAreRejected() {
    ItemSpectrum s = spectrum();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClosedFormModels.eq1(s, 6, 1.0, Rescaling.SYMMETRIC));
    assertTrue(e.getMessage().contains("got 6"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ClosedFormModels.eq2(s, 2, -1.0));
  }

  static double cosine(LinearAutoencoder m, int i, int j) {
    double dot = 0;
    double ni = 0;
    double nj = 0;
    int k = m.rank();
    for (int c = 0; c < k; c++) {
      double x = m.b()[i * k + c];
      double y = m.b()[j * k + c];
      dot += x * y;
      ni += x * x;
      nj += y * y;
    }
    return dot / Math.sqrt(ni * nj);
  }

  /** Direct minimization of the Eq. 1 / Eq. 2 objectives over (A, B), independent of the closed forms. */
  static final class GradientDescent {

    static double minimize(double[] x, int n, int p, int k, double lambda, boolean eq2, long seed) {
      double[] g = gram(x, n, p);
      SplittableRandom rnd = new SplittableRandom(seed);
      double[] a = new double[p * k];
      double[] b = new double[p * k];
      for (int i = 0; i < a.length; i++) {
        a[i] = 0.3 * (rnd.nextDouble() - 0.5);
        b[i] = 0.3 * (rnd.nextDouble() - 0.5);
      }
      double step = 1e-3;
      double loss = loss(g, p, k, a, b, lambda, eq2);
      for (int iter = 0; iter < 400_000; iter++) {
        double[][] grad = gradient(g, p, k, a, b, lambda, eq2);
        double norm = 0;
        for (double[] gg : grad) {
          for (double v : gg) {
            norm += v * v;
          }
        }
        if (Math.sqrt(norm) < 1e-8) {
          break;
        }
        double[] a2 = a.clone();
        double[] b2 = b.clone();
        for (int i = 0; i < a.length; i++) {
          a2[i] -= step * grad[0][i];
          b2[i] -= step * grad[1][i];
        }
        double l2 = loss(g, p, k, a2, b2, lambda, eq2);
        if (l2 <= loss) { // accept and grow the step; otherwise shrink it
          a = a2;
          b = b2;
          loss = l2;
          step *= 1.1;
        } else {
          step *= 0.5;
        }
      }
      return loss;
    }

    /**
     * The same objectives written through G = X^T X (cheaper per step):
     * ||X - X W||^2 = tr(G) - 2 tr(G W) + tr(W^T G W), ||X A||^2 = tr(A^T G A).
     */
    static double loss(double[] g, int p, int k, double[] a, double[] b, double lambda, boolean eq2) {
      double[] w = LinearAutoencoder.multiplyTransposed(a, b, p, k);
      double[] gw = LinearAutoencoder.multiply(g, w, p, p, p);
      double l = 0;
      for (int i = 0; i < p; i++) {
        l += g[i * p + i];
        for (int j = 0; j < p; j++) {
          l -= 2 * g[i * p + j] * w[j * p + i];
          l += w[j * p + i] * gw[j * p + i];
        }
      }
      if (eq2) {
        double[] ga = LinearAutoencoder.multiply(g, a, p, p, k);
        for (int i = 0; i < a.length; i++) {
          l += lambda * (a[i] * ga[i] + b[i] * b[i]);
        }
      } else {
        for (double v : w) {
          l += lambda * v * v;
        }
      }
      return l;
    }

    /** dL/dA and dL/dB, with G = X^T X and W = A B^T; dL/dW (data term) = 2 (G W - G). */
    static double[][] gradient(double[] g, int p, int k, double[] a, double[] b, double lambda, boolean eq2) {
      double[] w = LinearAutoencoder.multiplyTransposed(a, b, p, k);
      double[] gw = LinearAutoencoder.multiply(g, w, p, p, p);
      double[] dw = new double[p * p];
      for (int i = 0; i < dw.length; i++) {
        dw[i] = 2 * (gw[i] - g[i]) + (eq2 ? 0 : 2 * lambda * w[i]);
      }
      double[] da = LinearAutoencoder.multiply(dw, b, p, p, k);
      double[] dwT = new double[p * p];
      for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) {
          dwT[i * p + j] = dw[j * p + i];
        }
      }
      double[] db = LinearAutoencoder.multiply(dwT, a, p, p, k);
      if (eq2) { // lam ||X A||^2 -> 2 lam G A ; lam ||B||^2 -> 2 lam B
        double[] ga = LinearAutoencoder.multiply(g, a, p, p, k);
        for (int i = 0; i < da.length; i++) {
          da[i] += 2 * lambda * ga[i];
          db[i] += 2 * lambda * b[i];
        }
      }
      return new double[][] {da, db};
    }
  }
}
