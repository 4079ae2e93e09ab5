package org.cosineaudit.report;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile_approx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Section {@code gauge}: how much cosine neighbours move under rescalings that leave every
 * prediction unchanged (and how little score-cosine moves), from any table whose name
 * contains {@code gauge}. A per-item table becomes one distribution chart per numeric column
 * (histograms computed on the executors; only bin counts reach the driver), one line per
 * value of its measure/variant column, plus quantiles; a summary table (with {@code metric}
 * and {@code mean}) is shown as it is.
 */
final class GaugeSection {

  static final int BINS = 20;
  private static final int MAX_COLUMNS = 4;
  private static final int MAX_ROWS = 200;
  private static final int CHART_ROWS = 20_000;
  private static final Set<String> NOT_VALUES = Set.of("item", "id", "a", "b", "user", "rank", "seed", "trial",
      "draw", "index", "n", "n_items", "k");
  private static final List<String> GROUP_COLUMNS = List.of("measure", "variant", "transform", "kind", "metric");

  private GaugeSection() {}

  static void render(ReportContext ctx) {
    if (ctx.contents.gaugeTables.isEmpty()) {
      return;
    }
    ctx.openSection("gauge", "Gauge sensitivity");
    ctx.html.paragraph("A gauge transform rescales or rotates user and item factors so that every prediction stays "
        + "the same. Cosine neighbours that move under it are an artefact of the factorization, not of the data; "
        + "score-cosine neighbours must not move.");
    ctx.each(ctx.contents.gaugeTables, p -> "gauge table " + ctx.contents.relative(p), p -> one(ctx, p));
    ctx.closeSection();
  }

