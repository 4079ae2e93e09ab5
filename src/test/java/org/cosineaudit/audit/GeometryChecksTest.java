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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
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
      double norm = 0;
      for (float f : x.v()) {
        norm += (double) f * f;
      }
      rows.add(RowFactory.create(x.id(), l, Math.sqrt(norm)));
    }
    return spark.createDataFrame(rows, Snapshots.FACTORS.add("norm", DataTypes.DoubleType));
  }

  @Test
  void momentsAreBitIdenticalForAnyInputPartitioningAndRowOrder() {
    List<Vec> vs = cone();
    List<Vec> shuffled = new ArrayList<>(vs);
    Collections.shuffle(shuffled, new Random(5));
    UnitVectorMoments onePartition = GeometryChecks.moments(frame(vs).coalesce(1), D).vectors();
    UnitVectorMoments seven = GeometryChecks.moments(frame(shuffled).repartition(7), D).vectors();
    // after a shuffle keyed by a component: partitions and row order unrelated to the ids
    UnitVectorMoments afterShuffle =
        GeometryChecks.moments(frame(shuffled).repartition(3, col("features").getItem(1)), D).vectors();

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
    UnitVectorMoments merged = GeometryChecks.moments(frame(vs).repartition(5), D).vectors();
    assertEquals(onePass.count(), merged.count());
    // 1e-12: the two add the same 600 terms in different orders (relative error ~600 ulp at most)
    assertArrayEquals(onePass.covariance(), merged.covariance(), 1e-12);
    assertEquals(onePass.meanPairCosine(), merged.meanPairCosine(), 1e-12);
  }

  @Test
  void noVectorsGiveEmptyMomentsNotAnError() {
    UnitVectorMoments none = GeometryChecks.moments(frame(List.of()), D).vectors();
    assertEquals(0, none.count());
    assertEquals(Double.NaN, none.meanPairCosine());
  }

  private static Dataset<Row> doubles(List<double[]> pairs, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      rows.add(RowFactory.create("v" + i, pairs.get(i)[0], pairs.get(i)[1], List.of((float) pairs.get(i)[0])));
    }
    StructType schema = new StructType().add("id", DataTypes.StringType).add("norm", DataTypes.DoubleType)
        .add("popularity", DataTypes.DoubleType).add("features", DataTypes.createArrayType(DataTypes.FloatType));
    return SparkTestSession.get().createDataFrame(rows, schema).repartition(partitions);
  }

  private static List<double[]> randomPairs(int n, long seed, boolean ties) {
    Random r = new Random(seed);
    List<double[]> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double x = ties ? r.nextInt(12) : 5 + r.nextGaussian();
      double y = ties ? r.nextInt(7) + 0.5 * x : x * x + r.nextGaussian();
      pairs.add(new double[] {x, y});
    }
    return pairs;
  }

  @Test
  void spearmanCountsOnlyTheItemsThatHaveAPopularity() {
    StructType norms = new StructType().add("id", DataTypes.StringType).add("norm", DataTypes.DoubleType);
    StructType popularity = new StructType().add("id", DataTypes.StringType).add("popularity", DataTypes.DoubleType);
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> clean = spark.createDataFrame(List.of(RowFactory.create("a", 1.0), RowFactory.create("b", 2.0),
        RowFactory.create("c", 3.0), RowFactory.create("d", 4.0)), norms);
    Dataset<Row> pop = spark.createDataFrame(List.of(RowFactory.create("a", 10.0), RowFactory.create("b", 30.0),
        RowFactory.create("c", 20.0), RowFactory.create("d", null)), popularity);
    AuditThresholds t = AuditThresholds.from(org.cosineaudit.config.Settings.of("audit", AuditThresholds.options(),
        java.util.Map.of()));
    Check c = GeometryChecks.normPopularity(clean, pop, t);
    assertEquals(0.5, c.value(), 1e-12); // ranks (1, 2, 3) against (1, 3, 2)
    org.junit.jupiter.api.Assertions.assertTrue(c.detail().contains("over 3 items"), c.detail());
  }

  @Test
  void normMomentsAreBitIdenticalForAnyPartitioningAndMatchTwoPasses() {
    List<double[]> pairs = randomPairs(500, 3, false);
    GeometryChecks.NormMoments one = GeometryChecks.moments(doubles(pairs, 1), 1).norms();
    GeometryChecks.NormMoments seven = GeometryChecks.moments(doubles(pairs, 7), 1).norms();
    assertEquals(one.mean(), seven.mean(), 0.0);
    assertEquals(one.populationSd(), seven.populationSd(), 0.0);
    double mean = 0;
    for (double[] p : pairs) {
      mean += p[0] / pairs.size();
    }
    double ss = 0;
    for (double[] p : pairs) {
      ss += (p[0] - mean) * (p[0] - mean);
    }
    assertEquals(mean, one.mean(), 1e-12);
    assertEquals(Math.sqrt(ss / pairs.size()), one.populationSd(), 1e-12);
    assertEquals(Double.NaN, GeometryChecks.moments(doubles(List.of(), 2), 1).norms().mean());
  }

  @Test
  void exactSkewnessMatchesSparkAndIsNaNForEqualValues() {
    Random r = new Random(8);
    List<Row> rows = new ArrayList<>();
    long n = 0;
    java.math.BigInteger s1 = java.math.BigInteger.ZERO;
    java.math.BigInteger s2 = java.math.BigInteger.ZERO;
    java.math.BigInteger s3 = java.math.BigInteger.ZERO;
    for (int i = 0; i < 400; i++) {
      long x = (long) Math.floor(Math.exp(3 * r.nextDouble()) * 10); // right-skewed, like k-occurrences
      rows.add(RowFactory.create(x));
      java.math.BigInteger b = java.math.BigInteger.valueOf(x);
      n++;
      s1 = s1.add(b);
      s2 = s2.add(b.pow(2));
      s3 = s3.add(b.pow(3));
    }
    Dataset<Row> d = SparkTestSession.get().createDataFrame(rows, new StructType().add("x", DataTypes.LongType));
    double spark = d.agg(org.apache.spark.sql.functions.skewness("x")).first().getDouble(0);
    assertEquals(spark, GeometryChecks.skewness(n, s1, s2, s3), 1e-12);
    java.math.BigInteger three = java.math.BigInteger.valueOf(3);
    // two items in 3 lists each: every item equally often, no hub (Spark: NaN)
    assertEquals(0.0, GeometryChecks.skewness(2, three.multiply(java.math.BigInteger.TWO),
        java.math.BigInteger.valueOf(18), java.math.BigInteger.valueOf(54)));
    assertEquals(Double.NaN, GeometryChecks.skewness(0, java.math.BigInteger.ZERO, java.math.BigInteger.ZERO,
        java.math.BigInteger.ZERO));
  }

  /** Spearman by definition on the driver: average ranks for ties, then Pearson. */
  private static double bruteSpearman(List<double[]> pairs) {
    double[] rx = averageRanks(pairs, 0);
    double[] ry = averageRanks(pairs, 1);
    int n = pairs.size();
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += rx[i] / n;
      my += ry[i] / n;
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (rx[i] - mx) * (ry[i] - my);
      sxx += (rx[i] - mx) * (rx[i] - mx);
      syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  private static double[] averageRanks(List<double[]> pairs, int column) {
    int n = pairs.size();
    double[] ranks = new double[n];
    for (int i = 0; i < n; i++) {
      int below = 0;
      int equal = 0;
      for (double[] p : pairs) {
        below += p[column] < pairs.get(i)[column] ? 1 : 0;
        equal += p[column] == pairs.get(i)[column] ? 1 : 0;
      }
      ranks[i] = below + (equal + 1) / 2.0;
    }
    return ranks;
  }

  @Test
  void spearmanIsExactWithTiesAndTheSameForAnyPartitioning() {
    for (boolean ties : new boolean[] {false, true}) {
      List<double[]> pairs = randomPairs(300, ties ? 21 : 20, ties);
      double one = RankCorrelation.spearman(doubles(pairs, 1), "norm", "popularity");
      double five = RankCorrelation.spearman(doubles(pairs, 5), "norm", "popularity");
      assertEquals(one, five, 0.0);
      assertEquals(bruteSpearman(pairs), one, 1e-12, "ties " + ties);
      if (!ties) {
        // and what MLlib computes, where no tie can straddle its sort's partitions
        // cached: MLlib pairs the two columns by position, so both must come from the same rows in the same order
        Dataset<Row> d = doubles(pairs, 3).cache();
        double mllib = org.apache.spark.mllib.stat.Statistics.corr(
            d.select("norm").toJavaRDD().map(r -> r.getDouble(0)),
            d.select("popularity").toJavaRDD().map(r -> r.getDouble(0)), "spearman");
        assertEquals(mllib, one, 1e-12);
        d.unpersist();
      }
    }
    List<double[]> constant = List.of(new double[] {1, 2}, new double[] {2, 2}, new double[] {3, 2});
    assertEquals(Double.NaN, RankCorrelation.spearman(doubles(constant, 2), "norm", "popularity"));
  }
}
