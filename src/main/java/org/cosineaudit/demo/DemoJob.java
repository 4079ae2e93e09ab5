package org.cosineaudit.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.audit.AuditJob;
import org.cosineaudit.audit.Status;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.GenerateJob;
import org.cosineaudit.data.IngestCounts;
import org.cosineaudit.data.IngestJob;
import org.cosineaudit.data.Ingested;
import org.cosineaudit.data.Ingestion;
import org.cosineaudit.data.InteractionInput;
import org.cosineaudit.data.PaperSimulation;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.report.Report;
import org.cosineaudit.reproduce.ReproduceJob;
import org.cosineaudit.reproduce.Reproduction;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.stability.StabilityJob;
import org.cosineaudit.stability.SummaryRow;
import org.cosineaudit.train.RegularizationSweep;
import org.cosineaudit.train.SweepJob;

/**
 * {@code demo}: the whole pipeline on the paper's synthetic data, in local mode, in minutes.
 * Composes the other jobs (each stage writes its own sub-run with its own manifest);
 * it does not copy their code.
 */
public final class DemoJob implements Job<DemoJob.Config> {

  /** Validated configuration. */
  public record Config(PaperSimulation.Params simulation, OutputSpec output, Settings settings) {}

  /** The demo's regularization grid: three decades, enough to move the cosines (rank 16, implicit, alpha 0). */
  static final String DEMO_REGS = "0.01,0.1,1";

  /**
   * Stage {@code sweep}: implicit ALS with alpha 0 (least squares on the binary matrix, the
   * closest analogue of the paper's Eq. 2) at three regularization values.
   */
  static RegularizationSweep.Result sweep(SparkSession spark, String interactions, RunOutput out) {
    Map<String, String> options = readOptions(interactions, out.format());
    options.putAll(Map.of("output", out.path("sweep"), "format", out.format().id(), "alpha", "0",
        "rank", "16", "reg", DEMO_REGS, "max-iter", "10", "user-blocks", "2", "item-blocks", "2"));
    Settings s = SweepJob.settings(options);
    SweepJob.Config config = new SweepJob().configure(s);
    RunOutput child = out.child("sweep", "sweep", s, Map.of());
    try {
      RegularizationSweep.Result r = SweepJob.execute(spark, config, child);
      child.complete(Outcome.ok(List.of()));
      return r;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Stage {@code reproduce}: the paper's claims on a small simulation of its own (3,000 users x
   * 200 items in 5 clusters, rank 16, lambdas scaled to that spectrum, two ALS models), so the
   * stage takes tens of seconds; the paper-size run is {@code ./submit.sh reproduce}.
   */
  static Reproduction.Result reproduce(SparkSession spark, long seed, RunOutput out) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("users", "3000");
    v.put("items", "200");
    v.put("clusters", "5");
    v.put("seed", Long.toString(seed));
    v.put("rank", "16");
    v.put("lambda-eq1", "400");
    v.put("lambda-eq2", "20");
    v.put("lambdas-eq1", "1600");
    v.put("lambdas", "40");
    v.put("als-reg", "0.05,0.1");
    v.put("als-alphas", "0");
    v.put("als-iterations", "5");
    v.put("format", out.format().id());
    v.put("output", out.path("reproduce"));
    Settings s = Settings.of("reproduce", new ReproduceJob().options(), v);
    ReproduceJob.Config config = new ReproduceJob().configure(s);
    RunOutput child = out.child("reproduce", "reproduce", s, s.values());
    Reproduction.Result r = Reproduction.execute(spark, config, child);
    child.complete(r.allPassed() ? Outcome.ok(r.summaryLines()) : Outcome.checksFailed(r.summaryLines()));
    return r;
  }

  /**
   * Stage {@code audit}: the last model of the sweep (largest regularization) audited as if it
   * were a production snapshot: integrity, geometry and hubness, with the ingested interactions
   * as popularity. Written to the fixed sub-run {@code audit/} (not a dated folder) so that two
   * demo runs hold the same tables. Drift against the previous model and the meaning checks are
   * left to {@code ./submit.sh audit} (docs/audit.md shows the command): their stability summaries
   * merge floating sums in shuffle order, which the demo's exact local-vs-cluster comparison
   * cannot tolerate. The demo prints the verdict and does not fail on it.
   */
  static String audit(SparkSession spark, String sweepDir, List<String> modelIds, String interactions, RunOutput out) {
    String model = modelIds.get(modelIds.size() - 1);
    String dir = sweepDir + "/" + RegularizationSweep.modelDir(model);
    AuditJob job = new AuditJob();
    Settings s = Settings.of("audit", job.options(), Map.of(
        "embeddings", dir + "/" + RegularizationSweep.ITEM_FACTORS,
        "popularity", interactions, "k", "10",
        "output", out.path("audit"), "format", out.format().id()));
    AuditJob.Config config = job.configure(s);
    RunOutput run = out.child("audit", "audit", s, Map.of());
    AuditJob.Result r = AuditJob.execute(spark, config, run);
    run.complete(r.failed() ? Outcome.checksFailed(List.of()) : Outcome.ok(List.of()));
    long failed = r.checks().stream().filter(ch -> ch.status() == Status.FAIL).count();
    long warned = r.checks().stream().filter(ch -> ch.status() == Status.WARN).count();
    return String.format("demo: audit of model %s: %s (%d checks, %d failed, %d warned) -> %s", model, r.overall(),
        r.checks().size(), failed, warned, r.summaryPath());
  }

