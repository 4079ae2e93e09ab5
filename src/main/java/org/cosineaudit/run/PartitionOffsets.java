package org.cosineaudit.run;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;

/**
 * Running totals at the start of every partition of an RDD whose partitions follow a global
 * order (a range-partitioned, sorted table): one job counts each partition (one small array per
 * partition reaches the driver), the driver adds them up in partition order, and a second pass can
 * number rows from there without a single-partition window. Used to number ids and ranks.
 */
public final class PartitionOffsets {

  /** Adds what one row contributes to each counter. */
  public interface Weigher<T> extends Serializable {
    void add(T row, long[] counters);
  }

  /**
   * @param offsets {@code offsets[p][c]}: counter {@code c} summed over partitions 0 .. p-1
   * @param totals each counter over all partitions
   */
  public record Result(long[][] offsets, long[] totals) {}

  private PartitionOffsets() {}

  /** The offsets of {@code counters} counters over {@code rows} (one job). */
  public static <T> Result of(JavaRDD<T> rows, int counters, Weigher<T> weigher) {
    List<long[]> counted = new ArrayList<>(rows.mapPartitionsWithIndex(new Count<>(counters, weigher), false)
        .collect());
    counted.sort((a, b) -> Long.compare(a[0], b[0]));
    long[][] offsets = new long[rows.getNumPartitions()][counters];
    long[] running = new long[counters];
    for (long[] c : counted) {
      offsets[(int) c[0]] = running.clone();
      for (int k = 0; k < counters; k++) {
        running[k] += c[k + 1];
      }
    }
    return new Result(offsets, running);
  }

  /** (partition, counter 0, counter 1, ...) of one partition. */
  static final class Count<T> implements Function2<Integer, Iterator<T>, Iterator<long[]>> {
    private static final long serialVersionUID = 1L;
    private final int counters;
    private final Weigher<T> weigher;

    Count(int counters, Weigher<T> weigher) {
      this.counters = counters;
      this.weigher = weigher;
    }

    @Override
    public Iterator<long[]> call(Integer partition, Iterator<T> rows) {
      long[] c = new long[counters];
      while (rows.hasNext()) {
        weigher.add(rows.next(), c);
      }
      long[] out = new long[counters + 1];
      out[0] = partition;
      System.arraycopy(c, 0, out, 1, counters);
      return List.of(out).iterator();
    }
  }
}
