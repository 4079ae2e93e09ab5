package org.cosineaudit.stability;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.InputException;
import org.cosineaudit.similarity.ItemNeighbours;
import scala.Tuple2;

/**
 * Space-level comparison of two or more embedding tables ({@code id, features}): linear CKA
 * and the normalized orthogonal Procrustes residual over the ids each pair shares
 * ({@link CrossMoments}).
 *
 * <p>Like {@link NeighbourAgreement}, all tables are grouped by id in one shuffle; each task
 * accumulates one {@link CrossMoments} per pair (dA x dA + dB x dB + dA x dB doubles) and a
 * tree reduce merges them on the executors. The driver receives one state per pair.
 */
public final class SpaceComparison {

  private SpaceComparison() {}

  /** A factor table and its name in the output. */
  public record NamedFactors(String name, Dataset<Row> factors) {}

  /** One pair's comparison. CKA and Procrustes are NaN with fewer than 2 shared ids. */
  public record SpaceRow(String a, String b, long sharedIds, long onlyA, long onlyB, int dimA, int dimB, double cka,
      double procrustes) {}

  public static final StructType SCHEMA = new StructType()
      .add("a", DataTypes.StringType, false)
      .add("b", DataTypes.StringType, false)
      .add("shared_ids", DataTypes.LongType, false)
      .add("only_a", DataTypes.LongType, false)
      .add("only_b", DataTypes.LongType, false)
      .add("dim_a", DataTypes.IntegerType, false)
      .add("dim_b", DataTypes.IntegerType, false)
      .add("cka", DataTypes.DoubleType, true)
      .add("procrustes", DataTypes.DoubleType, true);

  /** Compares the given pairs of tables. */
  public static List<SpaceRow> compare(SparkSession spark, List<NamedFactors> tables, List<int[]> pairs) {
    Dataset<Row> union = null;
    List<String> names = new ArrayList<>();
    for (int t = 0; t < tables.size(); t++) {
      names.add(tables.get(t).name());
      Dataset<Row> f = ItemNeighbours.standardize(tables.get(t).factors(), "factors " + tables.get(t).name())
          .withColumn("table", lit(t));
      union = union == null ? f : union.unionByName(f);
    }
    Dataset<Row> grouped = union.groupBy("id").agg(collect_list(struct(col("table"), col("features"))).as("vectors"));
    // ids sorted within each partition and states merged in partition order: floating-point
    // sums depend on the order of addition, and neither the rows' arrival order after the shuffle
    // nor the completion order of tasks (which treeReduce merges in) is fixed
    JavaRDD<PairStates> states = grouped.sortWithinPartitions("id").javaRDD()
        .mapPartitions(new Accumulate(names, pairs.toArray(new int[0][])));
    PairStates total = mergeInPartitionOrder(states, MERGE_FAN_IN);
    List<SpaceRow> out = new ArrayList<>();
    for (int p = 0; p < pairs.size(); p++) {
      CrossMoments m = total.moments[p];
      String a = names.get(pairs.get(p)[0]);
      String b = names.get(pairs.get(p)[1]);
      long shared = m == null ? 0 : m.n;
      boolean enough = m != null && m.n >= 2;
      out.add(new SpaceRow(a, b, shared, total.onlyA[p], total.onlyB[p], m == null ? total.dims[pairs.get(p)[0]] : m.dx,
          m == null ? total.dims[pairs.get(p)[1]] : m.dy, enough ? m.cka() : Double.NaN,
          enough ? m.procrustes() : Double.NaN));
    }
    return out;
  }

  /** Rows for a {@link #SCHEMA} table. */
  public static Dataset<Row> table(SparkSession spark, List<SpaceRow> rows) {
    List<Row> out = new ArrayList<>();
    for (SpaceRow r : rows) {
      out.add(RowFactory.create(r.a(), r.b(), r.sharedIds(), r.onlyA(), r.onlyB(), r.dimA(), r.dimB(),
          Double.isNaN(r.cka()) ? null : r.cka(), Double.isNaN(r.procrustes()) ? null : r.procrustes()));
    }
    return spark.createDataFrame(out, SCHEMA).coalesce(1);
  }

  /** The per-pair states of one partition (or of merged partitions). */
  /** Partition states merged per level of the merge tree (bounds the driver's share at scale). */
  static final int MERGE_FAN_IN = 16;

  /**
   * Merges one state per partition in a fixed order: groups of {@code fanIn} consecutive
   * partitions are merged on the executors in index order, level by level, until at most
   * {@code fanIn} states remain, which the driver merges in index order. Deterministic for a
   * given partitioning, unlike treeReduce, and still never holds more than {@code fanIn} states
   * in one place.
   */
  static PairStates mergeInPartitionOrder(JavaRDD<PairStates> states, int fanIn) {
    JavaPairRDD<Integer, PairStates> level =
        JavaPairRDD.fromJavaRDD(states.mapPartitionsWithIndex(new WithIndex(), false));
    long n = states.getNumPartitions();
    while (n > fanIn) {
      n = (n + fanIn - 1) / fanIn;
      level = level.mapToPair(new ToGroup(fanIn)).groupByKey((int) n).mapValues(new MergeGroup());
    }
    List<Tuple2<Integer, PairStates>> last = new ArrayList<>(level.collect());
    last.sort(java.util.Comparator.comparing(Tuple2::_1));
    PairStates total = null;
    for (Tuple2<Integer, PairStates> t : last) {
      total = total == null ? t._2() : total.merge(t._2());
    }
    return total;
  }

