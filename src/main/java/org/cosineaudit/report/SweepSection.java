package org.cosineaudit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.io.Tables;

/**
 * Section {@code sweep}: the sweep's {@code model_index} as a table (λ, rank, seed,
 * accuracy, training time; training time from each {@code model.json} when the index has
 * none) and held-out accuracy against λ, one line per rank/feedback/α, the band spanning
 * the seeds. Also records each model's λ and accuracy for the stability charts.
 */
final class SweepSection {

  /** Accuracy metrics in order of preference; the first two are errors (lower is better). */
  static final List<String> ACCURACY = List.of("rmse", "mae", "ndcg", "map", "precision", "recall");

  private SweepSection() {}

  static void render(ReportContext ctx) {
    if (ctx.contents.sweeps.isEmpty()) {
      return;
    }
    ctx.openSection("sweep", "Regularization sweep");
    ctx.each(ctx.contents.sweeps, sweep -> "sweep " + sweep.relative(), sweep -> one(ctx, sweep));
    ctx.closeSection();
  }

  private static void one(ReportContext ctx, RunContents.SweepDir sweep) {
    Html h = ctx.html;
    String where = sweep.relative().isEmpty() ? "model_index" : sweep.relative() + "/model_index";
    Dataset<Row> index = Tables.read(ctx.spark, new org.apache.hadoop.fs.Path(sweep.dir(), "model_index").toString());
    StructType schema = index.schema();
    String idCol = Rows.firstColumn(schema, List.of("model_id", "model", "id"));
    String regCol = Rows.firstColumn(schema, List.of("reg", "lambda", "regParam"));
    String rankCol = Rows.firstColumn(schema, List.of("rank"));
    String seedCol = Rows.firstColumn(schema, List.of("seed"));
    String alphaCol = Rows.firstColumn(schema, List.of("alpha"));
    String feedbackCol = Rows.firstColumn(schema, List.of("feedback", "implicit"));
    String accCol = accuracyColumn(schema.fieldNames());
    List<String> order = new ArrayList<>();
    for (String c : new String[] {rankCol, regCol, seedCol, idCol}) {
      if (c != null) {
        order.add(c);
      }
    }
    // one row per model: small, safe to bring to the driver
    List<Row> rows = (order.isEmpty() ? index : index.orderBy(order.stream().map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new))).limit(ctx.options.maxModels()).collectAsList();
    long total = index.count();

    boolean hasTime = false;
    for (String f : schema.fieldNames()) {
      String l = f.toLowerCase(Locale.ROOT);
      hasTime |= l.contains("time") || l.contains("second");
    }
    Map<String, JsonNode> modelJson = new TreeMap<>();
    for (RunContents.ModelDir m : sweep.models()) {
      if (m.modelJson() != null) {
        modelJson.put(m.id(), m.modelJson());
      }
    }
    List<String> header = new ArrayList<>(List.of(schema.fieldNames()));
    if (!hasTime && !modelJson.isEmpty()) {
      header.add("training seconds (model.json)");
    }
    List<List<String>> cells = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    for (Row r : rows) {
      List<String> row = new ArrayList<>();
      for (int i = 0; i < schema.size(); i++) {
        row.add(Rows.cell(r, i));
      }
      if (!hasTime && !modelJson.isEmpty()) {
        JsonNode j = idCol == null ? null : modelJson.get(Rows.string(r, idCol));
        Double t = j == null ? null : trainingSeconds(j);
        row.add(t == null ? "" : Html.number(t));
      }
      cells.add(row);
      String status = Rows.string(r, Rows.firstColumn(schema, List.of("status")));
      classes.add(status == null ? null : JsonTables.statusWord(status));
      String id = Rows.string(r, idCol);
      if (id != null) {
        Double rank = Rows.number(r, rankCol);
        Double seed = Rows.number(r, seedCol);
        ctx.models.put(id, new ReportContext.ModelInfo(id, Rows.number(r, regCol),
            rank == null ? null : rank.intValue(), seed == null ? null : seed.longValue(), Rows.number(r, alphaCol),
            Rows.number(r, accCol)));
      }
    }
    h.raw("<h3>Models</h3>\n");
    h.paragraph(String.format(Locale.ROOT, "%,d models from %s%s.", total, where,
        total > rows.size() ? " (the first " + rows.size() + " shown)" : ""));
    h.table(header, cells, classes);

