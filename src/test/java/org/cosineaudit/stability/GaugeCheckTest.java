package org.cosineaudit.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.similarity.EngineOptions;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/** Gauge transforms keep predictions and score-cosine neighbours, and move cosine neighbours. */
class GaugeCheckTest {

  static final StructType FACTORS = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  static Dataset<Row> factors(SparkSession spark, String prefix, int n, int d, Random rnd) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] f = new float[d];
      List<Float> v = new ArrayList<>();
      for (int j = 0; j < d; j++) {
        // unequal column scales, as trained factors have
        v.add((float) (rnd.nextGaussian() * (1 + j)));
      }
      rows.add(RowFactory.create(prefix + i, v.toArray(new Float[0])));
    }
    return spark.createDataFrame(rows, FACTORS);
  }

  @Test
  void rescaledFactorsKeepPredictionsAndScoreCosineNeighboursButMoveCosineNeighbours() {
    SparkSession spark = SparkTestSession.get();
    Random rnd = new Random(11);
    Dataset<Row> users = factors(spark, "u", 50, 4, rnd);
    Dataset<Row> items = factors(spark, "i", 40, 4, rnd);
    GaugeCheck.Settings s = new GaugeCheck.Settings(1, 1.0, 3, 5, 20, EngineOptions.defaults(),
        new NeighbourAgreement.Options(0, 0.9, 0.5, 20, 1, 10_000));
    GaugeCheck.Result r = GaugeCheck.run(spark, users, items, s);
    assertEquals(2, r.predictions().size());
    for (GaugeCheck.PredictionChange p : r.predictions()) {
      assertEquals(400, p.pairs());
      // float inputs, double arithmetic: a change at rounding level only
      assertTrue(p.relativeChange() < 1e-12, p.toString());
      assertTrue(p.maxAbsPrediction() > 0.1, p.toString());
    }
    for (SummaryRow row : r.agreement()) {
      if (!row.metric().equals("jaccard")) {
        continue;
      }
      assertEquals(40, row.nItems(), row.toString());
      boolean scoreCosine = row.a().startsWith("score-cosine/");
      boolean rotation = row.b().endsWith("/rotate-1");
      if (scoreCosine || rotation) {
        assertEquals(1.0, row.mean(), 1e-8, "unchanged neighbours: " + row);
      } else {
        assertTrue(row.mean() < 0.9, "a rescaling moves cosine neighbours: " + row);
      }
    }
    assertEquals(4, r.agreement().stream().filter(x -> x.metric().equals("jaccard")).count());
  }

  @Test
  void drawnTransformsPreservePredictionsExactly() {
    for (GaugeCheck.Transform t : GaugeCheck.transforms(5, 2, 1.5, 7)) {
      // userMatrix * itemMatrix^T = I
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 5; j++) {
          double s = 0;
          for (int c = 0; c < 5; c++) {
            s += t.userMatrix()[i * 5 + c] * t.itemMatrix()[j * 5 + c];
          }
          assertEquals(i == j ? 1.0 : 0.0, s, 1e-12, t.name());
        }
      }
    }
  }
}
