package org.cosineaudit.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.cosineaudit.io.Tables;

/**
 * Sections from a {@code stability/summary} table ({@code a, b, metric, stratum, n_items,
 * mean, median, p10, p90, ci_low, ci_high}):
 * <ul>
 *   <li>{@code stability}: the overall agreement of every pair of neighbour tables;</li>
 *   <li>{@code stability-lambda}: agreement against λ with the 95% bootstrap interval as a
 *       band, when the pairs are sweep models (seed pairs at the same λ; pairs against a
 *       common baseline; pairs of neighbouring λ on the grid);</li>
 *   <li>{@code accuracy-stability}: each pair's agreement against its accuracy difference;</li>
 *   <li>{@code stability-popularity}: agreement per popularity stratum.</li>
 * </ul>
 * Summaries are small (pairs × metrics × strata rows), so they are collected.
 */
final class StabilitySection {

  /** Metric shown in the charts, in order of preference. */
  static final List<String> CHART_METRICS = List.of("rbo_ext", "jaccard", "overlap", "rbo_min");
  static final Set<String> OVERALL = Set.of("all", "overall", "", "*", "total");
  private static final int MAX_PAIRS_TABLE = 60;
  private static final int MAX_PAIRS_STRATA = 6;
  private static final Pattern NUMBER = Pattern.compile("(\\d+)");

  /** One summary row. */
  record Stat(String a, String b, String metric, String stratum, long n, double mean, double low, double high) {
    String pair() {
      return a + " vs " + b;
    }
  }

  private StabilitySection() {}

  static void render(ReportContext ctx) {
    for (Path p : ctx.contents.stabilitySummaries) {
      try {
        one(ctx, p);
      } catch (RuntimeException e) {
        ctx.openSection("stability", "Neighbour stability");
        ctx.problem("stability summary " + ctx.contents.relative(p), e);
        ctx.closeSection();
      }
    }
  }

  private static void one(ReportContext ctx, Path path) {
    Dataset<Row> t = Tables.read(ctx.spark, path.toString());
    for (String c : List.of("a", "b", "metric", "mean")) {
      if (!Rows.has(t.schema(), c)) {
        throw new IllegalStateException("column '" + c + "' is missing (columns: "
            + String.join(", ", t.schema().fieldNames()) + ")");
      }
    }
    String stratumCol = Rows.firstColumn(t.schema(), List.of("stratum"));
    String nCol = Rows.firstColumn(t.schema(), List.of("n_items", "n"));
    String lowCol = Rows.firstColumn(t.schema(), List.of("ci_low", "p10"));
    String highCol = Rows.firstColumn(t.schema(), List.of("ci_high", "p90"));
    List<Stat> stats = new ArrayList<>();
    for (Row r : t.collectAsList()) {
      Double mean = Rows.number(r, "mean");
      if (mean == null) {
        continue;
      }
      Double lo = Rows.number(r, lowCol);
      Double hi = Rows.number(r, highCol);
      Double n = Rows.number(r, nCol);
      String stratum = stratumCol == null ? "all" : Rows.string(r, stratumCol);
      stats.add(new Stat(Rows.string(r, "a"), Rows.string(r, "b"), Rows.string(r, "metric"),
          stratum == null ? "all" : stratum, n == null ? -1 : n.longValue(), mean,
          lo == null ? mean : lo, hi == null ? mean : hi));
    }
    String where = ctx.contents.relative(path);
    List<Stat> overall = stats.stream().filter(s -> OVERALL.contains(s.stratum().toLowerCase(Locale.ROOT))).toList();
    if (overall.isEmpty()) {
      overall = stats;
    }
    String metric = chartMetric(stats);

    ctx.openSection("stability", "Neighbour stability");
    pairTable(ctx, overall, where);
    if (metric != null) {
      java.util.DoubleSummaryStatistics range = overall.stream().filter(s -> s.metric().equals(metric))
          .mapToDouble(Stat::mean).summaryStatistics();
      ctx.finding(String.format(Locale.ROOT, "%d pairs of neighbour tables; mean %s from %s to %s",
          overall.stream().map(Stat::pair).distinct().count(), metric, Html.number(range.getMin()),
          Html.number(range.getMax())), "info");
    }
    ctx.closeSection();

    if (metric == null) {
      return;
    }
    List<Stat> chosen = overall.stream().filter(s -> s.metric().equals(metric)).toList();
    lambdaChart(ctx, chosen, metric);
    accuracyChart(ctx, chosen, metric);
    List<Stat> strata = stats.stream()
        .filter(s -> s.metric().equals(metric) && !OVERALL.contains(s.stratum().toLowerCase(Locale.ROOT))).toList();
    popularityChart(ctx, strata, metric);
  }

  static String chartMetric(List<Stat> stats) {
    Set<String> metrics = new LinkedHashSet<>();
    stats.forEach(s -> metrics.add(s.metric()));
    for (String m : CHART_METRICS) {
      if (metrics.contains(m)) {
        return m;
      }
    }
    return metrics.isEmpty() ? null : metrics.iterator().next();
  }

