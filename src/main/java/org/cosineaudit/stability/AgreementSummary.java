package org.cosineaudit.stability;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import scala.Tuple2;

/**
 * Distribution of each per-item metric over items, per (pair, stratum): count, mean,
 * percentiles and a bootstrap interval of the mean, all aggregated on the executors.
 *
 * <p>Two passes over the per-item rows, each ending in one row per (pair, stratum): Spark's
 * {@code percentile_approx} (mergeable quantile sketches) for median / p10 / p90, and a
 * {@link PoissonBootstrap} per (pair, stratum) for count, mean and the interval. The driver
 * collects only those rows: pairs x strata, independent of the number of items.
 */
final class AgreementSummary {

  /** Confidence level of the bootstrap interval. */
  static final double LEVEL = 0.95;

  private AgreementSummary() {}

  /** Settings of the summary. */
  record Settings(int bootstrap, long seed, int percentileAccuracy) {}

  /**
   * @param items per-item rows with {@code a, b, item, popularity_decile} and one column per metric
   * @param strata whether to add popularity-decile strata next to "all"
   */
  static List<SummaryRow> summarize(Dataset<Row> items, List<StabilityMetric> metrics, boolean strata, Settings s) {
    Dataset<Row> stratified = items.withColumn("stratum", strata
        ? explode(array(lit(PopularityStrata.ALL), stratumName().apply(col("popularity_decile"))))
        : lit(PopularityStrata.ALL));

    Column[] quantiles = new Column[metrics.size()];
    for (int i = 0; i < metrics.size(); i++) {
      String m = metrics.get(i).column();
      quantiles[i] = percentile_approx(col(m), array(lit(0.1), lit(0.5), lit(0.9)), lit(s.percentileAccuracy())).as(m);
    }
    Map<GroupKey, double[][]> percentiles = new HashMap<>();
    List<Row> qRows = stratified.groupBy("a", "b", "stratum")
        .agg(quantiles[0], java.util.Arrays.copyOfRange(quantiles, 1, quantiles.length)).collectAsList();
    for (Row r : qRows) {
      double[][] q = new double[metrics.size()][];
      for (int i = 0; i < metrics.size(); i++) {
        q[i] = r.isNullAt(3 + i) ? null : r.<Double>getList(3 + i).stream().mapToDouble(Double::doubleValue).toArray();
      }
      percentiles.put(new GroupKey(r.getString(0), r.getString(1), r.getString(2)), q);
    }

    Column[] cols = new Column[4 + metrics.size()];
    cols[0] = col("a");
    cols[1] = col("b");
    cols[2] = col("stratum");
    cols[3] = col("item");
    for (int i = 0; i < metrics.size(); i++) {
      cols[4 + i] = col(metrics.get(i).column());
    }
    List<Tuple2<GroupKey, PoissonBootstrap>> boots = stratified.select(cols).javaRDD()
        .mapPartitionsToPair(new PartialBootstrap(metrics.size(), s.bootstrap(), s.seed()))
        .reduceByKey(PoissonBootstrap::merge)
        .collect();

    List<SummaryRow> out = new ArrayList<>();
    for (Tuple2<GroupKey, PoissonBootstrap> t : boots) {
      GroupKey g = t._1();
      PoissonBootstrap b = t._2();
      double[][] q = percentiles.get(g);
      for (int i = 0; i < metrics.size(); i++) {
        double[] ci = b.interval(i, LEVEL);
        double[] qi = q == null || q[i] == null ? new double[] {Double.NaN, Double.NaN, Double.NaN} : q[i];
        out.add(new SummaryRow(g.a(), g.b(), metrics.get(i).column(), g.stratum(), b.count(i), b.mean(i),
            qi[1], qi[0], qi[2], ci[0], ci[1]));
      }
    }
    Map<String, Integer> metricOrder = new HashMap<>();
    for (int i = 0; i < metrics.size(); i++) {
      metricOrder.put(metrics.get(i).column(), i);
    }
    out.sort(Comparator.comparing(SummaryRow::a).thenComparing(SummaryRow::b)
        .thenComparing(r -> metricOrder.get(r.metric()))
        .thenComparing(r -> r.stratum().equals(PopularityStrata.ALL) ? "" : r.stratum()));
    return out;
  }

  private static UserDefinedFunction stratumName() {
    return org.apache.spark.sql.functions.udf((UDF1<Integer, String>) PopularityStrata::stratum, DataTypes.StringType);
  }

  /** Key of one summary group. */
  record GroupKey(String a, String b, String stratum) implements Serializable {}

  /**
   * Adds a partition's rows into one bootstrap state per group (map-side combine; the
   * weights of an item are drawn once and reused for its consecutive rows).
   */
  static final class PartialBootstrap implements PairFlatMapFunction<Iterator<Row>, GroupKey, PoissonBootstrap> {
    private static final long serialVersionUID = 1L;
    private final int metrics;
    private final int replicates;
    private final long seed;

    PartialBootstrap(int metrics, int replicates, long seed) {
      this.metrics = metrics;
      this.replicates = replicates;
      this.seed = seed;
    }

    @Override
    public Iterator<Tuple2<GroupKey, PoissonBootstrap>> call(Iterator<Row> rows) {
      Map<GroupKey, PoissonBootstrap> states = new HashMap<>();
      int[] weights = new int[replicates];
      String weightsOf = null;
      double[] values = new double[metrics];
      while (rows.hasNext()) {
        Row r = rows.next();
        String item = r.getString(3);
        if (!item.equals(weightsOf)) {
          PoissonBootstrap.weights(seed, item, weights);
          weightsOf = item;
        }
        for (int i = 0; i < metrics; i++) {
          values[i] = r.isNullAt(4 + i) ? Double.NaN : r.getDouble(4 + i);
        }
        states.computeIfAbsent(new GroupKey(r.getString(0), r.getString(1), r.getString(2)),
            g -> new PoissonBootstrap(metrics, replicates)).add(values, weights);
      }
      List<Tuple2<GroupKey, PoissonBootstrap>> out = new ArrayList<>(states.size());
      states.forEach((g, b) -> out.add(new Tuple2<>(g, b)));
      return out.iterator();
    }
  }
}
