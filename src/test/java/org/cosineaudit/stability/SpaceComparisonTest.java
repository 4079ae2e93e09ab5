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
}
