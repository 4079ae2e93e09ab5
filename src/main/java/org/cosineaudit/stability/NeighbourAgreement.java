package org.cosineaudit.stability;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.run.InputException;

/**
 * Per-item agreement of the neighbour lists of two or more tables, and its summary.
 *
 * <p>How it scales: all tables are unioned (tagged with their index) and grouped by item in
 * ONE shuffle, so every item's lists from every table meet on one executor; each pair of
 * tables is then compared item by item without further shuffles ({@link PairwiseAgreement}).
 * Comparing M tables costs one shuffle of all neighbour rows, not M(M-1)/2 joins. The
 * per-item rows are repartitioned by (pair, item-hash salt), so that each summary task holds
 * the states of about one pair, and persisted (memory and disk) for the summary's two
 * aggregations and the optional per-item output; call {@link Result#release()} when done.
 *
 * <p>Items listed by only one table of a pair are never dropped silently: they are counted
 * per pair ({@link PairCount}) and listed in {@link Result#unmatched()}.
 */
public final class NeighbourAgreement {

  private NeighbourAgreement() {}

  /** A neighbour table ({@code item, rank, neighbour, score}) and the name it has in the output. */
  public record NamedTable(String name, Dataset<Row> neighbours) {}

  /**
   * Settings.
   *
   * @param k evaluation depth; 0 = the smallest of the tables' largest ranks, which also caps a
   *     larger k (ranks a table does not hold would count as misses and lower overlap and RBO)
   * @param rboP RBO persistence in (0, 1) (0.9: the top 10 ranks carry ~86% of the weight)
   * @param kendallP Kendall's penalty p in [0, 1] for pairs ranked by one list only
   * @param bootstrap bootstrap replicates (0 = no interval)
   * @param seed bootstrap seed
   * @param percentileAccuracy percentile_approx accuracy (rank error &lt;= n / accuracy)
   */
  public record Options(int k, double rboP, double kendallP, int bootstrap, long seed, int percentileAccuracy) {
    public static Options defaults() {
      return new Options(0, 0.9, 0.5, 200, 0L, 10_000);
    }

    public Options withK(int newK) {
      return new Options(newK, rboP, kendallP, bootstrap, seed, percentileAccuracy);
    }
  }

  /** How many items each pair shares, and how many only one side lists. */
  public record PairCount(String a, String b, long both, long onlyA, long onlyB) {}

  /**
   * What a comparison produced.
   *
   * @param k the evaluation depth used
   * @param requestedK the depth asked for ({@link Options#k}; 0 = the tables' depth); larger than
   *     {@code k} when the tables are shallower, see {@link #depthWarning}
   * @param items per-item metrics of the items both tables list: {@code a, b, item,
   *     popularity_decile} (null without popularity) and one column per metric
   * @param unmatched items listed by one table of a pair only: {@code a, b, item, missing_from}
   *     ("a" or "b")
   */
  public record Result(int k, int requestedK, List<StabilityMetric> metrics, Dataset<Row> items, Dataset<Row> unmatched,
      List<PairCount> counts, List<SummaryRow> summary, Dataset<Row> comparisons) {
    /** Why k is smaller than the depth asked for, or null when it is not. */
    public String depthWarning() {
      return requestedK > k ? String.format(Locale.ROOT, "--k %d is deeper than the neighbour tables (the "
          + "shallowest holds ranks up to %d): compared the top %d; recompute the tables with a larger k to compare "
          + "deeper", requestedK, k, k) : null;
    }

    /** Drops the persisted per-item rows. */
    public void release() {
      comparisons.unpersist();
    }
  }

