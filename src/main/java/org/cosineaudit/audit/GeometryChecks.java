package org.cosineaudit.audit;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
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

  /**
   * Norm distribution: mean, spread, quantiles; the check is the coefficient of variation. The
   * mean and spread come from {@link #moments} (the same bits on every run); count, min and
   * max are exact in any order.
   */
  public static List<Check> norms(Dataset<Row> clean, NormMoments m, AuditThresholds t, RunOutput out) {
    Row s = clean.agg(count(lit(1)), org.apache.spark.sql.functions.min("norm"), max("norm")).first();
    double[] q = clean.stat().approxQuantile("norm", new double[] {0.01, 0.5, 0.99}, 1e-3);
    double meanNorm = m.mean();
    double sd = m.populationSd();
    out.manifest().detail("norms", java.util.Map.of("mean", meanNorm, "stddev", sd,
        "p01", q.length > 0 ? q[0] : Double.NaN, "median", q.length > 1 ? q[1] : Double.NaN,
        "p99", q.length > 2 ? q[2] : Double.NaN));
    String detail = q.length < 3 ? "no vectors" : String.format(Locale.ROOT,
        "norms: mean %.4g, stddev %.4g, min %.4g, p01 %.4g, median %.4g, p99 %.4g, max %.4g",
        meanNorm, sd, s.getDouble(1), q[0], q[1], q[2], s.getDouble(2));
    return List.of(t.normCv().judge("geometry.norm-cv", GROUP, sd / meanNorm, detail));
  }

  /**
   * Spearman correlation of norm with popularity over the ids in both (ties get average ranks),
   * distributed and exact to the bit on every run ({@link RankCorrelation}).
   *
   * @param popularity {@code id string, popularity double}
   */
  public static Check normPopularity(Dataset<Row> clean, Dataset<Row> popularity, AuditThresholds t) {
    Dataset<Row> joined = clean.select("id", "norm").join(popularity, "id")
        .select(col("norm"), col("popularity").cast("double"))
        .where(col("popularity").isNotNull()) // n counts the pairs ranked
        .persist(StorageLevel.MEMORY_AND_DISK());
    long n = joined.count();
    double rho = n >= 3 ? RankCorrelation.spearman(joined, "norm", "popularity") : Double.NaN;
    joined.unpersist();
    return t.normPopularitySpearman().judge("geometry.norm-popularity-spearman", GROUP, rho,
        String.format(Locale.ROOT, "Spearman rank correlation of norm and popularity over %,d items%s", n,
        n < 3 ? " (too few ids in both to compute it)"
            : rho > 0 ? ": popular items have longer vectors, so dot and cosine rank differently" : ""));
  }

  /**
   * Partitions the moments are accumulated in. Fixed, not the input's partitioning nor
   * {@code spark.sql.shuffle.partitions}: the sums, hence the reported values' last bits,
   * depend on how the vectors are split, and a snapshot must give the same report on any cluster.
   */
  static final int MOMENT_PARTITIONS = OrderedMerge.FIXED_PARTITIONS;

  /** The norm moments and the unit-vector moments of the same vectors. */
  record Moments(NormMoments norms, UnitVectorMoments vectors) implements java.io.Serializable {
    Moments(int dimension) {
      this(new NormMoments(), new UnitVectorMoments(dimension));
    }

    /** Adds {@code o} into this one and returns this. */
    Moments merge(Moments o) {
      norms.merge(o.norms);
      vectors.merge(o.vectors);
      return this;
    }
  }

  /**
   * The moments of all vectors of {@code clean} ({@code id} unique, {@code norm}, {@code features}),
   * from one pass, the same to the bit for the same rows however they are partitioned or ordered:
   * rows are hashed by id into {@link #MOMENT_PARTITIONS} partitions, folded in id order (the
   * input's row order after a shuffle is fetch order) and the partitions' states merged in
   * partition order.
   */
  static Moments moments(Dataset<Row> clean, int dimension) {
    JavaRDD<Moments> states = clean.select("id", "norm", "features").repartition(MOMENT_PARTITIONS, col("id"))
        .sortWithinPartitions("id").select("norm", "features").toJavaRDD()
        .mapPartitions(new MomentsOfPartition(dimension));
    return OrderedMerge.inPartitionOrder(states, Moments::merge).orElseGet(() -> new Moments(dimension));
  }

  /** Count, mean and sum of squared deviations (Welford; partitions merged as Chan et al.). */
  static final class NormMoments implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    long n;
    double mean;
    double m2;

    void add(double x) {
      n++;
      double delta = x - mean;
      mean += delta / n;
      m2 += delta * (x - mean);
    }

    NormMoments merge(NormMoments o) {
      if (o.n == 0) {
        return this;
      }
      if (n == 0) {
        n = o.n;
        mean = o.mean;
        m2 = o.m2;
        return this;
      }
      long total = n + o.n;
      double delta = o.mean - mean;
      mean += delta * o.n / total;
      m2 += o.m2 + delta * delta * ((double) n * o.n / total);
      n = total;
      return this;
    }

    /** NaN without values. */
    double mean() {
      return n == 0 ? Double.NaN : mean;
    }

    /** Population standard deviation; NaN without values. */
    double populationSd() {
      return n == 0 ? Double.NaN : Math.sqrt(Math.max(0, m2 / n));
    }
  }

  /** Mean pairwise cosine and first-principal-direction share, from executor-side moments. */
  public static List<Check> anisotropy(UnitVectorMoments m, int dimension, AuditThresholds t, RunOutput out) {
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
   * Hubness from a cosine neighbour table ({@code item, rank, neighbour, score}): the
   * k-occurrence N_k(x) of each usable item (0 for items in nobody's list), its skewness,
   * and the biggest hubs, listed with titles when {@code metadata} ({@code id, title}) is given.
   * With k &gt;= items - 1 every list holds every other item, so hub-occurrence is a WARN saying so,
   * never a FAIL.
   */
  public static List<Check> hubness(Dataset<Row> clean, Dataset<Row> neighbours, int k, Dataset<Row> metadata,
      int topHubs, AuditThresholds t, RunOutput out) {
    Dataset<Row> occ = neighbours.groupBy(col("neighbour").as("id")).agg(count(lit(1)).as("occurrences"));
    Dataset<Row> all = clean.select("id").join(occ, "id", "left")
        .select(col("id"), coalesce(col("occurrences"), lit(0L)).as("occurrences"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long lists = neighbours.select("item").distinct().count();
    // integer sums, exact in any order (decimal: the sum of cubes outgrows a long), so the
    // skewness is the same to the bit on every run
    Column x = col("occurrences").cast("decimal(38,0)");
    Row s = all.agg(sum(x), sum(x.multiply(x)), max("occurrences"), count(lit(1)), sum(x.multiply(x).multiply(x)))
        .first();
    long maxOcc = s.isNullAt(2) ? 0 : s.getLong(2);
    double skew = s.getLong(3) == 0 ? Double.NaN : skewness(s.getLong(3), s.getDecimal(0).toBigIntegerExact(),
        s.getDecimal(1).toBigIntegerExact(), s.getDecimal(4).toBigIntegerExact());
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
    checks.add(t.hubnessSkew().judge("geometry.hubness-skew", GROUP, skew, String.format(Locale.ROOT,
        "skewness of the %d-occurrence distribution over %,d items (0 for a symmetric one); top hubs: %s (see %s)",
        k, s.getLong(3), String.join(", ", top), HUBS)));
    String detail = String.format(Locale.ROOT, "the biggest hub is in %,d of %,d top-%d lists", maxOcc, lists, k);
    long items = s.getLong(3);
    if (items > 0 && k >= items - 1) {
      // every list holds every other item: the share is (n-1)/n whatever the geometry, so it
      // says nothing about hubs; a warning, not a failure
      AuditThresholds.Levels l = t.hubOccurrence();
      checks.add(Check.notJudged("geometry.hub-occurrence", GROUP, share, l.bound(), l.warn(), l.fail(),
          String.format(Locale.ROOT, "not judged: k = %d >= items - 1 = %,d, so every list holds every other item; "
              + "pass --k below %,d (%s)", k, items - 1, items - 1, detail)));
    } else {
      checks.add(t.hubOccurrence().judge("geometry.hub-occurrence", GROUP, share, detail));
    }
    return checks;
  }

  /**
   * Population skewness (Spark's {@code skewness}) from exact sums of x, x² and x³ over n values:
   * with A = n²·S3 − 3n·S1·S2 + 2·S1³ and B = n·S2 − S1² (both exact), it is A / B^1.5. When all
   * values are equal (B = 0; Spark says NaN) it is 0: every item in equally many lists is the
   * hub-free ideal, not an undefined case to warn about. NaN for no values.
   */
  static double skewness(long n, java.math.BigInteger s1, java.math.BigInteger s2, java.math.BigInteger s3) {
    java.math.BigInteger bn = java.math.BigInteger.valueOf(n);
    java.math.BigInteger b = bn.multiply(s2).subtract(s1.multiply(s1));
    if (n == 0) {
      return Double.NaN;
    }
    if (b.signum() == 0) {
      return 0;
    }
    java.math.BigInteger a = bn.multiply(bn).multiply(s3)
        .subtract(java.math.BigInteger.valueOf(3).multiply(bn).multiply(s1).multiply(s2))
        .add(java.math.BigInteger.TWO.multiply(s1.pow(3)));
    double bd = b.doubleValue();
    return a.doubleValue() / (bd * Math.sqrt(bd));
  }

  /** The moments of one partition's rows ({@code norm double, features array<float>}), in row order. */
  static final class MomentsOfPartition implements FlatMapFunction<Iterator<Row>, Moments> {
    private static final long serialVersionUID = 1L;
    private final int dimension;

    MomentsOfPartition(int dimension) {
      this.dimension = dimension;
    }

    @Override
    public Iterator<Moments> call(Iterator<Row> rows) {
      Moments m = new Moments(dimension);
      double[] v = new double[dimension];
      while (rows.hasNext()) {
        Row r = rows.next();
        m.norms().add(r.getDouble(0));
        List<Object> f = r.getList(1);
        for (int i = 0; i < dimension; i++) {
          v[i] = ((Number) f.get(i)).doubleValue();
        }
        m.vectors().add(v);
      }
      return List.of(m).iterator();
    }
  }
}
