package org.cosineaudit.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.cosineaudit.run.OrderedMerge;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

class SpaceComparisonTest {

  /** 200 ids, each with a 3-dimensional vector in tables 0 and 1: rows as the grouped input. */
  static List<Row> rows() {
    Random rnd = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      List<Row> vectors = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        List<Float> v = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          v.add((float) (rnd.nextGaussian() * (1 + j)));
        }
        vectors.add(RowFactory.create(t, CollectionConverters.asScala(v))); // Row lists are Scala Seqs
      }
      rows.add(RowFactory.create(String.format("id%03d", i), CollectionConverters.asScala(vectors)));
    }
    return rows;
  }

  static SpaceComparison.PairStates merged(int partitions, int fanIn) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
    JavaRDD<SpaceComparison.PairStates> states = jsc.parallelize(rows(), partitions)
        .mapPartitions(new SpaceComparison.Accumulate(List.of("a", "b"), new int[][] {{0, 1}}));
    return OrderedMerge.inPartitionOrder(states, new SpaceComparison.MergeStates(), fanIn).orElseThrow();
  }

  @Test
  void mergeOverSeveralLevelsIsRepeatableToTheBitAndEqualsOnePass() {
    // 40 partitions merged 4 at a time: three levels (40 -> 10 -> 3 -> driver)
    CrossMoments first = merged(40, 4).moments[0];
    CrossMoments again = merged(40, 4).moments[0];
    assertArrayEquals(first.sxy, again.sxy, 0.0, "the same partitioning must give bit-identical sums");
    assertArrayEquals(first.sxx, again.sxx, 0.0);
    CrossMoments onePass = merged(1, 4).moments[0];
    assertEquals(200, first.n);
    assertEquals(onePass.n, first.n);
    assertArrayEquals(onePass.sxy, first.sxy, 1e-9, "merging partial moments must equal one pass over all ids");
    assertArrayEquals(onePass.syy, first.syy, 1e-9);
  }

  @Test
  void resultsDoNotDependOnTheShufflePartitionsOrTheInputPartitioning() {
    org.apache.spark.sql.SparkSession spark = SparkTestSession.get();
    Random rnd = new Random(11);
    List<Row> a = new ArrayList<>();
    List<Row> b = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      float[] va = new float[5];
      float[] vb = new float[4];
      for (int j = 0; j < 5; j++) {
        va[j] = (float) rnd.nextGaussian();
      }
      for (int j = 0; j < 4; j++) {
        vb[j] = (float) (va[j] * 0.7 + rnd.nextGaussian());
      }
      a.add(RowFactory.create("id" + i, va));
      b.add(RowFactory.create("id" + i, vb));
    }
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("id", "string").add("features", org.apache.spark.sql.types.DataTypes.createArrayType(
            org.apache.spark.sql.types.DataTypes.FloatType));
    String before = spark.conf().get("spark.sql.shuffle.partitions");
    String coalesce = "spark.sql.adaptive.coalescePartitions.enabled";
    String coalesceBefore = spark.conf().get(coalesce);
    List<double[]> results = new ArrayList<>();
    try {
      // no adaptive coalescing (it would merge this small input into one partition either way),
      // as on a cluster with more data
      spark.conf().set(coalesce, "false");
      for (int[] setting : new int[][] {{3, 1}, {11, 5}}) {
        spark.conf().set("spark.sql.shuffle.partitions", Integer.toString(setting[0]));
        List<SpaceComparison.SpaceRow> r = SpaceComparison.compare(spark, List.of(
            new SpaceComparison.NamedFactors("a", spark.createDataFrame(a, schema).repartition(setting[1])),
            new SpaceComparison.NamedFactors("b", spark.createDataFrame(b, schema).repartition(setting[1] + 1))),
            List.<int[]>of(new int[] {0, 1}));
        results.add(new double[] {r.get(0).cka(), r.get(0).procrustes()});
      }
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", before);
      spark.conf().set(coalesce, coalesceBefore);
    }
    assertEquals(Double.doubleToRawLongBits(results.get(0)[0]), Double.doubleToRawLongBits(results.get(1)[0]),
        "CKA " + results.get(0)[0] + " vs " + results.get(1)[0]);
    assertEquals(Double.doubleToRawLongBits(results.get(0)[1]), Double.doubleToRawLongBits(results.get(1)[1]),
        "Procrustes " + results.get(0)[1] + " vs " + results.get(1)[1]);
  }
}
