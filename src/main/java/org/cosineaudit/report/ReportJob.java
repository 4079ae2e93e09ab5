package org.cosineaudit.report;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;

/**
 * {@code report}: (re)writes the HTML report of a finished run, {@code RUN/report/index.html}
 * with its figures beside it; see {@link Report}. The {@code report} folder is derived
 * output and is replaced on every rendering (no {@code --overwrite} needed); nothing else in
 * the run folder is touched.
 */
public final class ReportJob implements Job<ReportJob.Config> {

  /** Validated configuration. */
  public record Config(String run, Report.Options options) {}

  @Override
  public String name() {
    return "report";
  }

  @Override
  public String summary() {
    return "write the HTML report (RUN/report/index.html) of a run's outputs";
  }

  @Override
  public List<OptionSpec> options() {
    Report.Options d = Report.Options.DEFAULTS;
    List<OptionSpec> own = new ArrayList<>();
    own.add(OptionSpec.requiredPath("run", "the run folder to report on (the --output of demo, sweep, reproduce, "
        + "audit, stability, similarity)"));
    own.add(OptionSpec.path("metadata", null, "item metadata for titles: CSV with header (e.g. movies.csv), "
        + "tab-separated .dat/.tsv (e.g. artists.dat) or Parquet"));
    own.add(OptionSpec.string("metadata-id", null, "id column of --metadata (default: id, item, movieId, ... "
        + "or the first column)"));
    own.add(OptionSpec.string("metadata-title", null, "title column of --metadata (default: title, name, ... "
        + "or the second column)"));
    own.add(OptionSpec.integer("sample-items", d.sampleItems(), 0, 100,
        "sample items whose neighbours are shown side by side (0: no neighbour section)"));
    own.add(OptionSpec.string("items", null, "comma-separated item ids to show instead of a sample"));
    own.add(OptionSpec.integer("k", d.k(), 1, 1000, "neighbours shown per sample item"));
    own.add(OptionSpec.integer("columns", d.maxColumns(), 1, 20, "neighbour tables shown side by side"));
    own.add(OptionSpec.integer("max-models", d.maxModels(), 1, 1_000_000, "sweep models listed in the table"));
    return List.copyOf(own);
  }

  @Override
  public Config configure(Settings s) {
    List<String> items = new ArrayList<>();
    for (String id : s.optional("items").orElse("").split(",")) {
      if (!id.isBlank()) {
        items.add(id.trim());
      }
    }
    String run = s.string("run");
    if (run.isBlank()) {
      throw new ConfigException("invalid value for 'run': empty; give the output folder of a run");
    }
    // a local folder can be checked before Spark starts (and before the CLI creates RUN/report);
    // remote ones (hdfs://, s3a://) are checked by Report.write
    java.net.URI uri = new org.apache.hadoop.fs.Path(run).toUri();
    if ((uri.getScheme() == null || uri.getScheme().equals("file"))
        && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(uri.getPath()))) {
      throw new ConfigException("invalid value for 'run': '" + run + "' is not a directory; give the --output "
          + "folder of a run");
    }
    if ((uri.getScheme() == null || uri.getScheme().equals("file"))
        && !java.nio.file.Files.exists(java.nio.file.Path.of(uri.getPath(), RunOutput.MANIFEST))) {
      java.nio.file.Path latest = java.nio.file.Path.of(uri.getPath(), OutputSpec.LATEST);
      String newest = null;
      try {
        newest = java.nio.file.Files.isRegularFile(latest) ? java.nio.file.Files.readString(latest).trim() : null;
      } catch (java.io.IOException e) {
        // unreadable pointer: the general message below
      }
      throw new ConfigException("invalid value for 'run': '" + run + "' holds no " + RunOutput.MANIFEST
          + (newest == null || newest.isEmpty() ? ", so it is not the output of a cosine-audit run; give the --output "
              + "folder of a run" : "; it is the base folder of dated runs (an audit's --output): give one of its "
              + "runs, e.g. the newest, " + new org.apache.hadoop.fs.Path(run, newest)));
    }
    return new Config(run, new Report.Options(s.optional("metadata").orElse(null),
        s.optional("metadata-id").orElse(null), s.optional("metadata-title").orElse(null), s.integer("sample-items"),
        items, s.integer("k"), s.integer("columns"), s.integer("max-models")));
  }

  @Override
  public OutputSpec output(Config config) {
    // the report folder is derived from the run: always re-rendered in place, also when the run
    // wrote it itself (demo, sweep, reproduce and audit render their report as they finish)
    return new OutputSpec(new org.apache.hadoop.fs.Path(config.run(), Report.FOLDER).toString(),
        TableFormat.PARQUET, false, OutputSpec.ExistingOutput.RENDER_IN_PLACE);
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) {
    Report.Result r = Report.write(spark, config.run(), config.options());
    out.manifest().detail("sections", r.sections());
    out.manifest().detail("figures", r.figures().size());
    out.manifest().detail("problems", r.problems());
    List<String> lines = new ArrayList<>();
    lines.add("report: " + r.sections().size() + " sections (" + String.join(", ", r.sections()) + "), "
        + r.figures().size() + " figures -> " + r.index());
    for (String p : r.problems()) {
      lines.add("report: could not render " + p);
    }
    return Outcome.ok(lines);
  }
}
