package org.cosineaudit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Section {@code reproduce}: the paper's claims from {@code claims.json} (each a measured
 * number, a threshold and pass/fail), then the run's {@code figures/*.png} (Figure 1's heat
 * maps), copied beside the page so the report folder stands alone.
 */
final class ReproduceSection {

  private ReproduceSection() {}

  static void render(ReportContext ctx) {
    if (ctx.contents.reproduceDirs.isEmpty()) {
      return;
    }
    ctx.openSection("reproduce", "The paper's claims and Figure 1");
    ctx.each(ctx.contents.reproduceDirs, dir -> "claims in " + ctx.contents.relative(dir), dir -> one(ctx, dir));
    ctx.closeSection();
  }

  /** The paper's Figure 1 first, then the ground truth it is read against, then the rest by name. */
  static int figureRank(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.startsWith("figure") ? 0 : n.startsWith("ground") ? 1 : 2;
  }

  private static void one(ReportContext ctx, Path dir) {
    Html h = ctx.html;
    String where = ctx.contents.relative(dir);
    JsonNode claims = ctx.files.readJson(new Path(dir, "claims.json"));
    List<JsonNode> objects = JsonTables.objects(claims, "claims");
    JsonTables.Table t = JsonTables.table(objects);
    h.raw("<h3>Claims</h3>\n");
    h.raw("<p class=\"verdict\">").text(String.format(Locale.ROOT, "%d of %d claims pass, %d fail (%s).",
        t.count("pass"), objects.size(), t.count("fail"), (where.isEmpty() ? "" : where + "/") + "claims.json"))
        .raw("</p>\n");
    h.table(t.header(), t.rows(), t.statuses());
    ctx.finding(String.format(Locale.ROOT, "%d of %d claims pass, %d fail", t.count("pass"), objects.size(),
        t.count("fail")), t.count("fail") > 0 ? "fail" : t.count("pass") == objects.size() ? "pass" : "warn");

    Path figures = new Path(dir, "figures");
    List<FileStatus> pngs = ctx.files.list(figures).stream()
        .filter(f -> f.isFile() && f.getPath().getName().toLowerCase(Locale.ROOT).endsWith(".png"))
        .sorted(java.util.Comparator.comparingInt((FileStatus f) -> figureRank(f.getPath().getName()))
            .thenComparing(f -> f.getPath().getName().replaceFirst("(?i)\\.png$", "")))
        .toList();
    if (!pngs.isEmpty()) {
      h.raw("<h3>Figures</h3>\n<div class=\"grid\">\n");
      for (FileStatus f : pngs) {
        String name = f.getPath().getName();
        String title = name.substring(0, name.length() - 4).replace('_', ' ').replace('-', ' ');
        ctx.copyFigure(f.getPath(), "reproduce-" + title, title,
            title + " (" + (where.isEmpty() ? "" : where + "/") + "figures/" + name + ")");
      }
      h.raw("</div>\n");
    }
  }
}
