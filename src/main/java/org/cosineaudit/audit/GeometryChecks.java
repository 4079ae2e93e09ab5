package org.cosineaudit.audit;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.skewness;
import static org.apache.spark.sql.functions.stddev_pop;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.mllib.stat.Statistics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.run.OrderedMerge;
import org.cosineaudit.run.RunOutput;

/**
 * Geometry checks of the usable vectors: the norm distribution (and its rank correlation with
 * popularity), anisotropy (mean pairwise cosine; share of variance on the first principal
 * direction) and hubness (skewness of the k-occurrence distribution). Executors aggregate;
 * the driver receives a handful of numbers, a d x d matrix and the top hubs.
 */
public final class GeometryChecks {

  public static final String GROUP = "geometry";
  /** Table of the items most often in others' top-k lists: {@code id, occurrences, share, title}. */
  public static final String HUBS = "geometry/hubs";

  private GeometryChecks() {}

  /** Norm distribution: mean, spread, quantiles; the check is the coefficient of variation. */
  public static List<Check> norms(Dataset<Row> clean, AuditThresholds t, RunOutput out) {
    Row s = clean.agg(count(lit(1)), mean("norm"), stddev_pop("norm"),
        org.apache.spark.sql.functions.min("norm"), max("norm")).first();
    double[] q = clean.stat().approxQuantile("norm", new double[] {0.01, 0.5, 0.99}, 1e-3);
    double meanNorm = s.isNullAt(1) ? Double.NaN : s.getDouble(1);
    double sd = s.isNullAt(2) ? Double.NaN : s.getDouble(2);
    out.manifest().detail("norms", java.util.Map.of("mean", meanNorm, "stddev", sd,
        "p01", q.length > 0 ? q[0] : Double.NaN, "median", q.length > 1 ? q[1] : Double.NaN,
        "p99", q.length > 2 ? q[2] : Double.NaN));
    String detail = q.length < 3 ? "no vectors" : String.format(Locale.ROOT,
        "norms: mean %.4g, stddev %.4g, min %.4g, p01 %.4g, median %.4g, p99 %.4g, max %.4g",
        meanNorm, sd, s.getDouble(3), q[0], q[1], q[2], s.getDouble(4));
    return List.of(t.normCv().judge("geometry.norm-cv", GROUP, withoutMergeNoise(sd / meanNorm), detail));
  }

