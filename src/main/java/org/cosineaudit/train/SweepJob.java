package org.cosineaudit.train;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.HeldOutSplit;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;

/**
 * {@code sweep}: Spark ALS over a grid of regularization values (and ranks, seeds, alphas) on
 * one deterministic held-out split; per model, factors with the original ids, parameters and
 * held-out metrics; a model index. Resumable: a rerun with the same configuration keeps the
 * models that completed and trains the rest (see {@link RegularizationSweep}).
 */
public final class SweepJob implements Job<SweepJob.Config> {

  /** The default regularization grid: one value per decade from 0.001 to 10. */
  public static final String DEFAULT_REGS = "0.001,0.01,0.1,1,10";

  /**
   * Validated configuration.
   *
   * @param input the interactions table (contract columns)
   */
  public record Config(String input, RegularizationSweep.Plan plan, OutputSpec output) {}

  static final List<OptionSpec> OWN_OPTIONS = List.of(
      OptionSpec.requiredPath("input", "interactions table (Parquet or CSV; columns user, item, value, timestamp), "
          + "e.g. the interactions of 'generate'"),
      OptionSpec.reals("reg", DEFAULT_REGS, 0, 1e9, "ALS regularization values (regParam; comma-separated)"),
      OptionSpec.integers("rank", "32", 1, 10_000, "ranks (number of latent factors; comma-separated)"),
      OptionSpec.integers("seeds", "0", Integer.MIN_VALUE, Integer.MAX_VALUE,
          "ALS initialization seeds (comma-separated); with the block counts they fix the factors"),
      OptionSpec.flag("implicit", "implicit feedback (values are counts or strengths; ranking metrics) instead of "
          + "explicit ratings (RMSE/MAE)"),
      OptionSpec.reals("alpha", "1", 0, 1e9, "implicit confidence slopes, c = 1 + alpha*|value| (comma-separated; "
          + "0: least squares on the binary matrix)"),
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
          "Spark storage level of ALS's intermediate and final data"));

  @Override
  public String name() {
    return "sweep";
  }

  @Override
  public String summary() {
    return "train Spark ALS over a regularization grid; held-out metrics, factors and a model index (resumable)";
  }

  @Override
  public List<OptionSpec> options() {
    return CommonOptions.with("out/sweep", OWN_OPTIONS);
  }

  /** Settings of this job from explicit values (for jobs that compose the sweep, and tests). */
  public static Settings settings(java.util.Map<String, String> values) {
    return Settings.of("sweep", new SweepJob().options(), values);
  }

  @Override
  public Config configure(Settings s) {
    try {
      Feedback feedback = s.flag("implicit") ? Feedback.IMPLICIT : Feedback.EXPLICIT;
      List<Long> seeds = new ArrayList<>();
      s.integers("seeds").forEach(i -> seeds.add((long) i));
      TrainingGrid grid = new TrainingGrid(feedback, s.integers("rank"), s.reals("reg"), s.reals("alpha"), seeds,
          s.flag("nonnegative"), s.integer("max-iter"));
      AlsSettings als = new AlsSettings(s.integer("user-blocks"), s.integer("item-blocks"), s.string("storage-level"),
          s.optional("checkpoint-dir").orElse(null), s.integer("checkpoint-interval"));
      RegularizationSweep.Plan plan = new RegularizationSweep.Plan(grid, als, HeldOutSplit.Mode.parse(s.string("holdout")),
          s.real("holdout-fraction"), s.longInt("split-seed"), s.integer("metrics-k"), s.integer("parallelism"));
      OutputSpec output = new OutputSpec(s.string(CommonOptions.OUTPUT), TableFormat.parse(s.string(CommonOptions.FORMAT)),
          s.flag(CommonOptions.OVERWRITE), OutputSpec.ExistingOutput.RESUME_SAME_CONFIG);
      return new Config(s.string("input"), plan, output);
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
      lines.add("  " + describe(row));
    }
    return Outcome.ok(lines);
  }

  /** Reads the input, builds the id maps and runs the sweep into {@code out}; usable from other jobs. */
  public static RegularizationSweep.Result execute(SparkSession spark, Config config, RunOutput out)
      throws IOException {
    out.recordInput("interactions", config.input());
    Dataset<Row> interactions = readInteractions(spark, config.input()).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> userIds;
      Dataset<Row> itemIds;
      try (var stage = out.stage("ids")) {
        userIds = DenseIds.of(spark, interactions, "user").persist(StorageLevel.MEMORY_AND_DISK());
        itemIds = DenseIds.of(spark, interactions, "item").persist(StorageLevel.MEMORY_AND_DISK());
        out.manifest().count("users", userIds.count());
        out.manifest().count("items", itemIds.count());
      }
      try {
        return RegularizationSweep.run(spark, interactions, userIds, itemIds, config.plan(), out);
      } finally {
        userIds.unpersist(false);
        itemIds.unpersist(false);
      }
    } finally {
      interactions.unpersist(false);
    }
  }

  /** An interactions table with the contract's columns and types; names the path when a column is missing. */
  static Dataset<Row> readInteractions(SparkSession spark, String path) {
    Dataset<Row> t = Tables.read(spark, path);
    List<String> columns = List.of(t.columns());
    for (String c : List.of("user", "item", "value")) {
      if (!columns.contains(c)) {
        throw new InputException("interactions table " + path + " has no column '" + c + "' (columns: " + columns
            + "); give a table with columns user, item, value[, timestamp], e.g. the output of 'generate'");
      }
    }
    return t.select(col("user").cast("string").as("user"), col("item").cast("string").as("item"),
        col("value").cast("double").as("value"),
        columns.contains("timestamp") ? col("timestamp").cast("long").as("timestamp")
            : org.apache.spark.sql.functions.lit(null).cast("long").as("timestamp"));
  }

  /** One model of the index as a console line. */
  static String describe(Row r) {
    StringBuilder sb = new StringBuilder(r.getString(r.fieldIndex("model_id")));
    for (String m : RegularizationSweep.INDEX_METRICS) {
      Object v = r.get(r.fieldIndex(m));
      if (v != null && !m.equals("test_users")) {
        sb.append(String.format(Locale.ROOT, "  %s %.4f", m, (Double) v));
      }
    }
    sb.append(String.format(Locale.ROOT, "  [%s, train %.1fs]", r.getString(r.fieldIndex("status")),
        r.getDouble(r.fieldIndex("train_seconds"))));
    return sb.toString();
  }
}
