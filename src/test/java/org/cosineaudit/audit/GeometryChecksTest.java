package org.cosineaudit.audit;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.audit.Snapshots.Vec;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/** The anisotropy moments do not depend on how the vectors reach the check. */
class GeometryChecksTest {

  private static final int D = 8;

  /** 600 vectors in a cone around the first axis: the covariance subtracts large, nearly equal sums. */
  private static List<Vec> cone() {
    return Snapshots.shifted(Snapshots.gaussian(600, D, 11), 3f);
  }

  private static Dataset<Row> frame(List<Vec> vs) {
    SparkSession spark = SparkTestSession.get();
    List<Row> rows = new ArrayList<>();
    for (Vec x : vs) {
      List<Float> l = new ArrayList<>();
      for (float f : x.v()) {
        l.add(f);
      }
      rows.add(RowFactory.create(x.id(), l));
    }
    return spark.createDataFrame(rows, Snapshots.FACTORS);
  }

  @Test
  void momentsAreBitIdenticalForAnyInputPartitioningAndRowOrder() {
    List<Vec> vs = cone();
    List<Vec> shuffled = new ArrayList<>(vs);
    Collections.shuffle(shuffled, new Random(5));
    UnitVectorMoments onePartition = GeometryChecks.moments(frame(vs).coalesce(1), D);
    UnitVectorMoments seven = GeometryChecks.moments(frame(shuffled).repartition(7), D);
    // after a shuffle keyed by a component: partitions and row order unrelated to the ids
    UnitVectorMoments afterShuffle =
        GeometryChecks.moments(frame(shuffled).repartition(3, col("features").getItem(1)), D);

    assertEquals(600, onePartition.count());
    for (UnitVectorMoments other : List.of(seven, afterShuffle)) {
      assertEquals(onePartition.count(), other.count());
      // delta 0: the same rows must give the same bits, not merely close values
      assertArrayEquals(onePartition.covariance(), other.covariance(), 0.0);
      assertEquals(onePartition.meanPairCosine(), other.meanPairCosine(), 0.0);
      assertEquals(onePartition.firstComponentShare(), other.firstComponentShare(), 0.0);
    }
  }

  @Test
  void mergedMomentsEqualOnePassOverAllVectors() {
    List<Vec> vs = cone();
    UnitVectorMoments onePass = new UnitVectorMoments(D);
    double[] v = new double[D];
    for (Vec x : vs) {
      for (int j = 0; j < D; j++) {
        v[j] = x.v()[j];
      }
      onePass.add(v);
    }
    UnitVectorMoments merged = GeometryChecks.moments(frame(vs).repartition(5), D);
    assertEquals(onePass.count(), merged.count());
    // 1e-12: the two add the same 600 terms in different orders (relative error ~600 ulp at most)
    assertArrayEquals(onePass.covariance(), merged.covariance(), 1e-12);
    assertEquals(onePass.meanPairCosine(), merged.meanPairCosine(), 1e-12);
  }

  @Test
  void noVectorsGiveEmptyMomentsNotAnError() {
    UnitVectorMoments none = GeometryChecks.moments(frame(List.of()), D);
    assertEquals(0, none.count());
    assertEquals(Double.NaN, none.meanPairCosine());
  }

  @Test
  void sparkAggregateValuesKeepTwelveSignificantDigits() {
    assertEquals(0.123456789012, GeometryChecks.withoutMergeNoise(0.1234567890123456), 0.0);
    assertEquals(-2.5e-7, GeometryChecks.withoutMergeNoise(-2.5000000000000004e-7), 0.0);
    assertEquals(Double.NaN, GeometryChecks.withoutMergeNoise(Double.NaN));
  }
}