  /**
   * Spearman correlation of norm with popularity over the ids in both, computed by MLlib's
   * distributed rank correlation (ties get average ranks).
   *
   * @param popularity {@code id string, popularity double}
   */
  public static Check normPopularity(Dataset<Row> clean, Dataset<Row> popularity, AuditThresholds t) {
    Dataset<Row> joined = clean.select("id", "norm").join(popularity, "id")
        .select(col("norm"), col("popularity").cast("double"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long n = joined.count();
    double rho = Double.NaN;
    if (n >= 3) {
      JavaRDD<Row> rows = joined.toJavaRDD();
      rho = Statistics.corr(rows.map(new Column(0)), rows.map(new Column(1)), "spearman");
    }
    joined.unpersist();
    return t.normPopularitySpearman().judge("geometry.norm-popularity-spearman", GROUP, withoutMergeNoise(rho),
        String.format(Locale.ROOT, "Spearman rank correlation of norm and popularity over %,d items%s", n,
        n < 3 ? " (too few ids in both to compute it)"
            : rho > 0 ? ": popular items have longer vectors, so dot and cosine rank differently" : ""));
  }

  /**
   * Partitions the moments are accumulated in. Fixed, not the input's partitioning nor
   * {@code spark.sql.shuffle.partitions}: the sums, hence the reported values' last bits,
   * depend on how the vectors are split, and a snapshot must give the same report on any cluster.
   */
  static final int MOMENT_PARTITIONS = 32;

  /** Mean pairwise cosine and first-principal-direction share, from executor-side moments. */
  public static List<Check> anisotropy(Dataset<Row> clean, int dimension, AuditThresholds t, RunOutput out) {
    UnitVectorMoments m = moments(clean, dimension);
    double meanCos = m.meanPairCosine();
    double share = m.firstComponentShare();
    out.manifest().detail("anisotropy", java.util.Map.of("mean_pair_cosine", meanCos,
        "first_component_share", share, "isotropic_share", 1.0 / dimension));
    List<Check> checks = new ArrayList<>();
    checks.add(t.meanCosine().judge("geometry.mean-cosine", GROUP, meanCos, String.format(Locale.ROOT,
        "mean cosine over all %,d x %,d pairs of distinct items (exact, from the sum of unit vectors); "
            + "near 0 for an isotropic space", m.count(), m.count() - 1)));
    checks.add(t.firstComponentShare().judge("geometry.first-component-share", GROUP, share, String.format(
        Locale.ROOT, "share of the unit vectors' variance on the first principal direction; isotropic: 1/%d = %.4f",
        dimension, 1.0 / dimension)));
    return checks;
  }

  /**
   * The moments of all vectors of {@code clean} ({@code id} unique, {@code features}), the same to
   * the bit for the same rows however they are partitioned or ordered: rows are hashed by id into
   * {@link #MOMENT_PARTITIONS} partitions, folded in id order (the input's row order after a
   * shuffle is fetch order) and the partitions' states merged in partition order.
   */
  static UnitVectorMoments moments(Dataset<Row> clean, int dimension) {
    JavaRDD<UnitVectorMoments> states = clean.select("id", "features")
        .repartition(MOMENT_PARTITIONS, col("id")).sortWithinPartitions("id")
        .select("features").toJavaRDD()
        .mapPartitions(new MomentsOfPartition(dimension));
    return OrderedMerge.inPartitionOrder(states, new MergeMoments()).orElseGet(() -> new UnitVectorMoments(dimension));
  }

  /**
   * Hubness from a cosine neighbour table ({@code item, rank, neighbour, score}): the
   * k-occurrence N_k(x) of each usable item (0 for items in nobody's list), its skewness,
   * and the biggest hubs, listed with titles when {@code metadata} ({@code id, title}) is given.
   */
  public static List<Check> hubness(Dataset<Row> clean, Dataset<Row> neighbours, int k, Dataset<Row> metadata,
      int topHubs, AuditThresholds t, RunOutput out) {
    Dataset<Row> occ = neighbours.groupBy(col("neighbour").as("id")).agg(count(lit(1)).as("occurrences"));
    Dataset<Row> all = clean.select("id").join(occ, "id", "left")
        .select(col("id"), coalesce(col("occurrences"), lit(0L)).as("occurrences"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long lists = neighbours.select("item").distinct().count();
    Row s = all.agg(skewness("occurrences"), max("occurrences"), count(lit(1))).first();
    double skew = s.isNullAt(0) ? Double.NaN : s.getDouble(0);
    long maxOcc = s.isNullAt(1) ? 0 : s.getLong(1);
    Dataset<Row> hubs = all.orderBy(desc("occurrences"), col("id")).limit(topHubs)
        .withColumn("share", col("occurrences").divide(Math.max(1, lists)));
    if (metadata != null) {
      hubs = hubs.join(metadata.select("id", "title"), hubs.col("id").equalTo(metadata.col("id")), "left")
          .select(hubs.col("id"), col("occurrences"), col("share"), col("title"));
    } else {
      hubs = hubs.withColumn("title", lit(null).cast("string"));
    }
    hubs = hubs.orderBy(desc("occurrences"), col("id"));
    out.writeTable(HUBS, hubs);
    List<String> top = new ArrayList<>();
    for (Row h : hubs.limit(5).collectAsList()) {
      top.add(h.getString(0) + (h.isNullAt(3) ? "" : " \"" + h.getString(3) + "\"") + " x" + h.getLong(1));
    }
    all.unpersist();
    double share = lists == 0 ? 0 : (double) maxOcc / lists;
    List<Check> checks = new ArrayList<>();
    checks.add(t.hubnessSkew().judge("geometry.hubness-skew", GROUP, withoutMergeNoise(skew), String.format(Locale.ROOT,
        "skewness of the %d-occurrence distribution over %,d items (0 for a symmetric one); top hubs: %s (see %s)",
        k, s.getLong(2), String.join(", ", top), HUBS)));
    checks.add(t.hubOccurrence().judge("geometry.hub-occurrence", GROUP, share, String.format(Locale.ROOT,
        "the biggest hub is in %,d of %,d top-%d lists", maxOcc, lists, k)));
    return checks;
  }

  /**
   * {@code v} to 12 significant digits, for the values computed by Spark's own aggregates
   * (SQL {@code mean}/{@code stddev_pop}/{@code skewness}, MLlib's Spearman correlation): they
   * merge partial results in the order shuffle blocks or tasks arrive, so the last bits vary from
   * run to run, and a snapshot must give the same report on any cluster. Values this class
   * aggregates itself ({@link #moments}) are merged in a fixed order and need no rounding.
   */
  static double withoutMergeNoise(double v) {
    if (!Double.isFinite(v) || v == 0) {
      return v;
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(12)).doubleValue();
  }

  /** One double column of a row. */
  static final class Column implements Function<Row, Double> {
    private static final long serialVersionUID = 1L;
    private final int index;

    Column(int index) {
      this.index = index;
    }

    @Override
    public Double call(Row r) {
      return r.getDouble(index);
    }
  }

  /** The moments of one partition's vectors (rows of {@code features array<float>}). */
  static final class MomentsOfPartition implements FlatMapFunction<Iterator<Row>, UnitVectorMoments> {
    private static final long serialVersionUID = 1L;
    private final int dimension;

    MomentsOfPartition(int dimension) {
      this.dimension = dimension;
    }

    @Override
    public Iterator<UnitVectorMoments> call(Iterator<Row> rows) {
      UnitVectorMoments m = new UnitVectorMoments(dimension);
      double[] v = new double[dimension];
      while (rows.hasNext()) {
        List<Object> f = rows.next().getList(0);
        for (int i = 0; i < dimension; i++) {
          v[i] = ((Number) f.get(i)).doubleValue();
        }
        m.add(v);
      }
      return List.of(m).iterator();
    }
  }

  /** Merges the second state into the first. */
  static final class MergeMoments implements Function2<UnitVectorMoments, UnitVectorMoments, UnitVectorMoments> {
    private static final long serialVersionUID = 1L;

    @Override
    public UnitVectorMoments call(UnitVectorMoments a, UnitVectorMoments b) {
      return a.merge(b);
    }
  }
}
