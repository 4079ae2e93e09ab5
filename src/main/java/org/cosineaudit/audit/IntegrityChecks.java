package org.cosineaudit.audit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.RunOutput;

/**
 * Integrity checks of one embedding snapshot: dimension, non-finite components, zero and
 * near-zero norms, duplicate ids. Everything is counted on the executors (one pass for the
 * per-vector facts, small group-bys for the counts); the driver sees counts and at most
 * {@value #EXAMPLES} example ids per problem. Broken vectors are reported, written to
 * {@code integrity/offenders} and left out of the later checks; they never stop the audit.
 */
public final class IntegrityChecks {

  public static final String GROUP = "integrity";
  /** Table of every vector with a problem: {@code id, problem, dimension, norm}. */
  public static final String OFFENDERS = "integrity/offenders";
  static final int EXAMPLES = 5;

  static final String DIMENSION = "dimension";
  static final String NON_FINITE = "non-finite";
  static final String ZERO_NORM = "zero-norm";
  static final String NEAR_ZERO_NORM = "near-zero-norm";
  static final String DUPLICATE_ID = "duplicate-id";

  private IntegrityChecks() {}

  /**
   * What integrity found, and the usable vectors for the other checks.
   *
   * @param clean {@code id, features array<float>, norm double}: right dimension, finite,
   *     non-zero, unique id (near-zero vectors stay: they have a direction); persisted
   * @param dimension the common dimension (the most frequent vector length)
   * @param vectors rows read
   */
  public record Result(List<Check> checks, Dataset<Row> clean, int dimension, long vectors, long usable) {}

