package org.cosineaudit.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.Feedback;
import org.cosineaudit.data.HeldOutSplit;
import org.cosineaudit.data.Ingested;
import org.cosineaudit.data.Ingestion;
import org.cosineaudit.data.InteractionInput;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.io.Tables;
import org.cosineaudit.report.Report;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.similarity.Measure;

/**
 * {@code sweep}: Spark ALS over a grid of regularization values (and ranks, seeds, alphas) on
 * one deterministic held-out split; per model, factors with the original ids, parameters and
 * held-out metrics; a model index. Resumable: a rerun with the same configuration keeps the
 * models that completed and trains the rest (see {@link RegularizationSweep}).
 */
public final class SweepJob implements Job<SweepJob.Config> {

  /** The default regularization grid: one value per decade from 0.001 to 10. */
  public static final String DEFAULT_REGS = "0.001,0.01,0.1,1,10";
  /** Default of {@code --alpha}; anything else with explicit feedback is an error (explicit ALS ignores it). */
  static final String DEFAULT_ALPHA = "1";

  /** Neighbour tables per model by default: the paper's two views of similarity and the raw score. */
  public static final String DEFAULT_MEASURES = "cosine,dot,score-cosine";

  static final String NO_MEASURES = "none";
  static final List<String> MEASURE_CHOICES = measureChoices();

  /**
   * Validated configuration.
   *
   * @param input the interaction data and how to read it ({@link InteractionInput})
   */
  public record Config(InteractionInput.Config input, RegularizationSweep.Plan plan, OutputSpec output) {}

  static final List<OptionSpec> OWN_OPTIONS = List.of(
      OptionSpec.reals("reg", DEFAULT_REGS, 0, 1e9, "ALS regularization values (regParam; comma-separated)"),
      OptionSpec.integers("rank", "32", 1, 10_000, "ranks (number of latent factors; comma-separated)"),
      OptionSpec.integers("seeds", "0", Integer.MIN_VALUE, Integer.MAX_VALUE,
          "ALS initialization seeds (comma-separated); with the block counts they fix the factors"),
      OptionSpec.reals("alpha", DEFAULT_ALPHA, 0, 1e9, "implicit confidence slopes, c = 1 + alpha*|value| "
          + "(comma-separated; 0: least squares on the binary matrix)"),
      OptionSpec.flag("nonnegative", "constrain factors to be non-negative"),
      OptionSpec.integer("max-iter", 10, 1, 10_000, "ALS iterations per model"),
      OptionSpec.integer("user-blocks", 4, 1, 100_000, "ALS user blocks; part of the result (initialization "
          + "depends on it): keep it fixed across machines"),
      OptionSpec.integer("item-blocks", 4, 1, 100_000, "ALS item blocks; part of the result, like user-blocks"),
      OptionSpec.choice("holdout", "auto", HeldOutSplit.Mode.NAMES, "held-out split: random (hash of seed, user, "
          + "item), time (each user's latest), auto (time when every row has a timestamp and they differ)"),
      OptionSpec.real("holdout-fraction", 0.2, 0, 0.9, "share of each user's interactions held out (0: no metrics)"),
      OptionSpec.longInt("split-seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the random held-out split"),
      OptionSpec.integer("metrics-k", 10, 1, 10_000, "k of precision/recall/NDCG/MAP@k and of top-k coverage"),
      OptionSpec.integer("parallelism", 1, 1, 64, "models trained at the same time"),
      OptionSpec.path("checkpoint-dir", null, "checkpoint directory for long ALS runs (not set: no checkpoints)"),
      OptionSpec.integer("checkpoint-interval", 10, 1, 10_000, "ALS iterations between checkpoints"),
      OptionSpec.choice("storage-level", "memory_and_disk", AlsSettings.STORAGE_LEVELS,
          "Spark storage level of ALS's intermediate and final data"),
      OptionSpec.choices("measures", DEFAULT_MEASURES, MEASURE_CHOICES,
          "neighbour tables written per model (models/<id>/neighbours/<measure>); none: no neighbours"),
      OptionSpec.integer("k", 20, 1, 100_000, "neighbours per item in those tables"));

  @Override
  public String name() {
    return "sweep";
  }

  @Override
  public String summary() {
    return "train Spark ALS over a regularization grid; held-out metrics, factors and a model index (resumable)";
  }

