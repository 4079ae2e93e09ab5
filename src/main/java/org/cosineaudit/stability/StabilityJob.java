package org.cosineaudit.stability;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.EmbeddingReader;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.similarity.EngineOptions;
import org.cosineaudit.similarity.ItemNeighbours;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.similarity.NeighbourResult;

/**
 * {@code stability}: how much do two or more neighbour tables agree, item by item, and where
 * (which popularity deciles) do they not? Reads neighbour tables given by path, or every
 * model of a sweep output; writes {@code stability/summary} (+ {@code summary.json}),
 * {@code stability/unmatched}, and with {@code --per-item} {@code stability/items}.
 */
public final class StabilityJob implements Job<StabilityJob.Config> {

  /** Tables written, relative to the run directory. */
  public static final String ITEMS = "stability/items";
  public static final String SUMMARY = "stability/summary";
  public static final String SUMMARY_JSON = "stability/summary.json";
  public static final String UNMATCHED = "stability/unmatched";
  public static final String SPACES = "stability/spaces";
  public static final String GAUGE = "stability/gauge";
  public static final String GAUGE_PREDICTIONS = "stability/gauge_predictions";

  /** Measures the similarity stage writes, as {@code neighbours/<measure>} folder names. */
  public static final List<String> MEASURES = List.of("cosine", "dot", "score-cosine", "centered-cosine");

  public static final StructType SUMMARY_SCHEMA = new StructType()
      .add("a", DataTypes.StringType, false)
      .add("b", DataTypes.StringType, false)
      .add("metric", DataTypes.StringType, false)
      .add("stratum", DataTypes.StringType, false)
      .add("n_items", DataTypes.LongType, false)
      .add("mean", DataTypes.DoubleType, true)
      .add("median", DataTypes.DoubleType, true)
      .add("p10", DataTypes.DoubleType, true)
      .add("p90", DataTypes.DoubleType, true)
      .add("ci_low", DataTypes.DoubleType, true)
      .add("ci_high", DataTypes.DoubleType, true);

  /**
   * Validated configuration.
   *
   * @param neighbours neighbour table paths (explicit mode), empty in sweep mode
   * @param run sweep output directory (sweep mode), or null
   * @param baseline compare every table against this one (a path of {@code neighbours} or a
   *     model id of the sweep); null = every pair
   */
  public record Config(List<String> neighbours, String run, String measure, String baseline,
      NeighbourAgreement.Options options, boolean perItem, String popularity, String popularityColumn, String labels,
      List<String> factors, Gauge gauge, OutputSpec output) {

    /** Whether neighbour tables are compared (otherwise only the gauge check runs). */
    public boolean comparesTables() {
      return run != null || !neighbours.isEmpty();
    }
  }

  /**
   * The gauge check ({@link GaugeCheck}); {@code draws} = 0 turns it off.
   *
   * @param spread standard deviation of the log rescaling factors
   * @param sample users and items sampled for the prediction check
   */
  public record Gauge(int draws, String userFactors, String itemFactors, double spread, int sample) {}

  /**
   * What a run produced; {@code agreement} is null when only the gauge ran, {@code spaces} and
   * {@code gauge} are empty / null when not asked for.
   */
  public record Result(NeighbourAgreement.Result agreement, List<String> tableNames, List<String> skippedModels,
      List<SpaceComparison.SpaceRow> spaces, GaugeCheck.Result gauge) {}

  @Override
  public String name() {
    return "stability";
  }

  @Override
  public String summary() {
    return "per-item agreement of neighbour lists (jaccard, RBO, Kendall, footrule, ...) with bootstrap CIs by popularity";
  }