  static final StructType FACTS = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true)
      .add("dim", DataTypes.IntegerType, false)
      .add("finite", DataTypes.BooleanType, false)
      .add("norm", DataTypes.DoubleType, false);

  /**
   * Runs the checks on {@code vectors} ({@code id string, features array<double>}, as read by
   * {@link AuditInputs#embeddings}).
   *
   * @param source the path, for messages
   * @param offendersTable where the broken vectors are listed ({@link #OFFENDERS} for the audited snapshot)
   * @throws InputException when no row has a vector at all (an unusable file, exit 2)
   */
  public static Result run(Dataset<Row> vectors, String source, String offendersTable, AuditThresholds t,
      RunOutput out) {
    Dataset<Row> facts = vectors.map(new VectorFacts(), Encoders.row(FACTS))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long n = facts.count();

    // the common dimension: the most frequent length (few distinct lengths, so the group-by is tiny)
    List<Row> lengths = facts.groupBy("dim").count().orderBy(desc("count"), col("dim")).limit(20).collectAsList();
    int dim = 0;
    for (Row r : lengths) {
      if (r.getInt(0) > 0) {
        dim = r.getInt(0);
        break;
      }
    }

    if (dim == 0) {
      facts.unpersist();
      throw new InputException("embeddings " + source + ": " + (n == 0 ? "no rows" : "no vector has any component")
          + "; expected Parquet (id, features), CSV with the header id,f0,...,f{d-1} or id,features, or word2vec/GloVe text");
    }
    Dataset<Row> healthy = facts.filter(col("dim").equalTo(dim).and(col("finite")).and(col("norm").gt(0)));
    double median = median(healthy);
    Dataset<Row> dupIds = facts.groupBy("id").count().filter(col("count").gt(1)).select(col("id").as("dup_id"));

    Column problem = when(col("dim").notEqual(dim), lit(DIMENSION))
        .when(col("finite").equalTo(false), lit(NON_FINITE))
        .when(col("norm").equalTo(0.0), lit(ZERO_NORM))
        .when(col("norm").lt(t.nearZeroNormRatio() * median), lit(NEAR_ZERO_NORM));
    // a vector with a duplicated id is listed once per row; its own problem, if any, wins
    Dataset<Row> flagged = facts
        .join(dupIds, facts.col("id").eqNullSafe(dupIds.col("dup_id")), "left")
        .withColumn("problem", problem)
        .withColumn("duplicate", col("dup_id").isNotNull().or(col("id").isNull()))
        .persist(StorageLevel.MEMORY_AND_DISK());

    Dataset<Row> offenders = flagged.filter(col("problem").isNotNull().or(col("duplicate")))
        .select(col("id"), when(col("problem").isNull(), lit(DUPLICATE_ID)).otherwise(col("problem")).as("problem"),
            col("duplicate"), col("dim").as("dimension"), col("norm"));
    out.writeTable(offendersTable, offenders);

    // one small group-by gives every count; example ids are fetched only for problems that occur
    Map<String, Long> counts = new HashMap<>();
    long duplicateRows = 0;
    for (Row r : flagged.groupBy("problem", "duplicate").count().collectAsList()) {
      counts.merge(r.isNullAt(0) ? "ok" : r.getString(0), r.getLong(2), Long::sum);
      duplicateRows += r.getBoolean(1) ? r.getLong(2) : 0;
    }

    List<Check> checks = new ArrayList<>();
    checks.add(t.dimensionMismatch().judge("integrity.dimension", GROUP, fraction(counts, DIMENSION, n),
        detail(offendersTable, flagged, counts, DIMENSION, n, "vectors without " + dim + " components" + lengthsText(lengths, dim))));
    checks.add(t.nonFinite().judge("integrity.non-finite", GROUP, fraction(counts, NON_FINITE, n),
        detail(offendersTable, flagged, counts, NON_FINITE, n, "vectors with NaN or infinite components")));
    checks.add(t.zeroNorm().judge("integrity.zero-norm", GROUP, fraction(counts, ZERO_NORM, n),
        detail(offendersTable, flagged, counts, ZERO_NORM, n, "all-zero vectors (no direction: cosine undefined)")));
    checks.add(t.nearZeroNorm().judge("integrity.near-zero-norm", GROUP, fraction(counts, NEAR_ZERO_NORM, n),
        detail(offendersTable, flagged, counts, NEAR_ZERO_NORM, n, String.format(Locale.ROOT,
            "vectors with norm < %.3g (%.3g x median norm %.4g)", t.nearZeroNormRatio() * median,
            t.nearZeroNormRatio(), median))));
    List<String> dupExamples = duplicateRows == 0 ? List.of()
        : flagged.filter(col("duplicate")).select("id").distinct().orderBy("id").limit(EXAMPLES)
            .as(Encoders.STRING()).collectAsList();
    checks.add(t.duplicateIds().judge("integrity.duplicate-ids", GROUP, n == 0 ? 0 : (double) duplicateRows / n,
        detail(offendersTable, duplicateRows, n, "vectors whose id is missing or occurs more than once (all copies excluded)",
            dupExamples)));

    Dataset<Row> clean = flagged
        .filter(col("duplicate").equalTo(false)
            .and(col("problem").isNull().or(col("problem").equalTo(NEAR_ZERO_NORM))))
        .select("id", "features", "norm")
        .persist(StorageLevel.MEMORY_AND_DISK());
    long usable = clean.count();
    flagged.unpersist();
    facts.unpersist();
    return new Result(checks, clean, dim, n, usable);
  }

  private static double median(Dataset<Row> healthy) {
    double[] q = healthy.stat().approxQuantile("norm", new double[] {0.5}, 1e-3);
    return q.length == 0 || Double.isNaN(q[0]) ? 0 : q[0];
  }

  private static double fraction(Map<String, Long> counts, String key, long n) {
    return n == 0 ? 0 : (double) counts.getOrDefault(key, 0L) / n;
  }

  /** The count of one problem with its first ids (by id), queried only when there are any. */
  private static String detail(String table, Dataset<Row> flagged, Map<String, Long> counts, String problem, long n,
      String what) {
    long count = counts.getOrDefault(problem, 0L);
    List<String> examples = count == 0 ? List.of()
        : flagged.filter(col("problem").equalTo(problem)).select("id").orderBy("id").limit(EXAMPLES)
            .as(Encoders.STRING()).collectAsList();
    return detail(table, count, n, what, examples);
  }

  private static String lengthsText(List<Row> lengths, int dim) {
    StringBuilder sb = new StringBuilder();
    for (Row r : lengths) {
      if (r.getInt(0) != dim) {
        sb.append(sb.length() == 0 ? " (lengths found: " : ", ")
            .append(r.getInt(0) < 0 ? "none" : Integer.toString(r.getInt(0))).append(" x").append(r.getLong(1));
      }
    }
    return sb.length() == 0 ? "" : sb.append(')').toString();
  }

  private static String detail(String table, long count, long n, String what, List<String> examples) {
    String s = String.format(Locale.ROOT, "%,d of %,d %s", count, n, what);
    if (!examples.isEmpty()) {
      s += "; e.g. " + String.join(", ", examples.stream().map(x -> x == null ? "<null id>" : x).toList())
          + (count > examples.size() ? ", ..." : "") + " (all in " + table + ")";
    }
    return s;
  }

  /**
   * Per vector: its length (-1 when missing), whether every component is finite, and its norm
   * (0 when not finite, so that sums stay defined; {@code finite} tells them apart). Features
   * become {@code float} here, the factors contract's type.
   */
  static final class VectorFacts implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(Row r) {
      String id = r.isNullAt(0) ? null : r.getString(0);
      if (r.isNullAt(1)) {
        return RowFactory.create(id, null, -1, false, 0.0);
      }
      List<Object> xs = r.getList(1);
      float[] f = new float[xs.size()];
      boolean finite = true;
      double sq = 0;
      for (int i = 0; i < f.length; i++) {
        Object o = xs.get(i);
        double x = o == null ? Double.NaN : ((Number) o).doubleValue();
        // a double that overflows float is as unusable as an infinite one
        float fx = (float) x;
        if (!Float.isFinite(fx)) {
          finite = false;
        }
        f[i] = fx;
        sq += (double) fx * fx;
      }
      double norm = finite ? Math.sqrt(sq) : 0.0;
      // a primitive array: the row encoder takes arrays or Scala Seqs, not java.util.List
      return RowFactory.create(id, finite ? f : null, f.length, finite, norm);
    }
  }
}
