package org.cosineaudit.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFunction;
import scala.Tuple2;

/**
 * Merges per-partition states (moment sums, sketches) in partition order, so that a
 * floating-point result is the same to the bit on every run, locally or on a cluster.
 *
 * <p>Why not {@code reduce} / {@code treeReduce} / {@code treeAggregate}: they merge partial
 * results in the order tasks finish, and floating-point addition is not associative, so the
 * same data gives sums that differ in the last bits (~1e-16 relative, more after a
 * cancellation such as variance = E[x^2] - E[x]^2) from run to run. Here groups of
 * {@code fanIn} consecutive partitions are merged on the executors in ascending partition
 * index, level by level, until at most {@code fanIn} states remain, which the driver merges
 * in index order: the result depends only on the partitioning, and no place ever holds more
 * than {@code fanIn} states (the driver's share stays bounded at scale, as with treeReduce).
 *
 * <p>Danger: the order of the states is fixed, not the order of the rows inside a partition.
 * A caller that folds rows into a state must give each partition a fixed content and row order
 * first (after a shuffle, rows arrive in fetch order): e.g. {@code repartition(n, col("id"))}
 * with a fixed {@code n} and {@code sortWithinPartitions("id")} on unique ids.
 */
public final class OrderedMerge {

  /**
   * Partitions of a fixed fold: a caller that sums per-row values hashes its (unique) ids into
   * this many partitions and folds each in id order, so the sums do not depend on how the input
   * was partitioned nor on {@code spark.sql.shuffle.partitions}.
   */
  public static final int FIXED_PARTITIONS = 32;

  /** Default number of states merged per level of the merge tree. */
  public static final int DEFAULT_FAN_IN = 16;

  private OrderedMerge() {}

  /** {@link #inPartitionOrder(JavaRDD, Function2, int)} with {@link #DEFAULT_FAN_IN}. */
  public static <T> Optional<T> inPartitionOrder(JavaRDD<T> states, Function2<T, T, T> merge) {
    return inPartitionOrder(states, merge, DEFAULT_FAN_IN);
  }

  /**
   * Merges all states of {@code states} as {@code merge(merge(s0, s1), s2) ...} over a fixed
   * tree: partition 0's states before partition 1's, and within a partition in iterator order.
   *
   * @param merge must be associative (it may update and return its first argument)
   * @param fanIn states merged per group, >= 2
   * @return empty when there is no state at all
   */
  public static <T> Optional<T> inPartitionOrder(JavaRDD<T> states, Function2<T, T, T> merge, int fanIn) {
    if (fanIn < 2) {
      throw new IllegalArgumentException("fanIn must be >= 2, got " + fanIn);
    }
    JavaPairRDD<Integer, T> level =
        JavaPairRDD.fromJavaRDD(states.mapPartitionsWithIndex(new FoldPartition<>(merge), false));
    long n = states.getNumPartitions();
    while (n > fanIn) {
      n = (n + fanIn - 1) / fanIn;
      level = level.mapToPair(new ToGroup<>(fanIn)).groupByKey((int) n).mapValues(new MergeGroup<>(merge));
    }
    List<Tuple2<Integer, T>> last = new ArrayList<>(level.collect());
    return mergeSorted(last, merge);
  }

  /** Merges (index, state) pairs in ascending index; empty for no pairs. */
  private static <T> Optional<T> mergeSorted(List<Tuple2<Integer, T>> indexed, Function2<T, T, T> merge) {
    // groupByKey and collect return a group's values in fetch order: the index restores the order
    indexed.sort(Comparator.comparing(Tuple2::_1));
    T total = null;
    try {
      for (Tuple2<Integer, T> t : indexed) {
        total = total == null ? t._2() : merge.call(total, t._2());
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("merging partition states failed", e);
    }
    return Optional.ofNullable(total);
  }

  /** The merge of array states: element-wise sum into the first (same lengths). */
  public static final class SumArrays implements Function2<double[], double[], double[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public double[] call(double[] a, double[] b) {
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return a;
    }
  }

  /** (partition index, the partition's states merged in iterator order); nothing for an empty partition. */
  static final class FoldPartition<T> implements Function2<Integer, Iterator<T>, Iterator<Tuple2<Integer, T>>> {
    private static final long serialVersionUID = 1L;
    private final Function2<T, T, T> merge;

    FoldPartition(Function2<T, T, T> merge) {
      this.merge = merge;
    }

    @Override
    public Iterator<Tuple2<Integer, T>> call(Integer index, Iterator<T> it) throws Exception {
      T total = null;
      while (it.hasNext()) {
        T s = it.next();
        total = total == null ? s : merge.call(total, s);
      }
      return total == null ? List.<Tuple2<Integer, T>>of().iterator() : List.of(new Tuple2<>(index, total)).iterator();
    }
  }

  /** (index, state) -> (group = index / fanIn, (index, state)); groups hold consecutive indices. */
  static final class ToGroup<T> implements PairFunction<Tuple2<Integer, T>, Integer, Tuple2<Integer, T>> {
    private static final long serialVersionUID = 1L;
    private final int fanIn;

    ToGroup(int fanIn) {
      this.fanIn = fanIn;
    }

    @Override
    public Tuple2<Integer, Tuple2<Integer, T>> call(Tuple2<Integer, T> t) {
      return new Tuple2<>(t._1() / fanIn, t);
    }
  }

  /** Merges a group's states in ascending index order. */
  static final class MergeGroup<T> implements Function<Iterable<Tuple2<Integer, T>>, T> {
    private static final long serialVersionUID = 1L;
    private final Function2<T, T, T> merge;

    MergeGroup(Function2<T, T, T> merge) {
      this.merge = merge;
    }

    @Override
    public T call(Iterable<Tuple2<Integer, T>> group) {
      List<Tuple2<Integer, T>> sorted = new ArrayList<>();
      group.forEach(sorted::add);
      return mergeSorted(sorted, merge).orElseThrow();
    }
  }
}