  /** The input options of ingestion ({@code --feedback implicit} for ranking metrics), then the sweep's own. */
  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> all = new ArrayList<>(InteractionInput.options());
    all.addAll(OWN_OPTIONS);
    return CommonOptions.with("out/sweep", all);
  }

  /** Settings of this job from explicit values (for jobs that compose the sweep, and tests). */
  public static Settings settings(java.util.Map<String, String> values) {
    return Settings.of("sweep", new SweepJob().options(), values);
  }

  @Override
  public Config configure(Settings s) {
    try {
      InteractionInput.Config input = InteractionInput.configure(s);
      Feedback feedback = input.feedback();
      if (feedback == Feedback.EXPLICIT && !s.string("alpha").equals(DEFAULT_ALPHA)) {
        // like --implicit-threshold: an option that would be silently ignored is an error
        throw new ConfigException("'alpha' (" + s.string("alpha") + ") applies to implicit feedback only: explicit ALS"
            + " has no confidence slope; drop --alpha, or add --implicit");
      }
      List<Long> seeds = new ArrayList<>();
      s.integers("seeds").forEach(i -> seeds.add((long) i));
      TrainingGrid grid = new TrainingGrid(feedback, s.integers("rank"), s.reals("reg"), s.reals("alpha"), seeds,
          s.flag("nonnegative"), s.integer("max-iter"));
      AlsSettings als = new AlsSettings(s.integer("user-blocks"), s.integer("item-blocks"), s.string("storage-level"),
          s.optional("checkpoint-dir").orElse(null), s.integer("checkpoint-interval"));
      RegularizationSweep.Plan plan = new RegularizationSweep.Plan(grid, als, HeldOutSplit.Mode.parse(s.string("holdout")),
          s.real("holdout-fraction"), s.longInt("split-seed"), s.integer("metrics-k"), s.integer("parallelism"),
          measures(s.list("measures")), s.integer("k"));
      OutputSpec output = new OutputSpec(s.string(CommonOptions.OUTPUT), TableFormat.parse(s.string(CommonOptions.FORMAT)),
          s.flag(CommonOptions.OVERWRITE), OutputSpec.ExistingOutput.RESUME_SAME_CONFIG);
      return new Config(input, plan, output);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  @Override
  public OutputSpec output(Config config) {
    return config.output();
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) throws IOException {
    RegularizationSweep.Result r = execute(spark, config, out);
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "sweep: %d models (%d trained, %d kept from an earlier run); index %s",
        r.modelIds().size(), r.trained(), r.skipped(), r.indexPath()));
    for (Row row : Tables.read(spark, r.indexPath()).collectAsList()) {
      lines.add("  " + describe(row, r.kept()));
    }
    // last: the HTML report of what the sweep wrote (never fails the run)
    Report.Result report = Report.write(out);
    lines.add("sweep: report " + report.index());
    return Outcome.ok(lines);
  }

  /**
   * Reads and validates the input ({@link Ingestion#read}: id maps, rejects within the allowed
   * fraction, which are written to {@code rejects} when there are any) and runs the sweep into
   * {@code out}; usable from other jobs.
   */
  public static RegularizationSweep.Result execute(SparkSession spark, Config config, RunOutput out)
      throws IOException {
    Ingested in = Ingestion.read(spark, config.input(), out);
    try {
      if (in.counts().rejected() > 0) {
        out.writeTable(Ingestion.REJECTS, in.rejects());
      }
      return RegularizationSweep.run(spark, in, config.plan(), out);
    } finally {
      in.release();
    }
  }

  private static List<String> measureChoices() {
    List<String> c = new ArrayList<>(Measure.IDS);
    c.add(NO_MEASURES);
    return List.copyOf(c);
  }

  static List<Measure> measures(List<String> ids) {
    if (ids.contains(NO_MEASURES)) {
      if (ids.size() > 1) {
        throw new ConfigException("invalid value for 'measures': " + String.join(",", ids) + "; '" + NO_MEASURES
            + "' cannot be combined with measures");
      }
      return List.of();
    }
    List<Measure> out = new ArrayList<>();
    for (String id : ids) {
      Measure m = Measure.parse(id);
      if (!out.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /** One model of the index as a console line; {@code kept}: models kept from an earlier run. */
  static String describe(Row r, List<String> kept) {
    StringBuilder sb = new StringBuilder(r.getString(r.fieldIndex("model_id")));
    for (String m : RegularizationSweep.INDEX_METRICS) {
      Object v = r.get(r.fieldIndex(m));
      if (v != null && !m.equals("test_users") && !m.equals("scored_test_rows")) { // counts
        sb.append(String.format(Locale.ROOT, "  %s %.4f", m, (Double) v));
      }
    }
    sb.append(kept.contains(r.getString(r.fieldIndex("model_id"))) ? "  [kept]" : "  [trained]");
    return sb.toString();
  }
}