  /**
   * Stage {@code stability}: cosine neighbours of every swept model (computed from its factors),
   * their agreement across the regularization grid by popularity decile with cluster precision
   * against the generator's clusters, CKA / Procrustes between the models' item spaces, and a
   * gauge check (one rescaling, one rotation) of the least regularized model.
   */
  static StabilityJob.Result stability(SparkSession spark, RegularizationSweep.Result swept,
      GenerateJob.Result generated, RunOutput out) {
    String sweepRoot = out.path("sweep");
    String gaugeModel = sweepRoot + "/" + RegularizationSweep.modelDir(swept.modelIds().get(0));
    Map<String, String> options = new LinkedHashMap<>();
    options.put("run", sweepRoot);
    options.put("measure", "cosine");
    options.put("k", "20");
    options.put("popularity", generated.interactionsPath());
    options.put("labels", generated.itemsPath());
    options.put("gauge", "1");
    options.put("user-factors", gaugeModel + "/" + RegularizationSweep.USER_FACTORS);
    options.put("item-factors", gaugeModel + "/" + RegularizationSweep.ITEM_FACTORS);
    options.put("output", out.path("stability"));
    options.put("format", out.format().id());
    StabilityJob job = new StabilityJob();
    Settings s = Settings.of(job.name(), job.options(), options);
    RunOutput child = out.child("stability", job.name(), s, Map.of());
    StabilityJob.Result r = StabilityJob.execute(spark, job.configure(s), child);
    try {
      child.complete(Outcome.ok(StabilityJob.lines(r, child)));
    } finally {
      r.agreement().release();
    }
    return r;
  }

  /** Input options that read an interactions table this demo wrote (Parquet or CSV) as implicit feedback. */
  static Map<String, String> readOptions(String path, TableFormat format) {
    return InteractionInput.forProjectTable(path, format);
  }

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
    // smaller than the paper's 20,000 x 1,000 so the whole pipeline fits in minutes on 2 cores;
    // `--users 20000 --items 1000` runs it at the paper's size
    List<OptionSpec> own = new ArrayList<>();
    for (OptionSpec o : GenerateJob.simulationOptions()) {
      own.add(switch (o.key()) {
        case "users" -> o.withDefault("4000");
        case "items" -> o.withDefault("400");
        default -> o;
      });
    }
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

    // ingest the generated table as any user's data would be: validated, id-mapped, accounted
    Map<String, String> ingestOptions = readOptions(generated.interactionsPath(), out.format());
    Settings ingestSettings = Settings.of("ingest", InteractionInput.options(), ingestOptions);
    RunOutput ing = out.child("ingest", "ingest", ingestSettings, ingestSettings.values());
    Ingested ingested = IngestJob.execute(spark, InteractionInput.configure(ingestSettings), ing);
    ing.complete(Outcome.ok(ingested.counts().summaryLines()));
    IngestCounts c = ingested.counts();
    lines.add(String.format("demo: ingested %,d rows: %,d accepted, %,d rejected, %,d merged (%,d users x %,d items) -> %s",
        c.rowsRead(), c.accepted(), c.rejected(), c.merged(), c.users(), c.items(), ing.path(Ingestion.INTERACTIONS)));
    ingested.release();
    RegularizationSweep.Result swept = sweep(spark, ing.path(Ingestion.INTERACTIONS), out);
    lines.add(String.format("demo: swept %d implicit ALS models over reg %s -> %s", swept.modelIds().size(),
        DEMO_REGS, swept.indexPath()));
    StabilityJob.Result stable = stability(spark, swept, generated, out);
    for (SummaryRow row : stable.agreement().summary()) {
      if (row.metric().equals("jaccard") && row.stratum().equals("all")) {
        lines.add(String.format(Locale.ROOT, "demo: cosine neighbours %s vs %s: jaccard@%d %.3f [%.3f, %.3f]",
            row.a(), row.b(), stable.agreement().k(), row.mean(), row.ciLow(), row.ciHigh()));
      }
    }
    for (SummaryRow row : stable.gauge().agreement()) {
      if (row.metric().equals("jaccard")) {
        lines.add(String.format(Locale.ROOT, "demo: gauge %s vs %s: jaccard %.3f", row.b(), row.a(),
            row.mean()));
      }
    }
    if (swept.modelIds().size() >= 2) {
      lines.add(audit(spark, out.path("sweep"), swept.modelIds(), ing.path(Ingestion.INTERACTIONS), out));
    }
    Reproduction.Result reproduced = reproduce(spark, config.simulation().seed(), out);
    long passed = reproduced.claims().stream().filter(cl -> cl.status().equals("pass")).count();
    long failed = reproduced.claims().stream().filter(cl -> cl.status().equals("fail")).count();
    lines.add(String.format("demo: reproduced the paper's claims: %d pass, %d fail -> %s", passed, failed,
        out.path("reproduce/claims.json")));
    lines.add("demo: outputs under " + out.root() + " (each stage has its own manifest.json)");
    // last: the report shows everything the stages above wrote
    Report.Result report = Report.write(out);
    lines.add("demo: report " + report.index() + " (" + report.sections().size() + " sections, "
        + report.figures().size() + " figures)");
    return Outcome.ok(lines);
  }
}