    ctx.finding(headline(ctx, total, accCol), "info");
    if (accCol != null && regCol != null) {
      ctx.accuracyMetric = accCol;
      ctx.accuracyLowerIsBetter = lowerIsBetter(accCol);
      accuracyChart(ctx, rows, regCol, accCol, rankCol, seedCol, alphaCol, feedbackCol);
    }
  }

  private static void accuracyChart(ReportContext ctx, List<Row> rows, String regCol, String accCol, String rankCol,
      String seedCol, String alphaCol, String feedbackCol) {
    // series: rank / feedback / alpha; points: λ; band: min..max over seeds
    Map<String, TreeMap<Double, List<Double>>> series = new TreeMap<>();
    boolean allPositive = true;
    for (Row r : rows) {
      Double reg = Rows.number(r, regCol);
      Double acc = Rows.number(r, accCol);
      if (reg == null || acc == null || !Double.isFinite(acc)) {
        continue;
      }
      allPositive &= reg > 0;
      StringBuilder name = new StringBuilder();
      if (rankCol != null) {
        name.append("rank ").append(Rows.string(r, rankCol));
      }
      if (feedbackCol != null && Rows.string(r, feedbackCol) != null) {
        name.append(name.length() > 0 ? ", " : "").append(Rows.string(r, feedbackCol));
      }
      if (alphaCol != null && Rows.string(r, alphaCol) != null) {
        name.append(name.length() > 0 ? ", " : "").append("α ").append(Rows.string(r, alphaCol));
      }
      series.computeIfAbsent(name.length() == 0 ? accCol : name.toString(), k -> new TreeMap<>())
          .computeIfAbsent(reg, k -> new ArrayList<>()).add(acc);
    }
    if (series.isEmpty()) {
      return;
    }
    List<Charts.Band> bands = new ArrayList<>();
    for (Map.Entry<String, TreeMap<Double, List<Double>>> s : series.entrySet()) {
      int n = s.getValue().size();
      double[] x = new double[n];
      double[] y = new double[n];
      double[] lo = new double[n];
      double[] hi = new double[n];
      int i = 0;
      for (Map.Entry<Double, List<Double>> p : s.getValue().entrySet()) {
        x[i] = p.getKey();
        y[i] = p.getValue().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        lo[i] = p.getValue().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        hi[i] = p.getValue().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        i++;
      }
      bands.add(new Charts.Band(s.getKey(), x, y, lo, hi));
    }
    String metric = accCol.toUpperCase(Locale.ROOT);
    ctx.chart("sweep-accuracy", Charts.bands("Held-out " + metric + " against regularization",
        "regularization λ" + (allPositive ? " (log scale)" : ""), "held-out " + metric + " " + unit(accCol),
        allPositive, null, bands),
        "Held-out " + metric + " of each model against λ" + (seedCol != null
            ? "; line: mean over seeds, band: range over seeds." : "."));
  }

  /** "12 models; best held-out RMSE 0.873 (model m3, λ 0.1)". */
  private static String headline(ReportContext ctx, long total, String accCol) {
    String text = String.format(Locale.ROOT, "%,d models", total);
    if (accCol == null) {
      return text;
    }
    boolean lower = lowerIsBetter(accCol);
    ReportContext.ModelInfo best = null;
    for (ReportContext.ModelInfo m : ctx.models.values()) {
      if (m.accuracy() != null && Double.isFinite(m.accuracy())
          && (best == null || (lower ? m.accuracy() < best.accuracy() : m.accuracy() > best.accuracy()))) {
        best = m;
      }
    }
    return best == null ? text : text + "; best held-out " + accCol.toUpperCase(Locale.ROOT) + " "
        + Html.number(best.accuracy()) + " (model " + best.id() + (best.reg() == null ? "" : ", λ "
        + Html.number(best.reg())) + ")";
  }

  /** The preferred accuracy column of a model index, or null. */
  static String accuracyColumn(String[] columns) {
    for (String pref : ACCURACY) {
      for (String c : columns) {
        if (c.toLowerCase(Locale.ROOT).startsWith(pref)) {
          return c;
        }
      }
    }
    return null;
  }

  static boolean lowerIsBetter(String metric) {
    String l = metric.toLowerCase(Locale.ROOT);
    return l.startsWith("rmse") || l.startsWith("mae");
  }

  static String unit(String metric) {
    return lowerIsBetter(metric) ? "(rating units, lower is better)" : "(0 to 1, higher is better)";
  }

  /** Training time from a model.json: the first numeric field named like *second* or *time*. */
  static Double trainingSeconds(JsonNode j) {
    for (String k : List.of("training_seconds", "train_seconds", "fit_seconds", "seconds")) {
      if (j.path(k).isNumber()) {
        return j.path(k).asDouble();
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = j.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String l = e.getKey().toLowerCase(Locale.ROOT);
      if (e.getValue().isNumber() && (l.contains("second") || l.contains("time"))) {
        return e.getValue().asDouble();
      }
      if (e.getValue().isObject()) {
        Double nested = trainingSeconds(e.getValue());
        if (nested != null) {
          return nested;
        }
      }
    }
    return null;
  }
}
