package org.cosineaudit.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class UnitVectorMomentsTest {

  @Test
  void meanPairCosineOfThreeHandCheckedVectors() {
    // unit vectors e1, e2 and (e1 + e2)/sqrt2 (given unnormalized as (3, 3)):
    // cosines 0, 1/sqrt2, 1/sqrt2 -> mean sqrt2/3
    UnitVectorMoments m = new UnitVectorMoments(2);
    m.add(new double[] {2, 0});
    m.add(new double[] {0, 5});
    m.add(new double[] {3, 3});
    assertEquals(Math.sqrt(2) / 3, m.meanPairCosine(), 1e-12);
  }

  @Test
  void mergeEqualsOneAccumulatorAndMatchesBruteForce() {
    Random r = new Random(7);
    int d = 5;
    double[][] vs = new double[40][d];
    for (double[] v : vs) {
      for (int j = 0; j < d; j++) {
        v[j] = r.nextGaussian() + 0.5;
      }
    }
    UnitVectorMoments all = new UnitVectorMoments(d);
    UnitVectorMoments a = new UnitVectorMoments(d);
    UnitVectorMoments b = new UnitVectorMoments(d);
    for (int i = 0; i < vs.length; i++) {
      all.add(vs[i]);
      (i % 3 == 0 ? a : b).add(vs[i]);
    }
    a.merge(b);
    double brute = 0;
    for (int i = 0; i < vs.length; i++) {
      for (int j = 0; j < vs.length; j++) {
        if (i != j) {
          brute += cos(vs[i], vs[j]);
        }
      }
    }
    brute /= vs.length * (vs.length - 1.0);
    assertEquals(brute, all.meanPairCosine(), 1e-12);
    assertEquals(all.meanPairCosine(), a.meanPairCosine(), 1e-12);
    assertEquals(all.firstComponentShare(), a.firstComponentShare(), 1e-12);
  }

  @Test
  void firstComponentShareIsOneOnALineAndAHalfForTwoOrthogonalPairs() {
    UnitVectorMoments line = new UnitVectorMoments(3);
    line.add(new double[] {1, 0, 0});
    line.add(new double[] {-2, 0, 0});
    assertEquals(1.0, line.firstComponentShare(), 1e-12);
    // +-e1, +-e2: covariance diag(1/2, 1/2, 0), share 1/2
    UnitVectorMoments cross = new UnitVectorMoments(3);
    cross.add(new double[] {1, 0, 0});
    cross.add(new double[] {-1, 0, 0});
    cross.add(new double[] {0, 1, 0});
    cross.add(new double[] {0, -1, 0});
    assertEquals(0.5, cross.firstComponentShare(), 1e-12);
    assertEquals(-1.0 / 3, cross.meanPairCosine(), 1e-12);
  }

  @Test
  void zeroAndWrongLengthVectorsAreRefusedNotDivided() {
    UnitVectorMoments m = new UnitVectorMoments(2);
    assertThrows(IllegalArgumentException.class, () -> m.add(new double[] {0, 0}));
    assertThrows(IllegalArgumentException.class, () -> m.add(new double[] {1, 0, 0}));
    assertTrue(Double.isNaN(m.meanPairCosine()));
  }

  private static double cos(double[] a, double[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  @Test
  void covarianceEigenvaluesMatchLapackOnARandom40DimensionalCloud() {
    // the driver's Jacobi solver (same bits on every machine) against LAPACK's dsyev
    int d = 40;
    Random rnd = new Random(17);
    UnitVectorMoments m = new UnitVectorMoments(d);
    for (int i = 0; i < 500; i++) {
      double[] v = new double[d];
      for (int j = 0; j < d; j++) {
        v[j] = rnd.nextGaussian() * (1 + j % 5) + (j == 0 ? 3 : 0);
      }
      m.add(v);
    }
    double[] a = m.covariance();
    double[] w = new double[d];
    double[] work = new double[3 * d];
    org.netlib.util.intW info = new org.netlib.util.intW(0);
    dev.ludovic.netlib.lapack.LAPACK.getInstance().dsyev("N", "U", d, a, d, w, work, work.length, info);
    assertEquals(0, info.val);
    double[] ours = m.covarianceEigenvalues();
    for (int i = 0; i < d; i++) {
      assertEquals(Math.max(0, w[d - 1 - i]), ours[i], 1e-12 * w[d - 1], "eigenvalue " + i);
    }
  }
}
