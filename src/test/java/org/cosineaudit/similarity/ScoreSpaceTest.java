package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScoreSpaceTest {

  @Test
  void choleskyOfAPositiveDefiniteMatrixReproducesIt() {
    double[] g = {4, 2, 0, 2, 5, 1, 0, 1, 3};
    ScoreSpace.Factor f = ScoreSpace.factor(g, 3);
    assertTrue(f.cholesky());
    assertEquals(2.0, f.w()[0], 1e-15); // sqrt(4), by hand
    assertEquals(1.0, f.w()[3], 1e-15); // 2 / 2
    assertEquals(0.0, f.w()[1], 0.0, "lower triangular");
    assertProductIs(g, f.w(), 3);
  }

  @Test
  void singularGramFallsBackToTheSymmetricSquareRoot() {
    // rank 1: u = (1, 2), G = u uᵀ
    double[] g = {1, 2, 2, 4};
    ScoreSpace.Factor f = ScoreSpace.factor(g, 2);
    assertFalse(f.cholesky());
    assertProductIs(g, f.w(), 2);
  }

  private static void assertProductIs(double[] g, double[] w, int d) {
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double s = 0;
        for (int p = 0; p < d; p++) {
          s += w[i * d + p] * w[j * d + p];
        }
        // round-off of a 3x3 factorization of O(1) entries
        assertEquals(g[i * d + j], s, 1e-12, "(" + i + "," + j + ")");
      }
    }
  }
}