  /** Every unordered pair of {@code n} tables, (0,1), (0,2), ..., (n-2,n-1). */
  public static List<int[]> allPairs(int n) {
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        out.add(new int[] {i, j});
      }
    }
    return out;
  }

  /** Each table against table {@code baseline} (baseline first, as {@code a}). */
  public static List<int[]> againstBaseline(int n, int baseline) {
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i != baseline) {
        out.add(new int[] {baseline, i});
      }
    }
    return out;
  }

  /** Two tables, named "a" and "b", without strata or labels. */
  public static Result compare(SparkSession spark, Dataset<Row> a, Dataset<Row> b, Options options) {
    return compare(spark, List.of(new NamedTable("a", a), new NamedTable("b", b)), allPairs(2), null, null, options);
  }

  /**
   * Compares the given pairs of tables item by item and summarizes.
   *
   * @param deciles {@code item, popularity_decile} ({@link PopularityStrata#deciles}), or null for no strata
   * @param labels {@code item, cluster} ground-truth clusters, or null for no cluster precision
   */
  public static Result compare(SparkSession spark, List<NamedTable> tables, List<int[]> pairs, Dataset<Row> deciles,
      Dataset<Row> labels, Options options) {
    if (tables.size() < 2 || pairs.isEmpty()) {
      throw new IllegalArgumentException("need at least two tables and one pair, got " + tables.size() + " tables");
    }
    List<String> names = new ArrayList<>();
    Dataset<Row> union = null;
    for (int t = 0; t < tables.size(); t++) {
      NamedTable table = tables.get(t);
      names.add(table.name());
      Dataset<Row> tagged = normalized(table).withColumn("table", lit(t));
      union = union == null ? tagged : union.unionByName(tagged);
    }
    int autoK = checkedMaxRank(names, union);
    // capped: ranks beyond a table's depth would count as misses, not disagreement
    int k = options.k() > 0 ? Math.min(options.k(), autoK) : autoK;
    boolean withLabels = labels != null;
    Dataset<Row> rows = union.where(col("rank").leq(k));
    Dataset<Row> clusters = withLabels ? labels.select(col("item").cast(DataTypes.StringType).as("item"),
        col("cluster").cast(DataTypes.IntegerType).as("cluster")).dropDuplicates("item") : null;
    if (withLabels) {
      Dataset<Row> neighbourClusters = clusters.select(col("item").as("labelled_neighbour"),
          col("cluster").as("neighbour_cluster"));
      rows = rows.join(neighbourClusters, rows.col("neighbour").equalTo(col("labelled_neighbour")), "left")
          .drop("labelled_neighbour");
    } else {
      rows = rows.withColumn("neighbour_cluster", lit(null).cast(DataTypes.IntegerType));
    }
    Dataset<Row> grouped = rows.groupBy("item").agg(collect_list(
        struct(col("table"), col("rank"), col("neighbour"), col("score"), col("neighbour_cluster"))).as("entries"));
    grouped = deciles == null ? grouped.withColumn("popularity_decile", lit(null).cast(DataTypes.IntegerType))
        : grouped.join(deciles, "item", "left");
    grouped = withLabels ? grouped.join(clusters.withColumnRenamed("cluster", "item_cluster"), "item", "left")
        : grouped.withColumn("item_cluster", lit(null).cast(DataTypes.IntegerType));
    grouped = grouped.select("item", "entries", "popularity_decile", "item_cluster");

    PairwiseAgreement fn = new PairwiseAgreement(names, pairs.toArray(new int[0][]), k, options.rboP(),
        options.kendallP(), withLabels);
    // Repartition by (pair, salt) before persisting: each task of the summary then holds the
    // aggregation states of about one pair instead of all pairs x strata (see docs/stability.md).
    int partitions = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "200"));
    int salt = Math.max(1, (partitions + pairs.size() - 1) / pairs.size());
    Dataset<Row> comparisons = grouped.flatMap(fn, ExpressionEncoder.apply(PairwiseAgreement.outputSchema(withLabels)))
        .repartition(partitions, col("a"), col("b"), pmod(xxhash64(col("item")), lit(salt)))
        .persist(StorageLevel.MEMORY_AND_DISK());

    List<PairCount> counts = counts(comparisons, names, pairs);
    List<StabilityMetric> metrics = StabilityMetric.computed(withLabels);
    Dataset<Row> items = comparisons.where(col("presence").equalTo(PairwiseAgreement.BOTH)).drop("presence");
    Dataset<Row> unmatched = comparisons.where(col("presence").notEqual(PairwiseAgreement.BOTH))
        .select(col("a"), col("b"), col("item"),
            when(col("presence").equalTo(PairwiseAgreement.ONLY_A), lit("b")).otherwise(lit("a")).as("missing_from"));
    List<SummaryRow> summary = AgreementSummary.summarize(items, metrics, deciles != null,
        new AgreementSummary.Settings(options.bootstrap(), options.seed(), options.percentileAccuracy()));
    return new Result(k, options.k(), metrics, items, unmatched, counts, summary, comparisons);
  }

  /** The contract's columns with the contract's types; fails naming the table when one is missing. */
  static Dataset<Row> normalized(NamedTable table) {
    List<String> cols = Arrays.asList(table.neighbours().columns());
    for (String c : List.of("item", "rank", "neighbour", "score")) {
      if (!cols.contains(c)) {
        throw new InputException("neighbour table " + table.name() + " has no column '" + c + "' (columns: " + cols
            + "); expected item, rank, neighbour, score");
      }
    }
    return table.neighbours().select(col("item").cast(DataTypes.StringType).as("item"),
        col("rank").cast(DataTypes.IntegerType).as("rank"),
        col("neighbour").cast(DataTypes.StringType).as("neighbour"),
        col("score").cast(DataTypes.DoubleType).as("score"));
  }

  /**
   * The smallest of the tables' largest ranks (one aggregation over all tables); fails on an
   * empty table or rows without item, neighbour or rank.
   */
  private static int checkedMaxRank(List<String> names, Dataset<Row> union) {
    Map<Integer, Row> byTable = new HashMap<>();
    for (Row r : union.groupBy("table").agg(count(lit(1)), max("rank"), min("rank"),
        sum(when(col("item").isNull().or(col("neighbour").isNull()).or(col("rank").isNull()), 1).otherwise(0)))
        .collectAsList()) {
      byTable.put(r.getInt(0), r);
    }
    int k = Integer.MAX_VALUE;
    for (int t = 0; t < names.size(); t++) {
      Row r = byTable.get(t);
      String name = names.get(t);
      if (r == null) {
        throw new InputException("neighbour table " + name + " is empty");
      }
      long rows = r.getLong(1);
      long bad = r.isNullAt(4) ? 0 : r.getLong(4);
      if (bad > 0) {
        throw new InputException("neighbour table " + name + ": " + bad + " of " + rows + " rows lack item, neighbour "
            + "or an integer rank; fix or drop those rows");
      }
      if (r.getInt(3) < 1) {
        throw new InputException("neighbour table " + name + " has rank " + r.getInt(3) + "; ranks start at 1");
      }
      k = Math.min(k, r.getInt(2));
    }
    return k;
  }

  private static List<PairCount> counts(Dataset<Row> comparisons, List<String> names, List<int[]> pairs) {
    Map<String, long[]> byPair = new HashMap<>();
    for (Row r : comparisons.groupBy("a", "b", "presence").count().collectAsList()) {
      long[] c = byPair.computeIfAbsent(r.getString(0) + "\u0000" + r.getString(1), x -> new long[3]);
      switch (r.getString(2)) {
        case PairwiseAgreement.BOTH -> c[0] = r.getLong(3);
        case PairwiseAgreement.ONLY_A -> c[1] = r.getLong(3);
        default -> c[2] = r.getLong(3);
      }
    }
    List<PairCount> out = new ArrayList<>();
    for (int[] p : pairs) {
      String a = names.get(p[0]);
      String b = names.get(p[1]);
      long[] c = byPair.getOrDefault(a + "\u0000" + b, new long[3]);
      out.add(new PairCount(a, b, c[0], c[1], c[2]));
    }
    return out;
  }
}
