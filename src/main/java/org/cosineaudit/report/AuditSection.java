package org.cosineaudit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * Section {@code audit}: the checks of an audit's {@code summary.json}, each with its value,
 * threshold and status, coloured by status; the top-level verdict fields above them.
 * When the folder holds several dated audits, the latest (by folder name) comes first.
 */
final class AuditSection {

  private static final int MAX_AUDITS = 3;

  private AuditSection() {}

  static void render(ReportContext ctx) {
    if (ctx.contents.auditSummaries.isEmpty()) {
      return;
    }
    List<Path> summaries = new ArrayList<>(ctx.contents.auditSummaries);
    summaries.sort(Comparator.comparing((Path p) -> p.toString()).reversed());
    ctx.openSection("audit", "Audit checks");
    if (summaries.size() > MAX_AUDITS) {
      ctx.html.note(summaries.size() + " audits found; the latest " + MAX_AUDITS + " are shown.");
    }
    ctx.each(summaries.subList(0, Math.min(MAX_AUDITS, summaries.size())),
        p -> "audit " + ctx.contents.relative(p), p -> one(ctx, p));
    ctx.closeSection();
  }

  private static void one(ReportContext ctx, Path summary) {
    Html h = ctx.html;
    JsonNode j = ctx.files.readJson(summary);
    h.raw("<h3>").text(ctx.contents.relative(summary)).raw("</h3>\n");
    List<List<String>> facts = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = j.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isValueNode()) {
        facts.add(List.of(e.getKey(), JsonTables.cell(e.getValue())));
        String k = e.getKey().toLowerCase(Locale.ROOT);
        classes.add(k.equals("status") || k.equals("outcome") || k.equals("result")
            ? JsonTables.statusWord(e.getValue().asText()) : null);
      }
    }
    if (!facts.isEmpty()) {
      h.table(List.of("audit", ""), facts, classes);
    }
    List<JsonNode> checks = JsonTables.objects(j, "checks");
    JsonTables.Table t = JsonTables.table(checks);
    h.raw("<p class=\"verdict\">").text(String.format(Locale.ROOT, "%d checks: %d pass, %d fail, %d warn or skipped.",
        checks.size(), t.count("pass"), t.count("fail"), t.count("warn"))).raw("</p>\n");
    h.table(t.header(), t.rows(), t.statuses());
    String overall = j.path("status").isTextual() ? JsonTables.statusWord(j.path("status").asText())
        : t.count("fail") > 0 ? "fail" : t.count("warn") > 0 ? "warn" : "pass";
    ctx.finding(String.format(Locale.ROOT, "%s: %s (%d checks: %d pass, %d warn, %d fail)",
        ctx.contents.relative(summary), overall, checks.size(), t.count("pass"), t.count("warn"), t.count("fail")),
        overall);
  }
}
