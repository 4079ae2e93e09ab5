package org.cosineaudit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.data.GenerateJob;
import org.cosineaudit.run.InputException;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

class InteractionMatrixTest {

  private static Dataset<Row> interactions(List<Row> rows) {
    return SparkTestSession.get().createDataFrame(rows, GenerateJob.INTERACTIONS_SCHEMA);
  }

  /** users u0..u3 x items a, b, c (hand-checkable Gram). */
  private static List<Row> handFixture() {
    return List.of(
        RowFactory.create("u0", "a", 1.0, null), RowFactory.create("u0", "b", 1.0, null),
        RowFactory.create("u1", "b", 1.0, null), RowFactory.create("u1", "c", 2.0, null),
        RowFactory.create("u2", "a", 1.0, null),
        RowFactory.create("u3", "a", 1.0, null), RowFactory.create("u3", "b", 1.0, null),
        RowFactory.create("u3", "c", 1.0, null));
  }

  @Test
  void denseGramSpectrumReconstructsTheHandComputedGram() {
    InteractionMatrix.Indexed x = InteractionMatrix.build(SparkTestSession.get(), interactions(handFixture()));
    try {
      assertEquals(List.of("a", "b", "c"), x.itemIds());
      assertEquals(4, x.users());
      assertEquals(8, x.interactions());
      ItemSpectrum s = InteractionMatrix.spectrum(x, 3, 10).spectrum();
      // X^T X by hand: a:(1,0,1,1) b:(1,1,0,1) c:(0,2,0,1)
      double[][] g = {{3, 2, 1}, {2, 3, 3}, {1, 3, 5}};
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          double r = 0;
          for (int c = 0; c < 3; c++) {
            r += s.v(i, c) * s.squaredSingularValues()[c] * s.v(j, c);
          }
          assertEquals(g[i][j], r, 1e-9);
        }
      }
      assertTrue(s.complete());
    } finally {
      x.release();
    }
  }

  @Test
  void truncatedSvdAgreesWithTheDenseSpectrumAboveTheLimit() {
    SplittableRandom rnd = new SplittableRandom(3);
    List<Row> rows = new ArrayList<>();
    for (int u = 0; u < 200; u++) {
      for (int i = 0; i < 40; i++) {
        if (rnd.nextDouble() < (i < 20 ? 0.3 : 0.1)) {
          rows.add(RowFactory.create("u" + u, "i" + i, 1.0, null));
        }
      }
    }
    SparkSession spark = SparkTestSession.get();
    InteractionMatrix.Indexed x = InteractionMatrix.build(spark, interactions(rows));
    try {
      InteractionMatrix.Spectrum dense = InteractionMatrix.spectrum(x, 5, 40);
      InteractionMatrix.Spectrum svd = InteractionMatrix.spectrum(x, 5, 39);
      assertEquals(InteractionMatrix.SpectrumMethod.DENSE_GRAM, dense.method());
      assertEquals(InteractionMatrix.SpectrumMethod.TRUNCATED_SVD, svd.method());
      assertEquals(5, svd.spectrum().components());
      for (int c = 0; c < 5; c++) {
        double sd = dense.spectrum().squaredSingularValues()[c];
        assertEquals(sd, svd.spectrum().squaredSingularValues()[c], 1e-6 * sd, "eigenvalue " + c);
        // same eigenvector up to rounding (signs are canonicalized)
        for (int i = 0; i < 40; i++) {
          assertEquals(dense.spectrum().v(i, c), svd.spectrum().v(i, c), 1e-5, "V[" + i + "," + c + "]");
        }
      }
    } finally {
      x.release();
    }
  }

  @Test
  void userFactorsAreXTimesA() {
    SparkSession spark = SparkTestSession.get();
    InteractionMatrix.Indexed x = InteractionMatrix.build(spark, interactions(handFixture()));
    try {
      // A = [[1, 0], [0, 1], [1, 1]] (items a, b, c), B irrelevant
      LinearAutoencoder m = new LinearAutoencoder(3, 2, new double[] {1, 0, 0, 1, 1, 1}, new double[6]);
      List<Row> f = InteractionMatrix.userFactors(spark, x, m).orderBy("id").collectAsList();
      assertEquals("u1", f.get(1).getString(0));
      List<Float> u1 = f.get(1).getList(1); // x = (0, 1, 2): (0 + 0 + 2, 0 + 1 + 2)
      assertEquals(List.of(2.0f, 3.0f), u1);
    } finally {
      x.release();
    }
  }

  @Test
  void duplicatePairIsRejectedNamingUserAndItem() {
    List<Row> rows = new ArrayList<>(handFixture());
    rows.add(RowFactory.create("u2", "a", 1.0, null));
    InteractionMatrix.Indexed x = null;
    Exception e = assertThrows(Exception.class, () -> InteractionMatrix.build(SparkTestSession.get(),
        interactions(rows)));
    Throwable t = e;
    while (!(t instanceof InputException) && t.getCause() != null) {
      t = t.getCause();
    }
    assertTrue(t instanceof InputException, "an InputException in the cause chain: " + e);
    assertTrue(t.getMessage().contains("'u2'") && t.getMessage().contains("'a'"), t.getMessage());
  }

  @Test
  void missingValueIsRejectedNamingUserAndItemNotPairedWithTheNextItem() {
    List<Row> rows = new ArrayList<>(handFixture());
    rows.add(RowFactory.create("u2", "zz", null, null)); // e.g. an empty cell of a CSV table
    org.apache.spark.sql.types.StructType nullable = new org.apache.spark.sql.types.StructType()
        .add("user", "string").add("item", "string").add("value", "double").add("timestamp", "long");
    Exception e = assertThrows(Exception.class, () -> InteractionMatrix.build(SparkTestSession.get(),
        SparkTestSession.get().createDataFrame(rows, nullable)));
    Throwable t = e;
    while (!(t instanceof InputException) && t.getCause() != null) {
      t = t.getCause();
    }
    assertTrue(t instanceof InputException, "an InputException in the cause chain: " + e);
    assertTrue(t.getMessage().contains("user 'u2' with item 'zz' has value null"), t.getMessage());
  }
}
