package org.cosineaudit.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.GenerateJob;
import org.cosineaudit.data.PaperSimulation;
import org.cosineaudit.report.Report;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;

/**
 * {@code demo}: the whole pipeline on the paper's synthetic data, in local mode, in minutes.
 * Composes the other jobs (each stage writes its own sub-run with its own manifest);
 * it does not copy their code.
 */
public final class DemoJob implements Job<DemoJob.Config> {

  /** Validated configuration. */
  public record Config(PaperSimulation.Params simulation, OutputSpec output, Settings settings) {}

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "run the whole pipeline on the paper's synthetic data (local mode, a few minutes)";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> own = new ArrayList<>(GenerateJob.simulationOptions());
    return CommonOptions.with("out/demo", own);
  }

  @Override
  public Config configure(Settings s) {
    return new Config(GenerateJob.params(s), CommonOptions.outputSpec(s), s);
  }

  @Override
  public OutputSpec output(Config config) {
    return config.output();
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) {
    List<String> lines = new ArrayList<>();
    RunOutput gen = out.child("generate", "generate", config.settings(), Map.of());
    GenerateJob.Result generated = GenerateJob.execute(spark, config.simulation(), 0, gen);
    gen.complete(Outcome.ok(List.of()));
    lines.add(String.format("demo: generated %,d interactions (%,d users x %,d items) -> %s",
        generated.interactions(), generated.users(), generated.items(), generated.interactionsPath()));
    lines.add("demo: outputs under " + out.root() + " (each stage has its own manifest.json)");
    // last: the report shows everything the stages above wrote
    Report.Result report = Report.write(out);
    lines.add("demo: report " + report.index() + " (" + report.sections().size() + " sections, "
        + report.figures().size() + " figures)");
    return Outcome.ok(lines);
  }
}