  private static void one(ReportContext ctx, Path path) {
    Html h = ctx.html;
    String where = ctx.contents.relative(path);
    Dataset<Row> t = org.cosineaudit.io.Tables.read(ctx.spark, path.toString());
    h.raw("<h3>").text(where).raw("</h3>\n");
    boolean summary = Rows.has(t.schema(), "metric") && Rows.has(t.schema(), "mean");
    if (summary || !Rows.has(t.schema(), "item")) {
      // a summary (one row per draw, measure and metric) rather than per-item values
      // in the table's own column order, so the rows shown are always the same ones
      // one row per draw, measure and metric: small; the chart gets all of them (up to
      // CHART_ROWS), the table the first MAX_ROWS
      List<Row> all = t.orderBy(java.util.Arrays.stream(t.columns()).map(org.apache.spark.sql.functions::col)
          .toArray(org.apache.spark.sql.Column[]::new)).limit(CHART_ROWS).collectAsList();
      List<Row> rows = all.subList(0, Math.min(MAX_ROWS, all.size()));
      long total = t.count();
      if (total > rows.size()) {
        h.paragraph(String.format(Locale.ROOT, "%,d rows: the first %,d shown%s; the whole table is %s.", total,
            rows.size(), summary ? " (the chart uses " + (total > all.size() ? "the first " + all.size() : "all") + ")"
            : "", where));
      }
      if (summary) {
        drawChart(ctx, all, where);
      }
      List<List<String>> cells = new ArrayList<>();
      for (Row r : rows) {
        List<String> row = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
          row.add(Rows.cell(r, i));
        }
        cells.add(row);
      }
      h.table(List.of(t.schema().fieldNames()), cells);
      return;
    }
    String group = null;
    for (String g : GROUP_COLUMNS) {
      String c = Rows.firstColumn(t.schema(), List.of(g));
      if (c != null && t.schema().apply(c).dataType().equals(DataTypes.StringType)) {
        group = c;
        break;
      }
    }
    List<String> values = new ArrayList<>();
    for (StructField f : t.schema().fields()) {
      if (isNumeric(f.dataType()) && !NOT_VALUES.contains(f.name().toLowerCase(Locale.ROOT))
          && values.size() < MAX_COLUMNS) {
        values.add(f.name());
      }
    }
    if (values.isEmpty()) {
      h.note("No numeric columns to plot in " + where + ".");
      return;
    }
    Column g = group == null ? lit("all") : col(group);
    List<List<String>> quantiles = new ArrayList<>();
    for (String v : values) {
      Dataset<Row> x = t.select(g.as("g"), col(v).cast("double").as("v")).where(col("v").isNotNull());
      Row range = x.agg(min("v"), max("v")).first();
      if (range.isNullAt(0)) {
        continue;
      }
      double lo = range.getDouble(0);
      double hi = range.getDouble(1);
      if (lo >= 0 && hi <= 1) {
        lo = 0;
        hi = 1; // agreement measures: show the whole scale
      } else if (hi <= lo) {
        hi = lo + 1;
      }
      double width = (hi - lo) / BINS;
      List<Row> counts = x.select(col("g"), least(floor(col("v").minus(lo).divide(width)), lit(BINS - 1)).as("bin"))
          .groupBy("g", "bin").count().collectAsList();
      Map<String, double[]> byGroup = new TreeMap<>();
      for (Row r : counts) {
        String key = r.isNullAt(0) ? "(none)" : r.get(0).toString();
        byGroup.computeIfAbsent(key, k -> new double[BINS])[(int) Math.max(0, r.getLong(1))] += r.getLong(2);
      }
      List<Charts.Series> series = new ArrayList<>();
      for (Map.Entry<String, double[]> e : byGroup.entrySet()) {
        double total = 0;
        for (double c : e.getValue()) {
          total += c;
        }
        double[] xs = new double[BINS];
        double[] ys = new double[BINS];
        for (int b = 0; b < BINS; b++) {
          xs[b] = lo + (b + 0.5) * width;
          ys[b] = 100.0 * e.getValue()[b] / total;
        }
        series.add(new Charts.Series(e.getKey(), xs, ys));
      }
      ctx.chart("gauge-" + v, Charts.lines("Distribution of " + v + (group == null ? "" : " by " + group),
          v + (lo == 0 && hi == 1 ? " (0 to 1)" : ""), "share of rows (%)", false, series),
          "Distribution of " + v + " in " + where + " (" + BINS + " equal bins; computed on the executors).");
      for (Row r : x.groupBy("g").agg(count("v"), avg("v"), min("v"),
          percentile_approx(col("v"), lit(new double[] {0.1, 0.5, 0.9}), lit(10000)), max("v")).orderBy("g")
          .collectAsList()) {
        List<?> q = r.getList(4);
        quantiles.add(List.of(v, r.isNullAt(0) ? "" : r.get(0).toString(), Long.toString(r.getLong(1)),
            Html.number(r.getDouble(2)), Html.number(r.getDouble(3)), Html.number(((Number) q.get(0)).doubleValue()),
            Html.number(((Number) q.get(1)).doubleValue()), Html.number(((Number) q.get(2)).doubleValue()),
            Html.number(r.getDouble(5))));
      }
    }
    h.table(List.of("column", group == null ? "group" : group, "rows", "mean", "min", "p10", "median", "p90", "max"),
        quantiles);
    StringBuilder headline = new StringBuilder();
    for (List<String> q : quantiles) {
      headline.append(headline.length() == 0 ? "" : "; ").append(q.get(0)).append(' ').append(q.get(1))
          .append(": mean ").append(q.get(3));
    }
    if (headline.length() > 0) {
      ctx.finding(headline.toString(), "info");
    }
  }

  /**
   * Agreement with the original model for each drawn transform, one line per measure: cosine
   * should fall under rescalings, score-cosine stay at 1.
   */
  private static void drawChart(ReportContext ctx, List<Row> rows, String where) {
    if (rows.isEmpty() || !Rows.has(rows.get(0).schema(), "transform")) {
      return;
    }
    List<StabilitySection.Stat> stats = new ArrayList<>();
    for (Row r : rows) {
      Double mean = Rows.number(r, "mean");
      if (mean == null) {
        continue;
      }
      Double lo = Rows.number(r, "ci_low");
      Double hi = Rows.number(r, "ci_high");
      String measure = Rows.firstColumn(r.schema(), List.of("measure")) == null ? "" : Rows.string(r, "measure");
      stats.add(new StabilitySection.Stat(measure, Rows.string(r, "transform"), Rows.string(r, "metric"),
          "all", -1, mean, lo == null ? mean : lo, hi == null ? mean : hi));
    }
    String metric = StabilitySection.chartMetric(stats);
    if (metric == null) {
      return;
    }
    List<String> transforms = new ArrayList<>(new java.util.TreeSet<>(stats.stream()
        .filter(s -> s.metric().equals(metric)).map(StabilitySection.Stat::b).toList()));
    Map<String, List<StabilitySection.Stat>> byMeasure = new TreeMap<>();
    stats.stream().filter(s -> s.metric().equals(metric))
        .forEach(s -> byMeasure.computeIfAbsent(s.a(), k -> new ArrayList<>()).add(s));
    List<Charts.Band> bands = new ArrayList<>();
    List<String> headline = new ArrayList<>();
    for (Map.Entry<String, List<StabilitySection.Stat>> e : byMeasure.entrySet()) {
      List<StabilitySection.Stat> l = new ArrayList<>(e.getValue());
      l.sort(java.util.Comparator.comparingInt(s -> transforms.indexOf(s.b())));
      bands.add(new Charts.Band(e.getKey(), l.stream().mapToDouble(s -> transforms.indexOf(s.b())).toArray(),
          l.stream().mapToDouble(StabilitySection.Stat::mean).toArray(),
          l.stream().mapToDouble(StabilitySection.Stat::low).toArray(),
          l.stream().mapToDouble(StabilitySection.Stat::high).toArray()));
      headline.add(e.getKey() + " mean " + metric + " " + Html.number(l.stream()
          .mapToDouble(StabilitySection.Stat::mean).min().orElse(Double.NaN)) + " to " + Html.number(l.stream()
          .mapToDouble(StabilitySection.Stat::mean).max().orElse(Double.NaN)));
    }
    ctx.chart("gauge-agreement", Charts.unitRange(Charts.bands("Neighbours after prediction-preserving transforms",
        "transform drawn (predictions unchanged)", "mean " + metric + " with the original model (0 to 1)", false,
        transforms, bands)),
        "Agreement of each transformed model's neighbour lists with the original's, per measure (" + where
        + "); band: 95% bootstrap interval over items. A measure that depends on the gauge falls below 1.");
    ctx.finding(String.join("; ", headline) + " under " + transforms.size() + " transforms", "info");
  }

  private static boolean isNumeric(DataType t) {
    return t.equals(DataTypes.DoubleType) || t.equals(DataTypes.FloatType);
  }
}