  /** (partition index, its state). */
  static final class WithIndex
      implements Function2<Integer, Iterator<PairStates>, Iterator<Tuple2<Integer, PairStates>>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Tuple2<Integer, PairStates>> call(Integer index, Iterator<PairStates> it) {
      List<Tuple2<Integer, PairStates>> out = new ArrayList<>();
      it.forEachRemaining(st -> out.add(new Tuple2<>(index, st)));
      return out.iterator();
    }
  }

  /** (index, state) -> (group = index / fanIn, (index, state)). */
  static final class ToGroup
      implements PairFunction<Tuple2<Integer, PairStates>, Integer, Tuple2<Integer, PairStates>> {
    private static final long serialVersionUID = 1L;
    private final int fanIn;

    ToGroup(int fanIn) {
      this.fanIn = fanIn;
    }

    @Override
    public Tuple2<Integer, Tuple2<Integer, PairStates>> call(Tuple2<Integer, PairStates> t) {
      return new Tuple2<>(t._1() / fanIn, t);
    }
  }

  /** Merges a group's states in ascending index order. */
  static final class MergeGroup implements Function<Iterable<Tuple2<Integer, PairStates>>, PairStates> {
    private static final long serialVersionUID = 1L;

    @Override
    public PairStates call(Iterable<Tuple2<Integer, PairStates>> group) {
      List<Tuple2<Integer, PairStates>> sorted = new ArrayList<>();
      group.forEach(sorted::add);
      sorted.sort(java.util.Comparator.comparing(Tuple2::_1));
      PairStates total = sorted.get(0)._2();
      for (int i = 1; i < sorted.size(); i++) {
        total = total.merge(sorted.get(i)._2());
      }
      return total;
    }
  }

  static final class PairStates implements Serializable {
    private static final long serialVersionUID = 1L;
    final CrossMoments[] moments;
    final long[] onlyA;
    final long[] onlyB;
    final int[] dims;

    PairStates(int pairs, int tables) {
      moments = new CrossMoments[pairs];
      onlyA = new long[pairs];
      onlyB = new long[pairs];
      dims = new int[tables];
    }

    PairStates merge(PairStates o) {
      for (int t = 0; t < dims.length; t++) {
        if (dims[t] == 0) {
          dims[t] = o.dims[t];
        } else if (o.dims[t] != 0 && o.dims[t] != dims[t]) {
          throw new InputException("factor table " + t + " mixes embeddings of " + dims[t] + " and " + o.dims[t]
              + " components; every embedding of a table must have the same dimension");
        }
      }
      for (int p = 0; p < moments.length; p++) {
        onlyA[p] += o.onlyA[p];
        onlyB[p] += o.onlyB[p];
        if (moments[p] == null) {
          moments[p] = o.moments[p];
        } else if (o.moments[p] != null) {
          moments[p].merge(o.moments[p]);
        }
      }
      return this;
    }
  }

  /** Adds a partition's ids into per-pair moments. */
  static final class Accumulate implements FlatMapFunction<Iterator<Row>, PairStates> {
    private static final long serialVersionUID = 1L;
    private final List<String> names;
    private final int[][] pairs;

    Accumulate(List<String> names, int[][] pairs) {
      this.names = names;
      this.pairs = pairs;
    }

    @Override
    public Iterator<PairStates> call(Iterator<Row> rows) {
      PairStates s = new PairStates(pairs.length, names.size());
      double[][] byTable = new double[names.size()][];
      while (rows.hasNext()) {
        Row r = rows.next();
        String id = r.getString(0);
        java.util.Arrays.fill(byTable, null);
        for (Row v : r.<Row>getList(1)) {
          int t = v.getInt(0);
          if (byTable[t] != null) {
            throw new InputException("factor table " + names.get(t) + " lists id '" + id + "' twice");
          }
          byTable[t] = vector(names.get(t), id, v.getList(1));
          if (s.dims[t] == 0) {
            s.dims[t] = byTable[t].length;
          } else if (s.dims[t] != byTable[t].length) {
            throw new InputException("factor table " + names.get(t) + ": embedding '" + id + "' has "
                + byTable[t].length + " components, expected " + s.dims[t]);
          }
        }
        for (int p = 0; p < pairs.length; p++) {
          double[] x = byTable[pairs[p][0]];
          double[] y = byTable[pairs[p][1]];
          if (x != null && y != null) {
            if (s.moments[p] == null) {
              s.moments[p] = new CrossMoments(x.length, y.length);
            }
            s.moments[p].add(x, y);
          } else if (x != null) {
            s.onlyA[p]++;
          } else if (y != null) {
            s.onlyB[p]++;
          }
        }
      }
      return Collections.singletonList(s).iterator();
    }

    private static double[] vector(String table, String id, List<Object> values) {
      if (values == null) {
        throw new InputException("factor table " + table + ": embedding '" + id + "' has no features");
      }
      double[] v = new double[values.size()];
      for (int i = 0; i < v.length; i++) {
        Object o = values.get(i);
        if (o == null || !Double.isFinite(((Number) o).doubleValue())) {
          throw new InputException("factor table " + table + ": embedding '" + id + "' has a missing or non-finite "
              + "component at position " + i);
        }
        v[i] = ((Number) o).doubleValue();
      }
      return v;
    }
  }
}
