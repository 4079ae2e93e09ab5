package org.cosineaudit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Section {@code run}: what the run was and did, from {@code manifest.json} (job, outcome,
 * timing, configuration with the source of every value, versions, inputs with checksums,
 * row counts, stage timings), then one line per nested run (the stages of {@code demo}).
 */
final class RunSection {

  private RunSection() {}

  static void render(ReportContext ctx, JsonNode liveManifest) {
    List<RunContents.RunDir> runs = ctx.contents.runs;
    JsonNode top = liveManifest;
    if (top == null) {
      top = runs.stream().filter(r -> r.relative().isEmpty()).map(RunContents.RunDir::manifest).findFirst().orElse(null);
    }
    List<RunContents.RunDir> nested = runs.stream().filter(r -> !r.relative().isEmpty()).toList();
    if (top == null && nested.isEmpty()) {
      return;
    }
    ctx.openSection("run", "Run and configuration");
    Html h = ctx.html;
    if (top != null) {
      String outcome = text(top, "outcome");
      if (liveManifest != null && outcome.equals("running")) {
        // rendered as the run's last step: the outcome is written after this page
        outcome = "finishing (this report is the run's last step; manifest.json holds the final outcome, and "
            + "report --run renders the page again)";
      }
      ctx.finding(text(top, "job") + ": " + outcome + (top.has("seconds") ? " in "
          + org.cosineaudit.run.Progress.duration(top.path("seconds").asDouble()) : "")
          + (nested.isEmpty() ? "" : "; " + nested.size() + " nested runs"), JsonTables.statusWord(outcome));
    } else {
      ctx.finding(nested.size() + " nested runs; this folder's own manifest is not written yet", "info");
    }
    if (top == null) {
      h.note("This folder has no manifest.json of its own (the report may have been written before the run "
          + "completed); its nested runs are listed below.");
    } else {
      manifest(h, top);
    }
    if (!nested.isEmpty()) {
      h.raw("<h3>Nested runs</h3>\n");
      List<List<String>> rows = new ArrayList<>();
      List<String> classes = new ArrayList<>();
      for (RunContents.RunDir r : nested) {
        JsonNode m = r.manifest();
        String outcome = m == null ? "manifest unreadable" : text(m, "outcome");
        rows.add(List.of(r.relative(), m == null ? "" : text(m, "job"), outcome,
            m == null ? "" : text(m, "seconds"), m == null ? "" : Integer.toString(m.path("outputs").size())));
        classes.add(JsonTables.statusWord(outcome));
      }
      h.table(List.of("folder", "job", "outcome", "seconds", "tables written"), rows, classes);
      for (RunContents.RunDir r : nested) {
        if (r.manifest() != null) {
          h.raw("<details><summary>").text(r.relative() + " — " + text(r.manifest(), "job") + " manifest")
              .raw("</summary>\n");
          manifest(h, r.manifest());
          h.raw("</details>\n");
        }
      }
    }
    ctx.closeSection();
  }

  private static void manifest(Html h, JsonNode m) {
    List<List<String>> facts = new ArrayList<>();
    for (String k : List.of("job", "outcome", "message", "started", "finished", "seconds")) {
      if (m.has(k)) {
        facts.add(List.of(k, text(m, k)));
      }
    }
    h.table(List.of("run", ""), facts, facts.stream().map(f -> f.get(0).equals("outcome")
        ? JsonTables.statusWord(f.get(1)) : null).toList());

    JsonNode config = m.path("config");
    JsonNode sources = m.path("config_sources");
    if (config.size() > 0) {
      List<List<String>> rows = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        rows.add(List.of(e.getKey(), JsonTables.cell(e.getValue()), JsonTables.cell(sources.get(e.getKey()))));
      }
      h.raw("<h4>Configuration</h4>\n").table(List.of("option", "value", "from"), rows);
    }
    h.raw("<details><summary>Versions, inputs, counts, tables, stages and details</summary>\n");
    keyValues(h, "Versions", m.path("versions"), "component", "version");
    keyValues(h, "Spark", m.path("spark"), "setting", "value");
    if (m.path("inputs").size() > 0) {
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode in : m.path("inputs")) {
        rows.add(List.of(text(in, "role"), text(in, "path"), text(in, "bytes"), text(in, "files"), text(in, "sha256")));
      }
      h.raw("<h4>Inputs</h4>\n").table(List.of("role", "path", "bytes", "files", "sha256"), rows);
    }
    keyValues(h, "Counts", m.path("counts"), "count", "value");
    keyValues(h, "Tables written", m.path("outputs"), "table", "rows");
    if (m.path("stages").size() > 0) {
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode st : m.path("stages")) {
        rows.add(List.of(text(st, "name"), text(st, "seconds")));
      }
      h.raw("<h4>Stages</h4>\n").table(List.of("stage", "seconds"), rows);
    }
    keyValues(h, "Details", m.path("details"), "detail", "value");
    h.raw("</details>\n");
  }

  private static void keyValues(Html h, String title, JsonNode obj, String keyHeader, String valueHeader) {
    if (obj == null || !obj.isObject() || obj.size() == 0) {
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      rows.add(List.of(e.getKey(), JsonTables.cell(e.getValue())));
    }
    h.raw("<h4>").text(title).raw("</h4>\n").table(List.of(keyHeader, valueHeader), rows);
  }

  static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return JsonTables.cell(v);
  }
}
