package org.cosineaudit.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.report.Report;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.similarity.NeighbourResult;
import org.cosineaudit.stability.PopularityStrata;

/**
 * {@code audit}: the scheduled check of a production embedding snapshot. Runs integrity,
 * geometry, drift (with {@code --baseline}) and meaning (with {@code --user-embeddings}) checks,
 * each with a value, its warning/failure levels and a status; writes {@code summary.json}
 * (machine-readable, for alerting) and the supporting tables into a new dated folder under
 * {@code --output} (never over an earlier audit), then points {@code OUTPUT/LATEST} at it.
 *
 * <p>Exit codes: 0 every check passed (warnings allowed), 1 a check failed (every output is still
 * written), 2 unusable input or usage (the message names the file).
 */
public final class AuditJob implements Job<AuditJob.Config> {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditJob.class);

  public static final String SUMMARY = "summary.json";
  /** Every check as a table: {@code name, group, status, value, bound, warn, threshold, detail}. */
  public static final String CHECKS = "checks";
  /** The baseline's broken vectors (same columns as {@link IntegrityChecks#OFFENDERS}). */
  public static final String BASELINE_OFFENDERS = "drift/baseline_offenders";

  /**
   * Validated configuration.
   *
   * @param embeddings the snapshot to audit (item factors)
   * @param userEmbeddings its user factors, or null (enables the meaning checks)
   * @param baseline the previous snapshot's item factors, or null (enables drift)
   * @param baselineUserEmbeddings the previous snapshot's user factors, or null (adds score-cosine drift)
   * @param metadata id to title, or null
   * @param popularity id to count, or null
   * @param popularityColumn the column of {@code popularity} that holds the count, or null to detect it
   * @param k neighbours per item for hubness, drift and meaning
   * @param seed seeds every random choice (rescalings)
   * @param gaugeRescalings random prediction-preserving rescalings tried
   * @param gaugeSpread standard deviation of the log of the rescaling factors
   * @param rboP RBO persistence
   * @param topItems how many hubs / most-changed items are listed
   * @param settings the resolved options (recorded in the manifests of the drift/meaning sub-runs)
   */
  public record Config(String embeddings, String userEmbeddings, String baseline, String baselineUserEmbeddings,
      String metadata, String popularity, String popularityColumn, int k, long seed, int gaugeRescalings,
      double gaugeSpread, double rboP, int topItems, AuditThresholds thresholds, OutputSpec output, Settings settings) {}

  /** What the audit found. */
  public record Result(List<Check> checks, Status overall, List<String> skipped, String summaryPath) {
    public boolean failed() {
      return overall == Status.FAIL;
    }
  }

  @Override
  public String name() {
    return "audit";
  }

  @Override
  public String summary() {
    return "audit an embedding snapshot: integrity, geometry, drift and meaning checks with thresholds and exit codes";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> own = new ArrayList<>();
    own.add(OptionSpec.requiredPath("embeddings", "item embeddings to audit: factors table (id, features)"));
    own.add(OptionSpec.path("user-embeddings", null, "user embeddings of the same model; enables the meaning checks"));
    own.add(OptionSpec.path("baseline", null, "the previous snapshot's item embeddings; enables the drift checks"));
    own.add(OptionSpec.path("baseline-user-embeddings", null,
        "the previous snapshot's user embeddings; adds score-cosine drift (with --user-embeddings)"));
    own.add(OptionSpec.path("metadata", null, "table of id and title, to name hubs and changed items"));
    own.add(OptionSpec.path("popularity", null, "item popularity for the norm-popularity correlation and drift by "
        + "decile: an 'id, count' table, an interactions table, or a table with item and --popularity-column"));
    own.add(OptionSpec.string("popularity-column", null, "the column of --popularity that holds popularity"));
    own.add(OptionSpec.integer("k", 20, 1, 1000, "neighbours per item for hubness, drift and meaning"));
    own.add(OptionSpec.longInt("seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the random rescalings"));
    own.add(OptionSpec.integer("gauge-rescalings", 3, 1, 100,
        "random diagonal rescalings (predictions unchanged) tried by the gauge check"));
    own.add(OptionSpec.real("gauge-spread", 1.0, 1e-3, 10.0,
        "standard deviation of the log of each rescaling factor (1: factors mostly within e^-2..e^2)"));
    own.add(OptionSpec.real("rbo-p", 0.9, 0.01, 0.999, "persistence of rank-biased overlap"));
    own.add(OptionSpec.integer("top-items", 20, 1, 10_000, "hubs and most-changed items listed"));
    own.addAll(AuditThresholds.options());
    return CommonOptions.withDatedOutput("out/audit", own);
  }

  @Override
  public Config configure(Settings s) {
    return configure(s, Instant.now());
  }

  /** The configuration of a run started at {@code startedAt} (names its dated output folder). */
  public Config configure(Settings s, Instant startedAt) {
    String users = s.optional("user-embeddings").orElse(null);
    String baselineUsers = s.optional("baseline-user-embeddings").orElse(null);
    String baseline = s.optional("baseline").orElse(null);
    if (baselineUsers != null && baseline == null) {
      throw new ConfigException("--baseline-user-embeddings needs --baseline (the baseline's item embeddings)");
    }
    if (baselineUsers != null && users == null) {
      throw new ConfigException("--baseline-user-embeddings needs --user-embeddings (the current snapshot's user "
          + "embeddings): score-cosine drift compares both");
    }
    if (s.isSet("popularity-column") && !s.isSet("popularity")) {
      throw new ConfigException("audit: --popularity-column needs --popularity");
    }
    return new Config(s.string("embeddings"), users, baseline, baselineUsers, s.optional("metadata").orElse(null),
        s.optional("popularity").orElse(null), s.optional("popularity-column").orElse(null), s.integer("k"),
        s.longInt("seed"), s.integer("gauge-rescalings"),
        s.real("gauge-spread"), s.real("rbo-p"), s.integer("top-items"), AuditThresholds.from(s),
        CommonOptions.datedOutputSpec(s, startedAt), s);
  }

  @Override
  public OutputSpec output(Config config) {
    return config.output();
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) {
    Result r = execute(spark, config, out);
    List<String> lines = new ArrayList<>();
    for (Check c : r.checks()) {
      lines.add(c.line());
    }
    for (String s : r.skipped()) {
      lines.add("skipped: " + s);
    }
    long failed = r.checks().stream().filter(c -> c.status() == Status.FAIL).count();
    long warned = r.checks().stream().filter(c -> c.status() == Status.WARN).count();
    lines.add(String.format(Locale.ROOT, "audit: %s (%d checks: %d failed, %d warned); summary in %s",
        r.overall(), r.checks().size(), failed, warned, r.summaryPath()));
    try {
      lines.add("audit: report " + Report.write(out).index());
    } catch (RuntimeException e) {
      // the verdict and its exit code stand; the page is a convenience
      LOG.warn("audit: the HTML report could not be written: {}", e.getMessage());
    }
    return r.failed() ? Outcome.checksFailed(lines) : Outcome.ok(lines);
  }

  /** Runs every applicable check and writes the results into {@code out}; usable from other jobs. */
  public static Result execute(SparkSession spark, Config c, RunOutput out) {
    List<Check> checks = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    AuditThresholds t = c.thresholds();
    out.recordInput("embeddings", c.embeddings());
    Dataset<Row> metadata = null;
    if (c.metadata() != null) {
      out.recordInput("metadata", c.metadata());
      metadata = AuditInputs.metadata(spark, c.metadata());
    }
    Dataset<Row> popularity = null;
    if (c.popularity() != null) {
      out.recordInput("popularity", c.popularity());
      popularity = PopularityStrata.read(spark, c.popularity(), c.popularityColumn());
    }

    IntegrityChecks.Result integrity;
    try (var stage = out.stage("integrity")) {
      integrity = IntegrityChecks.run(AuditInputs.embeddings(spark, c.embeddings()), c.embeddings(),
          IntegrityChecks.OFFENDERS, t, out);
      checks.addAll(integrity.checks());
    }
    Dataset<Row> clean = integrity.clean();
    if (integrity.usable() < 2) {
      String reason = "geometry, drift, meaning: fewer than 2 usable vectors in " + c.embeddings();
      skipped.add(reason);
      // checks that could not run are a warning, never a silent pass
      checks.add(Check.notJudged("integrity.usable-vectors", IntegrityChecks.GROUP, integrity.usable(),
          Check.Bound.AT_LEAST, 2, 0, "not checked: " + reason));
    } else {
      try (var stage = out.stage("geometry")) {
        GeometryChecks.Moments moments = GeometryChecks.moments(clean, integrity.dimension());
        checks.addAll(GeometryChecks.norms(clean, moments.norms(), t, out));
        if (popularity != null) {
          checks.add(GeometryChecks.normPopularity(clean, popularity.withColumnRenamed("item", "id"), t));
        } else {
          skipped.add("geometry.norm-popularity-spearman: no --popularity");
        }
        checks.addAll(GeometryChecks.anisotropy(moments.vectors(), integrity.dimension(), t, out));
      }
      if (c.k() >= integrity.usable() - 1) {
        LOG.warn("audit: --k {} >= usable vectors - 1 = {}: every top-k list holds every other item "
            + "(hub-occurrence is not judged; drift and meaning agreement says little); pass a smaller --k", c.k(),
            integrity.usable() - 1);
      }
      try (NeighbourResult cosine = cosineNeighbours(spark, clean, c, out)) {
        try (var stage = out.stage("hubness")) {
          checks.addAll(GeometryChecks.hubness(clean, cosine.neighbours(), c.k(), metadata, c.topItems(), t, out));
        }
        Dataset<Row> users = null;
        if (c.userEmbeddings() != null) {
          out.recordInput("user_embeddings", c.userEmbeddings());
          users = AuditInputs.embeddings(spark, c.userEmbeddings());
        }
        if (c.baseline() != null) {
          try (var stage = out.stage("drift")) {
            checks.addAll(drift(spark, c, clean, users, popularity, metadata, out));
          }
        } else {
          skipped.add("drift: no --baseline");
        }
        if (users != null) {
          try (var stage = out.stage("meaning")) {
            checks.addAll(MeaningChecks.run(spark, clean, integrity.dimension(), cosine, users, c, out));
          }
        } else {
          skipped.add("meaning: no --user-embeddings");
        }
      }
    }
    clean.unpersist();

    Status overall = Status.PASS;
    for (Check ch : checks) {
      overall = overall.worst(ch.status());
    }
    writeChecks(spark, checks, out);
    out.writeJson(SUMMARY, summary(c, checks, skipped, overall, integrity));
    return new Result(checks, overall, skipped, out.path(SUMMARY));
  }

  /** The cosine lists of the usable vectors: hubness reads them, meaning compares against them. */
  private static NeighbourResult cosineNeighbours(SparkSession spark, Dataset<Row> clean, Config c, RunOutput out) {
    try (var stage = out.stage("neighbours")) {
      NeighbourResult cosine = DriftChecks.neighbours(spark, clean.select("id", "features"), null, Measure.COSINE, c,
          "usable embeddings of " + c.embeddings(), null);
      out.manifest().detail("neighbours_cosine", cosine.summary());
      return cosine;
    }
  }

  /** Reads the baseline (its broken vectors are listed in drift/baseline_offenders and left out) and compares. */
  private static List<Check> drift(SparkSession spark, Config c, Dataset<Row> clean, Dataset<Row> users,
      Dataset<Row> popularity, Dataset<Row> metadata, RunOutput out) {
    out.recordInput("baseline", c.baseline());
    IntegrityChecks.Result base = IntegrityChecks.run(AuditInputs.embeddings(spark, c.baseline()), c.baseline(),
        BASELINE_OFFENDERS, c.thresholds(), out);
    out.manifest().detail("baseline", Map.of("vectors", base.vectors(), "usable_vectors", base.usable(),
        "dimension", base.dimension()));
    Dataset<Row> baseUsers = null;
    if (c.baselineUserEmbeddings() != null && users != null) {
      out.recordInput("baseline_user_embeddings", c.baselineUserEmbeddings());
      baseUsers = AuditInputs.embeddings(spark, c.baselineUserEmbeddings());
    }
    try {
      return DriftChecks.run(spark, new DriftChecks.Inputs(clean, base.clean(), users, baseUsers, popularity, metadata),
          c, out);
    } finally {
      base.clean().unpersist();
    }
  }

  static final StructType CHECKS_SCHEMA = new StructType()
      .add("name", DataTypes.StringType, false)
      .add("group", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType, true)
      .add("bound", DataTypes.StringType, false)
      .add("warn", DataTypes.DoubleType, false)
      .add("threshold", DataTypes.DoubleType, false)
      .add("detail", DataTypes.StringType, false);

  private static void writeChecks(SparkSession spark, List<Check> checks, RunOutput out) {
    List<Row> rows = new ArrayList<>();
    for (Check ch : checks) {
      rows.add(RowFactory.create(ch.name(), ch.group(), ch.status().name(),
          Double.isFinite(ch.value()) ? ch.value() : null, ch.bound().name(), ch.warn(), ch.threshold(), ch.detail()));
    }
    out.writeTable(CHECKS, spark.createDataFrame(rows, CHECKS_SCHEMA).coalesce(1));
  }

  /** The machine-readable summary: overall status, exit code, every check, what was skipped. */
  static ObjectNode summary(Config c, List<Check> checks, List<String> skipped, Status overall,
      IntegrityChecks.Result integrity) {
    ObjectNode root = Manifest.JSON.createObjectNode();
    root.put("overall", overall.name());
    root.put("exit_code", overall == Status.FAIL ? 1 : 0);
    Map<Status, Integer> counts = new LinkedHashMap<>();
    for (Status s : Status.values()) {
      counts.put(s, 0);
    }
    for (Check ch : checks) {
      counts.merge(ch.status(), 1, Integer::sum);
    }
    ObjectNode cn = root.putObject("counts");
    counts.forEach((s, n) -> cn.put(s.name().toLowerCase(Locale.ROOT), n));
    ObjectNode in = root.putObject("inputs");
    in.put("embeddings", c.embeddings());
    putIfSet(in, "user_embeddings", c.userEmbeddings());
    putIfSet(in, "baseline", c.baseline());
    putIfSet(in, "baseline_user_embeddings", c.baselineUserEmbeddings());
    putIfSet(in, "metadata", c.metadata());
    putIfSet(in, "popularity", c.popularity());
    ObjectNode snap = root.putObject("snapshot");
    snap.put("vectors", integrity.vectors());
    snap.put("usable_vectors", integrity.usable());
    snap.put("dimension", integrity.dimension());
    snap.put("k", c.k());
    ArrayNode arr = root.putArray("checks");
    for (Check ch : checks) {
      ObjectNode o = arr.addObject();
      o.put("name", ch.name());
      o.put("group", ch.group());
      o.put("status", ch.status().name());
      if (Double.isFinite(ch.value())) {
        o.put("value", ch.value());
      } else {
        o.putNull("value");
      }
      o.put("bound", ch.bound().name());
      o.put("warn", ch.warn());
      o.put("threshold", ch.threshold());
      o.put("detail", ch.detail());
    }
    ArrayNode sk = root.putArray("skipped");
    skipped.forEach(sk::add);
    return root;
  }

  private static void putIfSet(ObjectNode o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }
}
