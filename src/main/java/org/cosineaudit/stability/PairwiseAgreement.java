package org.cosineaudit.stability;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.InputException;

/**
 * Executor side of {@link NeighbourAgreement}: one item's lists from every table in, one row
 * per compared pair out (the metrics, or which side lacks the item).
 *
 * <p>Input rows: {@code item}, {@code entries} (array of struct {@code table} int,
 * {@code rank} int, {@code neighbour} string, {@code score} double, {@code neighbour_cluster}
 * int), {@code popularity_decile} int, {@code item_cluster} int (both nullable).
 */
final class PairwiseAgreement implements FlatMapFunction<Row, Row>, Serializable {

  private static final long serialVersionUID = 1L;

  /** Values of the {@code presence} column. */
  static final String BOTH = "both";
  static final String ONLY_A = "only_a";
  static final String ONLY_B = "only_b";

  private final String[] names;
  private final int[][] pairs;
  private final int k;
  private final double rboP;
  private final double kendallP;
  private final boolean labels;

  PairwiseAgreement(List<String> names, int[][] pairs, int k, double rboP, double kendallP, boolean labels) {
    this.names = names.toArray(new String[0]);
    this.pairs = pairs;
    this.k = k;
    this.rboP = rboP;
    this.kendallP = kendallP;
    this.labels = labels;
  }

  /** Schema of the rows this function emits. */
  static StructType outputSchema(boolean labels) {
    StructType s = new StructType()
        .add("a", DataTypes.StringType, false)
        .add("b", DataTypes.StringType, false)
        .add("item", DataTypes.StringType, false)
        .add("presence", DataTypes.StringType, false)
        .add("popularity_decile", DataTypes.IntegerType, true);
    for (StabilityMetric m : StabilityMetric.computed(labels)) {
      s = s.add(m.column(), DataTypes.DoubleType, true);
    }
    return s;
  }

  /** One table's list for the item: neighbours in rank order, their scores and clusters. */
  private record RankedList(String[] neighbours, double[] scores, Integer[] clusters) {}

  @Override
  public Iterator<Row> call(Row row) {
    String item = row.getString(0);
    List<Row> entries = row.getList(1);
    Integer decile = row.isNullAt(2) ? null : row.getInt(2);
    Integer itemCluster = row.isNullAt(3) ? null : row.getInt(3);
    RankedList[] lists = lists(item, entries);
    List<Row> out = new ArrayList<>(pairs.length);
    int metricCount = StabilityMetric.computed(labels).size();
    for (int[] pair : pairs) {
      RankedList a = lists[pair[0]];
      RankedList b = lists[pair[1]];
      if (a == null && b == null) {
        continue;
      }
      Object[] values = new Object[5 + metricCount];
      values[0] = names[pair[0]];
      values[1] = names[pair[1]];
      values[2] = item;
      values[4] = decile;
      if (a == null || b == null) {
        values[3] = a == null ? ONLY_B : ONLY_A;
      } else {
        values[3] = BOTH;
        RankMetrics.ListAgreement m = RankMetrics.compare(a.neighbours(), a.scores(), b.neighbours(), b.scores(),
            k, rboP, kendallP);
        double[] metrics = {m.jaccard(), m.overlap(), m.rboMin(), m.rboResidual(), m.rboExt(), m.kendall(),
            m.footrule(), m.scoreSpearman()};
        for (int i = 0; i < metrics.length; i++) {
          values[5 + i] = Double.isNaN(metrics[i]) ? null : metrics[i];
        }
        if (labels) {
          values[5 + metrics.length] = nullIfNaN(RankMetrics.clusterPrecision(itemCluster, a.clusters()));
          values[6 + metrics.length] = nullIfNaN(RankMetrics.clusterPrecision(itemCluster, b.clusters()));
        }
      }
      out.add(RowFactory.create(values));
    }
    return out.iterator();
  }

  private static Double nullIfNaN(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** Splits the item's entries by table, sorts them by rank and keeps the top k. */
  private RankedList[] lists(String item, List<Row> entries) {
    int tables = names.length;
    List<List<Row>> byTable = new ArrayList<>(tables);
    for (int t = 0; t < tables; t++) {
      byTable.add(new ArrayList<>());
    }
    for (Row e : entries) {
      byTable.get(e.getInt(0)).add(e);
    }
    RankedList[] lists = new RankedList[tables];
    for (int t = 0; t < tables; t++) {
      List<Row> rows = byTable.get(t);
      if (rows.isEmpty()) {
        continue;
      }
      rows.sort((x, y) -> Integer.compare(x.getInt(1), y.getInt(1)));
      int len = Math.min(k, rows.size());
      String[] neighbours = new String[len];
      double[] scores = new double[len];
      Integer[] clusters = new Integer[len];
      for (int i = 1; i < rows.size(); i++) {
        if (rows.get(i).getInt(1) == rows.get(i - 1).getInt(1)) {
          throw new InputException("neighbour table " + names[t] + ": item '" + item + "' has two rows with rank "
              + rows.get(i).getInt(1) + "; each rank must appear once per item (rewrite the table with unique ranks)");
        }
      }
      for (int i = 0; i < len; i++) {
        Row e = rows.get(i);
        neighbours[i] = e.getString(2);
        scores[i] = e.isNullAt(3) ? Double.NaN : e.getDouble(3);
        clusters[i] = e.isNullAt(4) ? null : e.getInt(4);
      }
      if (new java.util.HashSet<>(Arrays.asList(neighbours)).size() != len) {
        throw new InputException("neighbour table " + names[t] + ": item '" + item + "' lists the same neighbour "
            + "twice in its top " + k + " " + Arrays.toString(neighbours) + "; a neighbour list must hold distinct items");
      }
      boolean anyNaN = false;
      for (double s : scores) {
        anyNaN |= Double.isNaN(s);
      }
      lists[t] = new RankedList(neighbours, anyNaN ? null : scores, clusters);
    }
    return lists;
  }
}
