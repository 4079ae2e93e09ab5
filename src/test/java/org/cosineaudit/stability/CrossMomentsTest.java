package org.cosineaudit.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrossMomentsTest {

  static CrossMoments of(double[][] x, double[][] y) {
    CrossMoments m = new CrossMoments(x[0].length, y[0].length);
    for (int i = 0; i < x.length; i++) {
      m.add(x[i], y[i]);
    }
    return m;
  }

  static double[][] random(Random rnd, int n, int d) {
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        row[j] = rnd.nextGaussian() + 3; // an offset: centering must remove it
      }
    }
    return x;
  }

  static double[][] times(double[][] x, double[][] r) {
    double[][] y = new double[x.length][r[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < r[0].length; j++) {
        for (int k = 0; k < r.length; k++) {
          y[i][j] += x[i][k] * r[k][j];
        }
      }
    }
    return y;
  }

  /** A rotation by angle t in the plane of the first two axes of 3-space. */
  static double[][] rotation(double t) {
    return new double[][] {{Math.cos(t), -Math.sin(t), 0}, {Math.sin(t), Math.cos(t), 0}, {0, 0, 1}};
  }

  @Test
  void handComputedCkaAndProcrustesOfAProjection() {
    // X: the four unit points of the plane (centered); Y: their first coordinate.
    // Sxx = diag(2, 2), Syy = [2], Sxy = [2, 0]^T: CKA = 4 / (sqrt(8) * 2); Procrustes = 2 - 2 * 2 / sqrt(4 * 2)
    double[][] x = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    double[][] y = {{1}, {0}, {-1}, {0}};
    CrossMoments m = of(x, y);
    assertEquals(4 / (Math.sqrt(8) * 2), m.cka(), 1e-12);
    assertEquals(2 - 4 / Math.sqrt(8), m.procrustes(), 1e-12);
  }

  @Test
  void rotationAndIsotropicScalingLeaveBothUnchangedDiagonalRescalingDoesNot() {
    Random rnd = new Random(3);
    double[][] x = random(rnd, 200, 3);
    double[][] rotated = times(x, rotation(0.7));
    double[][] scaled = times(rotated, new double[][] {{2.5, 0, 0}, {0, 2.5, 0}, {0, 0, 2.5}});
    assertEquals(1.0, of(x, rotated).cka(), 1e-10);
    assertEquals(0.0, of(x, rotated).procrustes(), 1e-10);
    assertEquals(1.0, of(x, scaled).cka(), 1e-10);
    assertEquals(0.0, of(x, scaled).procrustes(), 1e-10);
    double[][] rescaled = times(x, new double[][] {{5, 0, 0}, {0, 1, 0}, {0, 0, 0.2}});
    CrossMoments d = of(x, rescaled);
    assertTrue(d.cka() < 0.9, "diagonal rescaling changes CKA: " + d.cka());
    assertTrue(d.procrustes() > 0.1, "and the Procrustes residual: " + d.procrustes());
  }

  @Test
  void ckaMatchesTheDefinitionOnExplicitlyCenteredMatrices() {
    Random rnd = new Random(5);
    double[][] x = random(rnd, 50, 4);
    double[][] y = random(rnd, 50, 2);
    double[][] xc = center(x);
    double[][] yc = center(y);
    double cross = frob2(times(transpose(yc), xc));
    double expected = cross / Math.sqrt(frob2(times(transpose(xc), xc)) * frob2(times(transpose(yc), yc)));
    assertEquals(expected, of(x, y).cka(), 1e-10);
  }

  @Test
  void mergedPartialsEqualOneSequentialPass() {
    Random rnd = new Random(9);
    double[][] x = random(rnd, 101, 3);
    double[][] y = random(rnd, 101, 2);
    CrossMoments whole = of(x, y);
    CrossMoments left = of(Arrays.copyOfRange(x, 0, 40), Arrays.copyOfRange(y, 0, 40));
    CrossMoments right = of(Arrays.copyOfRange(x, 40, 101), Arrays.copyOfRange(y, 40, 101));
    CrossMoments merged = left.merge(right);
    assertEquals(whole.n, merged.n);
    assertArrayEquals(whole.sxy, merged.sxy, 1e-9);
    assertArrayEquals(whole.sxx, merged.sxx, 1e-9);
    assertArrayEquals(whole.my, merged.my, 1e-12);
    assertEquals(whole.cka(), merged.cka(), 1e-12);
    assertEquals(whole.procrustes(), merged.procrustes(), 1e-12);
  }

  @Test
  void jacobiEigenvaluesOfAKnownMatrix() {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3
    double[] ev = SymmetricEigen.eigenvalues(new double[] {2, 1, 1, 2}, 2);
    Arrays.sort(ev);
    assertArrayEquals(new double[] {1, 3}, ev, 1e-12);
  }

  static double[][] center(double[][] x) {
    double[][] c = new double[x.length][x[0].length];
    for (int j = 0; j < x[0].length; j++) {
      double m = 0;
      for (double[] row : x) {
        m += row[j];
      }
      m /= x.length;
      for (int i = 0; i < x.length; i++) {
        c[i][j] = x[i][j] - m;
      }
    }
    return c;
  }

  static double[][] transpose(double[][] x) {
    double[][] t = new double[x[0].length][x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[0].length; j++) {
        t[j][i] = x[i][j];
      }
    }
    return t;
  }

  static double frob2(double[][] m) {
    double s = 0;
    for (double[] row : m) {
      for (double v : row) {
        s += v * v;
      }
    }
    return s;
  }
}
