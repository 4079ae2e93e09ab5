package org.cosineaudit.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.jfree.chart.JFreeChart;

/**
 * What the sections of one report share: the session, the files, what the run holds, the
 * options, the page being written, and facts one section learns for another (the models'
 * parameters and accuracy, read by the sweep section and used by the stability charts).
 */
final class ReportContext {

  /** Parameters and held-out accuracy of one sweep model, by model id. */
  record ModelInfo(String id, Double reg, Integer rank, Long seed, Double alpha, Double accuracy) {}

  final SparkSession spark;
  final RunFiles files;
  final RunContents contents;
  final Report.Options options;
  final Path reportDir;
  final Html html = new Html();
  final Map<String, String> toc = new LinkedHashMap<>();
  final Map<String, ModelInfo> models = new LinkedHashMap<>();
  final List<String> problems = new ArrayList<>();
  final List<String> figureFiles = new ArrayList<>();
  /** One line per section for the summary at the top: section anchor, heading, text, status class. */
  final List<String[]> findings = new ArrayList<>();
  private String currentId;
  private String currentHeading;
  /** Name of the accuracy metric in {@link #models} and whether lower is better. */
  String accuracyMetric;
  private boolean sectionOpen;
  boolean accuracyLowerIsBetter;

  ReportContext(SparkSession spark, RunFiles files, RunContents contents, Report.Options options, Path reportDir) {
    this.spark = spark;
    this.files = files;
    this.contents = contents;
    this.options = options;
    this.reportDir = reportDir;
  }

  /** Starts a section and lists it in the table of contents. */
  void openSection(String id, String heading) {
    if (sectionOpen) {
      closeSection();
    }
    String unique = id;
    for (int i = 2; toc.containsKey(unique); i++) {
      unique = id + "-" + i; // a second sweep or stability summary gets its own anchor
    }
    toc.put(unique, heading);
    currentId = unique;
    currentHeading = heading;
    html.openSection(unique, heading);
    sectionOpen = true;
  }

  void closeSection() {
    if (sectionOpen) {
      html.closeSection();
      sectionOpen = false;
    }
  }


  /** Renders a chart to a PNG beside the page and adds it as a figure. */
  void chart(String slug, JFreeChart chart, String caption) {
    String file = nextFigureName(slug);
    files.write(new Path(reportDir, file), Charts.png(chart));
    html.figure(file, chart.getTitle() == null ? slug : chart.getTitle().getText(), caption);
  }

  /** Copies a PNG the run wrote (e.g. reproduce's heat maps) beside the page. */
  void copyFigure(Path png, String slug, String alt, String caption) {
    String file = nextFigureName(slug);
    byte[] bytes = files.readBytes(png);
    files.write(new Path(reportDir, file), bytes);
    int[] size = pngSize(bytes);
    // composites (a row of panels) span the whole grid row instead of being squeezed into one cell
    boolean wide = size != null && size[0] > 1.6 * size[1];
    html.figure(file, alt, caption, wide ? "wide" : null);
  }

  /** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
  static int[] pngSize(byte[] b) {
    if (b.length < 24 || (b[0] & 0xff) != 0x89 || b[1] != 'P' || b[2] != 'N' || b[3] != 'G') {
      return null;
    }
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, 16, 8);
    return new int[] {buf.getInt(), buf.getInt()};
  }

  private String nextFigureName(String slug) {
    String safe = slug.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    String file = String.format(Locale.ROOT, "fig-%02d-%s.png", figureFiles.size() + 1,
        safe.length() > 60 ? safe.substring(0, 60) : safe);
    figureFiles.add(file);
    return file;
  }

  /**
   * A headline for the summary at the top of the page, linked to the current section.
   *
   * @param status "pass", "fail", "warn" or "info"
   */
  void finding(String text, String status) {
    findings.add(new String[] {currentId, currentHeading, text, status});
  }

  /**
   * Renders each of several outputs of one kind (two sweeps, three audits); one that fails is
   * marked on the page and the others still render. Input errors (the user's options) propagate.
   */
  <T> void each(List<T> outputs, Function<T, String> describe, Consumer<T> render) {
    for (T t : outputs) {
      try {
        render.accept(t);
      } catch (org.cosineaudit.run.InputException e) {
        throw e;
      } catch (RuntimeException e) {
        problem(describe.apply(t), e);
      }
    }
  }

  /** A section failed: say so on the page (and in the log) instead of failing the whole run. */
  void problem(String where, Throwable t) {
    String msg = where + ": " + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    problems.add(msg);
    html.element("p", "problem", "Could not render " + msg);
  }

  byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