  /** The options shared with jobs that compose this one (demo). */
  public static List<OptionSpec> agreementOptions() {
    return List.of(
        OptionSpec.integer("k", 0, 0, 100_000, "evaluation depth: compare the top k of each list (0: the smallest "
            + "largest rank among the tables)"),
        OptionSpec.real("rbo-p", 0.9, 0.01, 0.999, "rank-biased overlap persistence p (0.9: the top 10 ranks "
            + "carry about 86% of the weight)"),
        OptionSpec.real("kendall-p", 0.5, 0.0, 1.0, "penalty of Fagin's top-k Kendall distance for a pair of items "
            + "that only one list ranks"),
        OptionSpec.integer("bootstrap", 200, 0, 100_000, "Poisson-bootstrap replicates for the 95% interval of "
            + "each mean (0: no interval)"),
        OptionSpec.longInt("seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE, "bootstrap seed; same seed, same interval"),
        OptionSpec.integer("percentile-accuracy", 10_000, 100, 10_000_000, "accuracy of the approximate "
            + "percentiles (rank error at most n_items / accuracy; exact below that many items)"));
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> own = new ArrayList<>();
    own.add(OptionSpec.paths("neighbours", "two or more neighbour tables (item, rank, neighbour, score; Parquet "
        + "or CSV) to compare; or use --run"));
    own.add(OptionSpec.path("run", null, "a sweep output directory: compares the neighbour tables of its models "
        + "(model_index, models/<id>/neighbours/<measure>)"));
    own.add(OptionSpec.choice("measure", "cosine", MEASURES, "with --run: which neighbour table of each model"));
    own.add(OptionSpec.string("baseline", null, "compare each table with this one only (a --neighbours path or a "
        + "model id of --run); default: every pair"));
    own.addAll(agreementOptions());
    own.add(OptionSpec.flag("per-item", "also write stability/items (one row per item and pair)"));
    own.add(OptionSpec.path("popularity", null, "item popularity for decile strata: an interactions table, an "
        + "'id, count' table, or a table with item and --popularity-column"));
    own.add(OptionSpec.string("popularity-column", null, "the column of --popularity that holds popularity"));
    own.add(OptionSpec.path("labels", null, "items table with item and cluster columns (e.g. generate's items): "
        + "adds cluster_precision_a/b"));
    own.add(OptionSpec.paths("factors", "factor tables (id, features) or embeddings (CSV id,f0,..., word2vec "
        + "text) to compare as spaces: linear CKA and the orthogonal Procrustes residual of every pair (with --run: the models' item factors, automatically)"));
    own.add(OptionSpec.integer("gauge", 0, 0, 1_000, "gauge check: N random diagonal rescalings and N random "
        + "rotations of --user-factors/--item-factors that keep every prediction; 0 = off"));
    own.add(OptionSpec.path("user-factors", null, "with --gauge: the model's user factors (id, features; or CSV "
        + "id,f0,..., word2vec text)"));
    own.add(OptionSpec.path("item-factors", null, "with --gauge: the model's item factors (id, features; or CSV "
        + "id,f0,..., word2vec text)"));
    own.add(OptionSpec.real("gauge-spread", 1.0, 0.0, 10.0, "with --gauge: standard deviation of the log of the "
        + "rescaling factors (1: factors of about e^+-1 per dimension)"));
    own.add(OptionSpec.integer("gauge-sample", 200, 1, 100_000, "with --gauge: users and items sampled for the "
        + "prediction check (sample x sample pairs)"));
    return CommonOptions.with("out/stability", own);
  }

  @Override
  public Config configure(Settings s) {
    List<String> neighbours = s.list("neighbours");
    String run = s.optional("run").orElse(null);
    int gaugeDraws = s.integer("gauge");
    if (!neighbours.isEmpty() && run != null) {
      throw new ConfigException("stability: give either --neighbours PATH PATH... or --run DIR, not both");
    }
    if (neighbours.isEmpty() && run == null && gaugeDraws == 0) {
      throw new ConfigException("stability: give --neighbours PATH PATH..., --run DIR, or --gauge N with "
          + "--user-factors and --item-factors");
    }
    if (run == null && neighbours.size() == 1) {
      throw new ConfigException("stability: --neighbours needs at least two tables, got " + neighbours.size());
    }
    String baseline = s.optional("baseline").orElse(null);
    if (baseline != null && run == null && !neighbours.contains(baseline)) {
      throw new ConfigException("stability: --baseline '" + baseline + "' is not one of --neighbours " + neighbours);
    }
    if (s.isSet("popularity-column") && !s.isSet("popularity")) {
      throw new ConfigException("stability: --popularity-column needs --popularity");
    }
    List<String> factors = s.list("factors");
    if (factors.size() == 1) {
      throw new ConfigException("stability: --factors needs at least two tables, got 1");
    }
    if (!factors.isEmpty() && run != null) {
      throw new ConfigException("stability: --factors is for explicit tables; with --run the models' item factors "
          + "are compared automatically");
    }
    Gauge gauge = new Gauge(gaugeDraws, s.optional("user-factors").orElse(null),
        s.optional("item-factors").orElse(null), s.real("gauge-spread"), s.integer("gauge-sample"));
    if (gaugeDraws > 0 && (gauge.userFactors() == null || gauge.itemFactors() == null)) {
      throw new ConfigException("stability: --gauge " + gaugeDraws + " needs --user-factors and --item-factors (the "
          + "gauge check rescales both)");
    }
    return new Config(neighbours, run, s.string("measure"), baseline, options(s), s.flag("per-item"),
        s.optional("popularity").orElse(null), s.optional("popularity-column").orElse(null),
        s.optional("labels").orElse(null), factors, gauge, CommonOptions.outputSpec(s));
  }

  /** Reads {@link #agreementOptions()} from settings that include them. */
  public static NeighbourAgreement.Options options(Settings s) {
    return new NeighbourAgreement.Options(s.integer("k"), s.real("rbo-p"), s.real("kendall-p"), s.integer("bootstrap"),
        s.longInt("seed"), s.integer("percentile-accuracy"));
  }

  @Override
  public OutputSpec output(Config config) {
    return config.output();
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) {
    Result r = execute(spark, config, out);
    try {
      return Outcome.ok(lines(r, out));
    } finally {
      if (r.agreement() != null) {
        r.agreement().release();
      }
    }
  }

  /** Reads the inputs named by {@code config}, compares, writes; usable from other jobs. */
  public static Result execute(SparkSession spark, Config config, RunOutput out) {
    Result compared = config.comparesTables() ? compareTables(spark, config, out)
        : new Result(null, List.of(), List.of(), List.of(), null);
    List<SpaceComparison.SpaceRow> spaces = compared.spaces();
    if (!config.factors().isEmpty()) {
      List<SpaceComparison.NamedFactors> factors = new ArrayList<>();
      for (String p : config.factors()) {
        out.recordInput("factors", p);
        factors.add(new SpaceComparison.NamedFactors(p, EmbeddingReader.read(spark, p)));
      }
      spaces = writeSpaces(spark, factors, NeighbourAgreement.allPairs(factors.size()), out);
    }
    GaugeCheck.Result gauge = null;
    if (config.gauge().draws() > 0) {
      Gauge g = config.gauge();
      out.recordInput("user_factors", g.userFactors());
      out.recordInput("item_factors", g.itemFactors());
      int k = config.options().k() > 0 ? config.options().k() : GAUGE_DEFAULT_K;
      gauge = gauge(spark, EmbeddingReader.read(spark, g.userFactors()), EmbeddingReader.read(spark, g.itemFactors()),
          new GaugeCheck.Settings(g.draws(), g.spread(), config.options().seed(), k, g.sample(),
              EngineOptions.defaults(), config.options()), out);
    }
    return new Result(compared.agreement(), compared.tableNames(), compared.skippedModels(), spaces, gauge);
  }

  /** Neighbours per item in the gauge check when --k is 0 (there is no table to take k from). */
  public static final int GAUGE_DEFAULT_K = 20;

  /** Runs the gauge check and writes {@link #GAUGE} and {@link #GAUGE_PREDICTIONS}. */
  public static GaugeCheck.Result gauge(SparkSession spark, Dataset<Row> userFactors, Dataset<Row> itemFactors,
      GaugeCheck.Settings settings, RunOutput out) {
    GaugeCheck.Result g;
    try (var stage = out.stage("gauge")) {
      g = GaugeCheck.run(spark, userFactors, itemFactors, settings);
      out.writeTable(GAUGE, GaugeCheck.agreementTable(spark, g.agreement()));
      out.writeTable(GAUGE_PREDICTIONS, GaugeCheck.predictionTable(spark, g.predictions()));
    }
    return g;
  }

  /** Compares factor tables as spaces and writes {@link #SPACES}. */
  public static List<SpaceComparison.SpaceRow> writeSpaces(SparkSession spark,
      List<SpaceComparison.NamedFactors> factors, List<int[]> pairs, RunOutput out) {
    try (var stage = out.stage("spaces")) {
      List<SpaceComparison.SpaceRow> rows = SpaceComparison.compare(spark, factors, pairs);
      out.writeTable(SPACES, SpaceComparison.table(spark, rows));
      return rows;
    }
  }

  private static Result compareTables(SparkSession spark, Config config, RunOutput out) {
    List<NeighbourAgreement.NamedTable> tables = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    if (config.run() != null) {
      tables.addAll(sweepTables(spark, config.run(), config.measure(), config.options().k(), skipped, out));
    } else {
      for (String p : config.neighbours()) {
        out.recordInput("neighbours", p);
        tables.add(new NeighbourAgreement.NamedTable(p, Tables.read(spark, p)));
      }
    }
    List<String> names = tables.stream().map(NeighbourAgreement.NamedTable::name).toList();
    List<int[]> pairs;
    if (config.baseline() != null) {
      int b = names.indexOf(config.baseline());
      if (b < 0) {
        throw new InputException("--baseline '" + config.baseline() + "' is none of the compared tables " + names);
      }
      pairs = NeighbourAgreement.againstBaseline(names.size(), b);
    } else {
      pairs = NeighbourAgreement.allPairs(names.size());
    }
    Dataset<Row> deciles = null;
    if (config.popularity() != null) {
      out.recordInput("popularity", config.popularity());
      deciles = PopularityStrata.deciles(spark, PopularityStrata.read(spark, config.popularity(),
          config.popularityColumn()));
    }
    Dataset<Row> labels = null;
    if (config.labels() != null) {
      out.recordInput("labels", config.labels());
      labels = Tables.read(spark, config.labels());
      for (String c : List.of("item", "cluster")) {
        if (!List.of(labels.columns()).contains(c)) {
          throw new InputException("labels table " + config.labels() + " has no column '" + c + "' (columns: "
              + List.of(labels.columns()) + "); expected an items table with item and cluster");
        }
      }
      // as the comparison reads them: item as text, cluster as an integer
      Dataset<Row> typed = Tables.itemValues(labels, "labels table " + config.labels(), "item", "cluster",
          DataTypes.IntegerType, "cluster", "an integer");
      List<Row> conflicting = typed.groupBy("item").agg(countDistinct(col("cluster")).as("clusters"))
          .where(col("clusters").gt(1)).orderBy("item").limit(5).collectAsList();
      if (!conflicting.isEmpty()) {
        throw new InputException("labels table " + config.labels() + " gives item '" + conflicting.get(0).getString(0)
            + "' more than one cluster" + (conflicting.size() > 1 ? " (also " + conflicting.subList(1,
            conflicting.size()).stream().map(r -> "'" + r.getString(0) + "'").toList() + ")" : "")
            + "; keep one cluster per item");
      }
    }
    Result r = execute(spark, tables, pairs, deciles, labels, config.options(), config.perItem(), skipped, out);
    if (config.run() != null) {
      List<SpaceComparison.NamedFactors> factors = sweepFactors(spark, config.run(), names);
      if (factors.size() == names.size()) {
        return new Result(r.agreement(), r.tableNames(), r.skippedModels(), writeSpaces(spark, factors, pairs, out),
            null);
      }
      skipped.add("spaces: not every compared model has item_factors; CKA / Procrustes not computed");
    }
    return r;
  }

  /** The item factors of the compared sweep models that have them. */
  static List<SpaceComparison.NamedFactors> sweepFactors(SparkSession spark, String run, List<String> ids) {
    List<SpaceComparison.NamedFactors> out = new ArrayList<>();
    try {
      FileSystem fs = new Path(run).getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (String id : ids) {
        Path p = new Path(new Path(new Path(run, "models"), id), "item_factors");
        if (fs.exists(p)) {
          out.add(new SpaceComparison.NamedFactors(id, Tables.read(spark, p.toString())));
        }
      }
    } catch (IOException e) {
      throw new InputException("cannot list the sweep output " + run + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Compares already-read tables and writes the outputs; the building block for demo and gauge. */
  public static Result execute(SparkSession spark, List<NeighbourAgreement.NamedTable> tables, List<int[]> pairs,
      Dataset<Row> deciles, Dataset<Row> labels, NeighbourAgreement.Options options, boolean perItem,
      List<String> skippedModels, RunOutput out) {
    NeighbourAgreement.Result r;
    try (var stage = out.stage("compare")) {
      r = NeighbourAgreement.compare(spark, tables, pairs, deciles, labels, options);
    }
    try (var stage = out.stage("write")) {
      if (perItem) {
        out.writeTable(ITEMS, r.items());
      }
      long unmatched = out.writeTable(UNMATCHED, r.unmatched());
      out.manifest().count("unmatched_item_pairs", unmatched);
      out.writeTable(SUMMARY, summaryTable(spark, r.summary()));
      out.writeJson(SUMMARY_JSON, summaryJson(tables, r, options, skippedModels));
      out.manifest().count("tables", tables.size());
      out.manifest().count("pairs", pairs.size());
      out.manifest().detail("k", r.k());
      if (r.depthWarning() != null) {
        out.manifest().detail("k_requested", r.requestedK());
        out.manifest().detail("k_warning", r.depthWarning());
      }
      if (!skippedModels.isEmpty()) {
        out.manifest().detail("skipped_models", skippedModels);
      }
    }
    return new Result(r, tables.stream().map(NeighbourAgreement.NamedTable::name).toList(), skippedModels, List.of(),
        null);
  }

  /** Where neighbours computed from a sweep model's factors go, relative to the run directory. */
  public static String modelNeighbours(String modelId, String measure) {
    return "stability/model_neighbours/" + modelId + "/" + measure;
  }

  /**
   * The neighbour tables of a sweep's finished models ({@code _COMPLETE}): the model's own
   * {@code neighbours/<measure>} when the sweep wrote one, otherwise computed here from its
   * factors with the similarity engine (top {@code k}, 20 when k is 0) and written to
   * {@link #modelNeighbours}. Unfinished models are listed in {@code skipped} (and
   * reported), never silently left out.
   */
  static List<NeighbourAgreement.NamedTable> sweepTables(SparkSession spark, String run, String measure, int k,
      List<String> skipped, RunOutput out) {
    String index = new Path(run, "model_index").toString();
    Dataset<Row> models = Tables.read(spark, index);
    if (!List.of(models.columns()).contains("model_id")) {
      throw new InputException("sweep index " + index + " has no model_id column (columns: "
          + List.of(models.columns()) + ")");
    }
    out.recordInput("model_index", index);
    List<String> ids = models.select("model_id").distinct().orderBy("model_id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList(); // one row per model: a few hundred at most
    List<NeighbourAgreement.NamedTable> tables = new ArrayList<>();
    Measure m = Measure.parse(measure);
    try {
      FileSystem fs = new Path(run).getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (String id : ids) {
        Path model = new Path(new Path(run, "models"), id);
        Path table = new Path(new Path(model, "neighbours"), measure);
        Path items = new Path(model, "item_factors");
        Path users = new Path(model, "user_factors");
        if (!fs.exists(new Path(model, RunOutput.COMPLETE_MARKER))) {
          skipped.add("model " + id + " (unfinished: no " + new Path(model, RunOutput.COMPLETE_MARKER) + ")");
        } else if (fs.exists(table)) {
          tables.add(new NeighbourAgreement.NamedTable(id, Tables.read(spark, table.toString())));
        } else if (fs.exists(items) && (!m.needsUserFactors() || fs.exists(users))) {
          String written = modelNeighbours(id, measure);
          try (var stage = out.stage("neighbours " + id);
              NeighbourResult r = ItemNeighbours.compute(spark, Tables.read(spark, items.toString()),
                  m.needsUserFactors() ? Tables.read(spark, users.toString()) : null, m, k > 0 ? k : GAUGE_DEFAULT_K,
                  EngineOptions.defaults())) {
            out.writeTable(written, r.neighbours());
          }
          tables.add(new NeighbourAgreement.NamedTable(id, Tables.read(spark, out.path(written))));
        } else {
          skipped.add("model " + id + " (neither " + table + " nor the factors to compute it)");
        }
      }
    } catch (IOException e) {
      throw new InputException("cannot list the sweep output " + run + ": " + e.getMessage(), e);
    }
    if (tables.size() < 2) {
      throw new InputException("sweep output " + run + " has " + tables.size() + " finished model(s) with '" + measure
          + "' neighbours or factors; need at least two" + (skipped.isEmpty() ? "" : " (skipped: " + skipped + ")"));
    }
    return tables;
  }

  static Dataset<Row> summaryTable(SparkSession spark, List<SummaryRow> rows) {
    List<Row> out = new ArrayList<>(rows.size());
    for (SummaryRow s : rows) {
      out.add(RowFactory.create(s.a(), s.b(), s.metric(), s.stratum(), s.nItems(), orNull(s.mean()), orNull(s.median()),
          orNull(s.p10()), orNull(s.p90()), orNull(s.ciLow()), orNull(s.ciHigh())));
    }
    return spark.createDataFrame(out, SUMMARY_SCHEMA).coalesce(1);
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static Map<String, Object> summaryJson(List<NeighbourAgreement.NamedTable> tables,
      NeighbourAgreement.Result r, NeighbourAgreement.Options o, List<String> skipped) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("tables", tables.stream().map(NeighbourAgreement.NamedTable::name).toList());
    json.put("skipped_models", skipped);
    json.put("k", r.k());
    if (r.depthWarning() != null) {
      json.put("k_requested", r.requestedK());
      json.put("k_warning", r.depthWarning());
    }
    json.put("rbo_p", o.rboP());
    json.put("kendall_p", o.kendallP());
    json.put("bootstrap", o.bootstrap());
    json.put("seed", o.seed());
    json.put("interval", "Poisson bootstrap over items, 95% percentile interval of the mean");
    List<Map<String, Object>> pairs = new ArrayList<>();
    for (NeighbourAgreement.PairCount c : r.counts()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("a", c.a());
      p.put("b", c.b());
      p.put("items_compared", c.both());
      p.put("items_only_in_a", c.onlyA());
      p.put("items_only_in_b", c.onlyB());
      pairs.add(p);
    }
    json.put("pairs", pairs);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (SummaryRow s : r.summary()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("a", s.a());
      m.put("b", s.b());
      m.put("metric", s.metric());
      m.put("stratum", s.stratum());
      m.put("n_items", s.nItems());
      m.put("mean", orNull(s.mean()));
      m.put("median", orNull(s.median()));
      m.put("p10", orNull(s.p10()));
      m.put("p90", orNull(s.p90()));
      m.put("ci_low", orNull(s.ciLow()));
      m.put("ci_high", orNull(s.ciHigh()));
      rows.add(m);
    }
    json.put("summary", rows);
    return json;
  }

  /** The printed summary: per pair the items compared and the headline metrics with intervals. */
  public static List<String> lines(Result r, RunOutput out) {
    List<String> lines = new ArrayList<>();
    if (r.agreement() != null) {
      if (r.agreement().depthWarning() != null) {
        lines.add("stability: warning: " + r.agreement().depthWarning());
      }
      int shown = 0;
      for (NeighbourAgreement.PairCount c : r.agreement().counts()) {
        if (shown++ == 12) {
          lines.add("stability: ... " + (r.agreement().counts().size() - 12) + " more pairs in "
              + out.path(SUMMARY_JSON));
          break;
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "stability %s vs %s @%d: %,d items",
            c.a(), c.b(), r.agreement().k(), c.both()));
        if (c.onlyA() + c.onlyB() > 0) {
          sb.append(String.format(Locale.ROOT, " (%,d only in a, %,d only in b: see %s)", c.onlyA(), c.onlyB(),
              UNMATCHED));
        }
        for (SummaryRow s : r.agreement().summary()) {
          if (isHeadline(s.metric()) && s.a().equals(c.a()) && s.b().equals(c.b())
              && s.stratum().equals(PopularityStrata.ALL)) {
            sb.append(String.format(Locale.ROOT, "; %s %.3f [%.3f, %.3f]", s.metric(), s.mean(), s.ciLow(),
                s.ciHigh()));
          }
        }
        lines.add(sb.toString());
      }
      lines.add("stability: summary in " + out.path(SUMMARY) + " and " + out.path(SUMMARY_JSON));
    }
    for (String s : r.skippedModels()) {
      lines.add("stability: skipped " + s);
    }
    for (SpaceComparison.SpaceRow s : r.spaces()) {
      lines.add(String.format(Locale.ROOT, "spaces %s vs %s: %,d shared ids (%,d / %,d only in one), dims %d/%d: "
          + "linear CKA %.4f, Procrustes residual %.4f", s.a(), s.b(), s.sharedIds(), s.onlyA(), s.onlyB(), s.dimA(),
          s.dimB(), s.cka(), s.procrustes()));
    }
    if (r.gauge() != null) {
      for (GaugeCheck.PredictionChange p : r.gauge().predictions()) {
        lines.add(String.format(Locale.ROOT, "gauge %s: largest prediction change %.3g (relative %.3g) over %,d "
            + "sampled pairs", p.transform(), p.maxAbsChange(), p.relativeChange(), p.pairs()));
      }
      for (SummaryRow s : r.gauge().agreement()) {
        if (s.metric().equals("jaccard") || s.metric().equals("rbo_ext")) {
          lines.add(String.format(Locale.ROOT, "gauge %s vs %s: %s %.3f [%.3f, %.3f]", s.b(), s.a(), s.metric(),
              s.mean(), s.ciLow(), s.ciHigh()));
        }
      }
      lines.add("stability: gauge check in " + out.path(GAUGE) + " and " + out.path(GAUGE_PREDICTIONS));
    }
    return lines;
  }

  private static boolean isHeadline(String metric) {
    return metric.equals("jaccard") || metric.equals("rbo_ext") || metric.equals("kendall");
  }
}
