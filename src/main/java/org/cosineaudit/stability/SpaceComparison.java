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
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.OrderedMerge;
import org.cosineaudit.similarity.ItemNeighbours;

/**
 * Space-level comparison of two or more embedding tables ({@code id, features}): linear CKA
 * and the normalized orthogonal Procrustes residual over the ids each pair shares
 * ({@link CrossMoments}).
 *
 * <p>Like {@link NeighbourAgreement}, all tables are grouped by id in one shuffle; each task
 * accumulates one {@link CrossMoments} per pair (dA x dA + dB x dB + dA x dB doubles), merged
 * on the executors in partition order ({@link OrderedMerge}). The driver receives one state
 * per pair.
 */
public final class SpaceComparison {

  /**
   * Partitions of the id grouping: fixed, so the results are the same to the bit on any cluster
   * and with any {@code spark.sql.shuffle.partitions} (each holds 1/64 of the vectors of all tables).
   */
  static final int PARTITIONS = 64;

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
    // a fixed partitioning by id (not spark.sql.shuffle.partitions, which differs between
    // clusters, nor adaptive coalescing, which follows data sizes): which ids share a partition,
    // and so the order of the floating-point sums, is then a function of the data alone
    Dataset<Row> grouped = union.repartition(PARTITIONS, col("id")).groupBy("id")
        .agg(collect_list(struct(col("table"), col("features"))).as("vectors"));
    // ids sorted within each partition and states merged in partition order: floating-point
    // sums depend on the order of addition, and neither the rows' arrival order after the shuffle
    // nor the completion order of tasks (which treeReduce merges in) is fixed
    JavaRDD<PairStates> states = grouped.sortWithinPartitions("id").javaRDD()
        .mapPartitions(new Accumulate(names, pairs.toArray(new int[0][])));
    PairStates total = OrderedMerge.inPartitionOrder(states, new MergeStates())
        .orElseGet(() -> new PairStates(pairs.size(), tables.size()));
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

  /** Merges the second state into the first. */
  static final class MergeStates implements Function2<PairStates, PairStates, PairStates> {
    private static final long serialVersionUID = 1L;

    @Override
    public PairStates call(PairStates a, PairStates b) {
      return a.merge(b);
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
