package org.cosineaudit.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/**
 * Merge order made visible: concatenation is associative but not commutative, so the merged
 * string spells out the order in which the states were combined.
 */
class OrderedMergeTest {

  /** Associative, not commutative. */
  static final class Concat implements Function2<String, String, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(String a, String b) {
      return a + "," + b;
    }
  }

  private static JavaRDD<String> numbers(int count, int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
    List<String> values = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      values.add(Integer.toString(i));
    }
    return jsc.parallelize(values, partitions);
  }

  private static String expected(int count) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      values.add(Integer.toString(i));
    }
    return String.join(",", values);
  }

  @Test
  void statesOfManyPartitionsMergeInIndexOrderOverSeveralLevels() {
    // 23 partitions, 3 at a time: 23 -> 8 -> 3 -> driver
    assertEquals(Optional.of(expected(23)), OrderedMerge.inPartitionOrder(numbers(23, 23), new Concat(), 3));
  }

  @Test
  void severalStatesPerPartitionAndEmptyPartitionsKeepTheSequence() {
    // 50 values over 9 partitions (several per partition) and 70 partitions (20 of them empty)
    assertEquals(Optional.of(expected(50)), OrderedMerge.inPartitionOrder(numbers(50, 9), new Concat(), 2));
    assertEquals(Optional.of(expected(50)), OrderedMerge.inPartitionOrder(numbers(50, 70), new Concat()));
  }

  @Test
  void noStatesGiveEmpty() {
    assertTrue(OrderedMerge.inPartitionOrder(numbers(0, 4), new Concat()).isEmpty());
  }

  @Test
  void fanInBelowTwoIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> OrderedMerge.inPartitionOrder(numbers(3, 1), new Concat(), 1));
  }
}