  private static void pairTable(ReportContext ctx, List<Stat> overall, String where) {
    Map<String, Map<String, Stat>> byPair = new TreeMap<>();
    Set<String> metrics = new LinkedHashSet<>();
    for (Stat s : overall) {
      byPair.computeIfAbsent(s.pair(), k -> new LinkedHashMap<>()).put(s.metric(), s);
      metrics.add(s.metric());
    }
    List<String> header = new ArrayList<>(List.of("a", "b", "items"));
    for (String m : metrics) {
      header.add(m + " mean [95% CI]");
    }
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Stat> pair : byPair.values()) {
      if (rows.size() >= MAX_PAIRS_TABLE) {
        break;
      }
      Stat any = pair.values().iterator().next();
      List<String> row = new ArrayList<>(List.of(any.a(), any.b(), any.n() < 0 ? "" : Long.toString(any.n())));
      for (String m : metrics) {
        Stat s = pair.get(m);
        row.add(s == null ? "" : Html.number(s.mean()) + " [" + Html.number(s.low()) + ", " + Html.number(s.high()) + "]");
      }
      rows.add(row);
    }
    ctx.html.paragraph(String.format(Locale.ROOT,
        "Agreement of the top-k neighbour lists of every item between two neighbour tables, averaged over items "
        + "(from %s; %d pairs%s). Similarity measures (jaccard, overlap, rbo_*) are 1 for identical lists; "
        + "distances (kendall, footrule) are 0 for identical lists.",
        where, byPair.size(), byPair.size() > MAX_PAIRS_TABLE ? ", the first " + MAX_PAIRS_TABLE + " shown" : ""));
    ctx.html.table(header, rows);
  }

  /** Stability against λ; needs model parameters from the sweep. */
  private static void lambdaChart(ReportContext ctx, List<Stat> stats, String metric) {
    Map<String, ReportContext.ModelInfo> m = ctx.models;
    List<Stat> known = stats.stream().filter(s -> reg(m, s.a()) != null && reg(m, s.b()) != null).toList();
    if (known.isEmpty()) {
      return;
    }
    Map<String, TreeMap<Double, List<Stat>>> series = new LinkedHashMap<>();
    // a baseline: one model in every pair
    String baseline = commonModel(known);
    TreeSet<Double> grid = new TreeSet<>();
    m.values().forEach(i -> {
      if (i.reg() != null) {
        grid.add(i.reg());
      }
    });
    List<Double> lambdas = new ArrayList<>(grid);
    for (Stat s : known) {
      ReportContext.ModelInfo a = m.get(s.a());
      ReportContext.ModelInfo b = m.get(s.b());
      boolean sameShape = java.util.Objects.equals(a.rank(), b.rank()) && java.util.Objects.equals(a.alpha(), b.alpha());
      if (baseline != null && known.size() > 1) {
        ReportContext.ModelInfo other = s.a().equals(baseline) ? b : a;
        add(series, "against baseline " + baseline, other.reg(), s);
      } else if (a.reg().equals(b.reg()) && sameShape) {
        add(series, "same λ, other seed", a.reg(), s);
      } else if (sameShape && java.util.Objects.equals(a.seed(), b.seed())
          && Math.abs(lambdas.indexOf(a.reg()) - lambdas.indexOf(b.reg())) == 1) {
        add(series, "neighbouring λ on the grid (at their geometric mean)", Math.sqrt(a.reg() * b.reg()), s);
      }
    }
    if (series.isEmpty()) {
      return;
    }
    boolean log = series.values().stream().allMatch(x -> x.firstKey() > 0);
    List<Charts.Band> bands = new ArrayList<>();
    for (Map.Entry<String, TreeMap<Double, List<Stat>>> e : series.entrySet()) {
      bands.add(band(e.getKey(), e.getValue()));
    }
    ctx.openSection("stability-lambda", "Neighbour stability against λ");
    ctx.chart("stability-vs-lambda", Charts.unitRange(Charts.bands("Neighbour agreement (" + metric + ") against regularization",
        "regularization λ" + (log ? " (log scale)" : ""), "mean " + metric + " over items (0 to 1)", log, null, bands)),
        "Mean " + metric + " of the models' top-k neighbour lists; band: 95% bootstrap interval over items "
        + "(the union of the intervals where several pairs share a λ).");
    ctx.closeSection();
  }

  /** Each pair's agreement against the difference of the two models' held-out accuracy. */
  private static void accuracyChart(ReportContext ctx, List<Stat> stats, String metric) {
    if (ctx.accuracyMetric == null) {
      return;
    }
    List<Double> sx = new ArrayList<>();
    List<Double> sy = new ArrayList<>();
    List<Double> dx = new ArrayList<>();
    List<Double> dy = new ArrayList<>();
    for (Stat s : stats) {
      ReportContext.ModelInfo a = ctx.models.get(s.a());
      ReportContext.ModelInfo b = ctx.models.get(s.b());
      if (a == null || b == null || a.accuracy() == null || b.accuracy() == null) {
        continue;
      }
      boolean sameReg = a.reg() != null && a.reg().equals(b.reg());
      (sameReg ? sx : dx).add(Math.abs(a.accuracy() - b.accuracy()));
      (sameReg ? sy : dy).add(s.mean());
    }
    if (sx.isEmpty() && dx.isEmpty()) {
      return;
    }
    List<Charts.Series> series = new ArrayList<>();
    if (!sx.isEmpty()) {
      series.add(new Charts.Series("same λ", array(sx), array(sy)));
    }
    if (!dx.isEmpty()) {
      series.add(new Charts.Series("different λ", array(dx), array(dy)));
    }
    String acc = ctx.accuracyMetric.toUpperCase(Locale.ROOT);
    ctx.openSection("accuracy-stability", "Accuracy against stability");
    ctx.chart("accuracy-vs-stability", Charts.xFromZero(Charts.unitRange(Charts.scatter("Do models of equal accuracy agree on neighbours?",
        "|difference in held-out " + acc + "| between the two models " + SweepSection.unit(ctx.accuracyMetric)
            .replace(", lower is better", "").replace(", higher is better", ""),
        "mean " + metric + " of their neighbour lists (0 to 1)", false, series))),
        "One point per pair of models. Points at the left (nearly equal accuracy) but low (different neighbours) "
        + "are what the paper warns about: accuracy does not pin down cosine neighbours.");
    ctx.closeSection();
  }

  private static void popularityChart(ReportContext ctx, List<Stat> strata, String metric) {
    if (strata.isEmpty()) {
      return;
    }
    List<String> names = new ArrayList<>(new TreeSet<>(strata.stream().map(Stat::stratum).toList()));
    names.sort(Comparator.comparingLong(StabilitySection::stratumNumber).thenComparing(Comparator.naturalOrder()));
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      index.put(names.get(i), i);
    }
    Map<String, TreeMap<Double, List<Stat>>> series = new TreeMap<>();
    for (Stat s : strata) {
      if (series.size() >= MAX_PAIRS_STRATA && !series.containsKey(s.pair())) {
        continue;
      }
      add(series, s.pair(), (double) index.get(s.stratum()), s);
    }
    List<Charts.Band> bands = new ArrayList<>();
    for (Map.Entry<String, TreeMap<Double, List<Stat>>> e : series.entrySet()) {
      bands.add(band(e.getKey(), e.getValue()));
    }
    long pairs = strata.stream().map(Stat::pair).distinct().count();
    ctx.openSection("stability-popularity", "Stability by item popularity");
    ctx.chart("stability-by-popularity", Charts.unitRange(Charts.bands("Neighbour agreement (" + metric + ") by popularity stratum",
        "item popularity stratum (as named in the summary)", "mean " + metric + " over items (0 to 1)", false,
        names, bands)),
        "Mean " + metric + " per popularity stratum; band: 95% bootstrap interval"
        + (pairs > MAX_PAIRS_STRATA ? "; " + MAX_PAIRS_STRATA + " of " + pairs + " pairs shown." : "."));
    ctx.closeSection();
  }

  static long stratumNumber(String s) {
    Matcher m = NUMBER.matcher(s);
    return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
  }

  private static Double reg(Map<String, ReportContext.ModelInfo> m, String id) {
    ReportContext.ModelInfo i = m.get(id);
    return i == null ? null : i.reg();
  }

  private static String commonModel(List<Stat> stats) {
    Set<String> common = new LinkedHashSet<>(List.of(stats.get(0).a(), stats.get(0).b()));
    for (Stat s : stats) {
      common.retainAll(Set.of(s.a(), s.b()));
    }
    return common.size() == 1 ? common.iterator().next() : null;
  }

  private static void add(Map<String, TreeMap<Double, List<Stat>>> series, String name, double x, Stat s) {
    series.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(x, k -> new ArrayList<>()).add(s);
  }

  private static Charts.Band band(String name, TreeMap<Double, List<Stat>> points) {
    int n = points.size();
    double[] x = new double[n];
    double[] y = new double[n];
    double[] lo = new double[n];
    double[] hi = new double[n];
    int i = 0;
    for (Map.Entry<Double, List<Stat>> p : points.entrySet()) {
      x[i] = p.getKey();
      y[i] = p.getValue().stream().mapToDouble(Stat::mean).average().orElse(Double.NaN);
      lo[i] = p.getValue().stream().mapToDouble(Stat::low).min().orElse(Double.NaN);
      hi[i] = p.getValue().stream().mapToDouble(Stat::high).max().orElse(Double.NaN);
      i++;
    }
    return new Charts.Band(name, x, y, lo, hi);
  }

  private static double[] array(List<Double> l) {
    return l.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
