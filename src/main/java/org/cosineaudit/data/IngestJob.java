package org.cosineaudit.data;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;

/**
 * {@code ingest}: reads and validates interaction data, writes the accepted
 * {@code interactions}, the id maps {@code user_ids} / {@code item_ids} and the
 * {@code rejects}, and prints the accounting. Run it to check a dataset before a long sweep.
 *
 * <p>When rejects exceed {@code --max-reject-fraction} the run fails (exit 2) after writing
 * the {@code rejects} table, so every bad row can be inspected; the run is not marked complete.
 */
public final class IngestJob implements Job<IngestJob.Config> {

  /** Validated configuration. */
  public record Config(InteractionInput.Config input, OutputSpec output) {}

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public String summary() {
    return "read and validate interaction data: accepted rows, id maps, rejects and the accounting";
  }

  @Override
  public List<OptionSpec> options() {
    return CommonOptions.with("out/ingest", new ArrayList<>(InteractionInput.options()));
  }

  @Override
  public Config configure(Settings s) {
    return new Config(InteractionInput.configure(s), CommonOptions.outputSpec(s));
  }

  @Override
  public OutputSpec output(Config config) {
    return config.output();
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) {
    Ingested in = execute(spark, config.input(), out);
    List<String> lines = new ArrayList<>();
    lines.add("ingest: " + config.input().input() + " read as " + in.layout().describe());
    for (String l : in.counts().summaryLines()) {
      lines.add("ingest: " + l);
    }
    in.release();
    return Outcome.ok(lines);
  }

  /**
   * Reads {@code input} and writes the four tables into {@code out} (rejects first, so they
   * exist even when the reject limit then fails the run); usable from other jobs (demo).
   * The returned Datasets stay cached until {@link Ingested#release()}.
   */
  public static Ingested execute(SparkSession spark, InteractionInput.Config input, RunOutput out) {
    Ingested in = Ingestion.load(spark, input, out);
    try (var stage = out.stage("write")) {
      Ingestion.writeRejects(in, out);
      Ingestion.checkRejectLimit(in, input, out.path(Ingestion.REJECTS));
      Ingestion.writeAccepted(in, out);
    }
    return in;
  }
}
