package org.cosineaudit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.RunOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTML report of a run: {@code RUN/report/index.html} plus its figures as PNG files
 * beside it. The page works offline (no external URL; a Content-Security-Policy forbids
 * scripts and remote resources), escapes every text that comes from data, and renders the
 * sections that the run's outputs call for, found by {@link RunContents}: run and
 * configuration, sweep, neighbour stability (overall, against λ, against accuracy, by
 * popularity), the paper's claims and figures, gauge sensitivity, audit checks, and
 * neighbours of sample items across models.
 *
 * <p>Jobs call {@link #write(SparkSession, String)} (or {@link #write(RunOutput)}, which also
 * shows the still-running manifest) at their end; {@code ./submit.sh report --run DIR}
 * renders it again, e.g. with {@code --metadata}. A section that cannot be rendered says so
 * on the page and in {@link Result#problems()}; it never fails the run that called it.
 * Charts are drawn by JFreeChart with {@code java.awt.headless=true}.
 */
public final class Report {

  private static final Logger LOG = LoggerFactory.getLogger(Report.class);

  /** The folder of the report inside the run. */
  public static final String FOLDER = "report";
  public static final String INDEX = "index.html";

  /**
   * Rendering options.
   *
   * @param metadata item metadata (CSV with header, tab-separated .dat/.tsv, or Parquet), or null
   * @param metadataId its id column (null: id, item, movieId, ... or the first column)
   * @param metadataTitle its title column (null: title, name, ... or the second column)
   * @param sampleItems how many sample items get side-by-side neighbour lists (0: none)
   * @param items explicit sample item ids (overrides {@code sampleItems})
   * @param k neighbours shown per item
   * @param maxColumns neighbour tables shown side by side
   * @param maxModels sweep models listed in the table
   */
  public record Options(String metadata, String metadataId, String metadataTitle, int sampleItems, List<String> items,
      int k, int maxColumns, int maxModels) {

    public static final Options DEFAULTS = new Options(null, null, null, 4, List.of(), 10, 5, 500);

    public Options {
      items = items == null ? List.of() : List.copyOf(items);
    }
  }

  /**
   * What was written.
   *
   * @param index the page
   * @param sections section ids in page order
   * @param figures PNG files beside the page
   * @param problems sections that could not be rendered, with the reason
   */
  public record Result(String index, List<String> sections, List<String> figures, List<String> problems) {}

  private Report() {}

  /** Writes the report of the run in {@code runDir} with default options. */
  public static Result write(SparkSession spark, String runDir) {
    return write(spark, runDir, Options.DEFAULTS);
  }

  /** Writes the report of a run that is still open: its manifest so far is shown too. */
  public static Result write(RunOutput out) {
    return write(out.spark(), out.root(), Options.DEFAULTS, out.manifest().json());
  }

  public static Result write(SparkSession spark, String runDir, Options options) {
    return write(spark, runDir, options, null);
  }

  static Result write(SparkSession spark, String runDir, Options options, JsonNode liveManifest) {
    RunFiles files = new RunFiles(spark, runDir);
    Path root = new Path(runDir);
    boolean hasOutputs = files.isDirectory(root)
        && files.list(root).stream().anyMatch(f -> !f.getPath().getName().equals(FOLDER));
    if (!hasOutputs) {
      throw new InputException("run directory " + runDir + " does not exist or holds no outputs; give --run the "
          + "--output folder of a run");
    }
    if (options.metadata() != null && !files.exists(new Path(options.metadata()))) {
      throw new InputException("--metadata " + options.metadata() + " does not exist; give a CSV with a header "
          + "(e.g. movies.csv with movieId,title), a tab-separated .dat/.tsv, or Parquet");
    }
    Path reportDir = new Path(root, FOLDER);
    files.mkdirs(reportDir);
    for (FileStatus f : files.list(reportDir)) {
      // figures of an earlier rendering must not linger beside the new page
      if (f.isFile() && (f.getPath().getName().endsWith(".png") || f.getPath().getName().equals(INDEX))) {
        files.delete(f.getPath());
      }
    }
    long start = System.nanoTime();
    RunContents contents = RunContents.discover(files, root);
    ReportContext ctx = new ReportContext(spark, files, contents, options, reportDir);
    // results first; what the run was (configuration, versions, timing) last
    section(ctx, "sweep", () -> SweepSection.render(ctx));
    section(ctx, "stability", () -> StabilitySection.render(ctx));
    section(ctx, "reproduce", () -> ReproduceSection.render(ctx));
    section(ctx, "gauge", () -> GaugeSection.render(ctx));
    section(ctx, "audit", () -> AuditSection.render(ctx));
    section(ctx, "neighbours", () -> NeighbourSection.render(ctx));
    section(ctx, "run", () -> RunSection.render(ctx, liveManifest));
    if (ctx.toc.isEmpty()) {
      ctx.openSection("empty", "Nothing to report yet");
      ctx.html.paragraph("No outputs the report knows were found under this folder (manifest.json, model_index, "
          + "stability/summary, claims.json, summary.json, neighbours/).");
      ctx.closeSection();
    }
    String page = page(root.toString(), ctx);
    Path index = new Path(reportDir, INDEX);
    files.write(index, page.getBytes(StandardCharsets.UTF_8));
    LOG.info("report: {} ({} sections, {} figures{}) in {}", index, ctx.toc.size(), ctx.figureFiles.size(),
        ctx.problems.isEmpty() ? "" : ", " + ctx.problems.size() + " problems",
        org.cosineaudit.run.Progress.duration((System.nanoTime() - start) / 1e9));
    for (String p : ctx.problems) {
      LOG.warn("report: could not render {}", p);
    }
    return new Result(index.toString(), List.copyOf(ctx.toc.keySet()), List.copyOf(ctx.figureFiles),
        List.copyOf(ctx.problems));
  }

  /** Runs one section; an unexpected failure becomes a visible problem, not a failed run. */
  private static void section(ReportContext ctx, String name, Runnable body) {
    try {
      body.run();
    } catch (InputException e) {
      throw e; // the user's input (e.g. --metadata) is wrong: say so
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("report section {} failed", name, e);
      ctx.problem(name, e);
      ctx.closeSection();
    }
  }

  private static String page(String runDir, ReportContext ctx) {
    StringBuilder sb = new StringBuilder(ctx.html.toString().length() + 8192);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' data:; "
            + "style-src 'unsafe-inline'\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>cosine-audit report: ").append(Html.escape(new Path(runDir).getName())).append("</title>\n")
        .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<header>\n<h1>cosine-audit report</h1>\n")
        .append("<p class=\"meta\">Run folder <code>").append(Html.escape(runDir)).append("</code> · written ")
        .append(Html.escape(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())).append("</p>\n");
    if (!ctx.problems.isEmpty()) {
      sb.append("<p class=\"problem\">").append(ctx.problems.size())
          .append(" part(s) of this report could not be rendered; see the marked sections.</p>\n");
    }
    sb.append("<nav><ul>\n<li><a href=\"#summary\">At a glance</a></li>\n");
    for (Map.Entry<String, String> e : ctx.toc.entrySet()) {
      sb.append("<li><a href=\"#").append(Html.escape(e.getKey())).append("\">").append(Html.escape(e.getValue()))
          .append("</a></li>\n");
    }
    sb.append("</ul></nav>\n</header>\n<main>\n").append(summary(ctx)).append(ctx.html).append("</main>\n<footer>Written by cosine-audit; "
        + "figures drawn with JFreeChart. Every file this page uses is in its folder.</footer>\n</body>\n</html>\n");
    return sb.toString();
  }

  /** The headline of every section, each linked to its section, coloured by status. */
  private static String summary(ReportContext ctx) {
    StringBuilder sb = new StringBuilder("<section id=\"summary\">\n<h2>At a glance</h2>\n<table class=\"summary\">\n");
    for (String[] f : ctx.findings) {
      sb.append("<tr class=\"").append(Html.escape(f[3])).append("\"><th><a href=\"#").append(Html.escape(f[0]))
          .append("\">").append(Html.escape(f[1])).append("</a></th><td>").append(Html.escape(f[2]))
          .append("</td></tr>\n");
    }
    if (!ctx.problems.isEmpty()) {
      sb.append("<tr class=\"fail\"><th>Report</th><td>").append(ctx.problems.size())
          .append(" part(s) could not be rendered; they are marked below</td></tr>\n");
    }
    return sb.append("</table>\n</section>\n").toString();
  }

  private static final String CSS = """
      :root { --fg: #222; --muted: #666; --line: #ddd; --pass: #e3f4e8; --fail: #fbe3e1; --warn: #fff4d6; }
      body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg);
             margin: 0 auto; max-width: 1180px; padding: 0 24px 48px; }
      header { border-bottom: 2px solid var(--fg); margin-bottom: 16px; }
      h1 { margin: 24px 0 4px; } h2 { margin-top: 40px; border-bottom: 1px solid var(--line); }
      h3 { margin: 24px 0 8px; } h4 { margin: 16px 0 6px; color: var(--muted); }
      .meta, .note, footer { color: var(--muted); }
      nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
      code { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
      .scroll { overflow-x: auto; }
      table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13.5px; }
      th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
      th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
      td { max-width: 640px; overflow-wrap: anywhere; }
      table.summary th { background: none; font-weight: 600; white-space: nowrap; }
      table.summary tr.pass th { background: var(--pass); } table.summary tr.fail th { background: var(--fail); }
      table.summary tr.warn th { background: var(--warn); }
      tr.pass td { background: var(--pass); } tr.fail td { background: var(--fail); }
      tr.warn td { background: var(--warn); }
      table.neighbours td.shared { font-weight: 600; } .score { color: var(--muted); font-size: 12px; }
      figure { margin: 12px 0 24px; } figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
      figcaption { color: var(--muted); font-size: 13.5px; max-width: 900px; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 12px; }
      figure.wide { grid-column: 1 / -1; }
      .verdict { font-weight: 600; } .problem { background: var(--fail); padding: 6px 10px; }
      details { margin: 6px 0; } summary { cursor: pointer; }
      """;
}
