package org.cosineaudit.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.io.Tables;

/**
 * Section {@code neighbours}: the top-k neighbours of a few sample items, side by side
 * across models (or variants and measures), with titles from {@code --metadata} and the
 * ground-truth cluster when the run has one. A neighbour that every column lists is shown
 * in bold: what stays bold is stable; the rest depends on the model.
 *
 * <p>Sample items: {@code --items}, or the first items of the first table by a fixed hash
 * of their id (deterministic, spread over popularity). Only the sample's rows reach the
 * driver.
 */
final class NeighbourSection {

  static final List<String> MEASURE_ORDER = List.of("cosine", "score-cosine", "dot", "centered-cosine");
  static final List<String> ID_COLUMNS = List.of("id", "item", "movieId", "itemId", "item_id", "artistID", "artist_id");
  static final List<String> TITLE_COLUMNS = List.of("title", "name", "label");
  static final List<String> TAG_COLUMNS = List.of("genres", "genre", "tags", "tag", "category");

  /** A chosen neighbour table and its column label. */
  record Column(String label, RunContents.NeighbourTable table) {}

  /** What the report can say about an item besides its id. */
  record ItemLabel(String title, String tags, String cluster) {}

  private NeighbourSection() {}

  static void render(ReportContext ctx) {
    List<RunContents.NeighbourTable> tables = ctx.contents.neighbourTables;
    if (tables.isEmpty() || ctx.options.sampleItems() == 0 && ctx.options.items().isEmpty()) {
      return;
    }
    ctx.openSection("neighbours", "Neighbours of sample items across models");
    try {
      one(ctx, choose(ctx, tables));
    } catch (org.cosineaudit.run.InputException e) {
      throw e; // e.g. a --metadata without the named columns: the user must fix it
    } catch (RuntimeException e) {
      ctx.problem("neighbour tables", e);
    }
    ctx.closeSection();
  }

  /** Up to maxColumns tables: the main measure spread over λ, plus one table of the next measure. */
  static List<Column> choose(ReportContext ctx, List<RunContents.NeighbourTable> tables) {
    Map<String, List<RunContents.NeighbourTable>> byMeasure = new TreeMap<>(Comparator
        .comparingInt((String m) -> MEASURE_ORDER.contains(m) ? MEASURE_ORDER.indexOf(m) : MEASURE_ORDER.size())
        .thenComparing(Comparator.naturalOrder()));
    for (RunContents.NeighbourTable t : tables) {
      byMeasure.computeIfAbsent(t.measure(), k -> new ArrayList<>()).add(t);
    }
    Comparator<RunContents.NeighbourTable> byModel = Comparator
        .comparingDouble((RunContents.NeighbourTable t) -> {
          ReportContext.ModelInfo m = t.modelId() == null ? null : ctx.models.get(t.modelId());
          return m == null || m.reg() == null ? Double.MAX_VALUE : m.reg();
        })
        .thenComparing(t -> t.modelId() == null ? "" : t.modelId())
        .thenComparing(RunContents.NeighbourTable::source);
    List<List<RunContents.NeighbourTable>> groups = new ArrayList<>(byMeasure.values());
    groups.forEach(g -> g.sort(byModel));
    int max = ctx.options.maxColumns();
    List<RunContents.NeighbourTable> main = groups.get(0);
    int mainSlots = groups.size() > 1 ? Math.max(1, max - 1) : max;
    List<RunContents.NeighbourTable> picked = new ArrayList<>(spread(main, mainSlots));
    if (groups.size() > 1 && picked.size() < max) {
      List<RunContents.NeighbourTable> second = groups.get(1);
      RunContents.NeighbourTable match = second.stream()
          .filter(t -> t.modelId() != null && t.modelId().equals(picked.get(0).modelId())).findFirst()
          .orElse(second.get(0));
      picked.add(match);
    }
    List<Column> out = new ArrayList<>();
    for (RunContents.NeighbourTable t : picked) {
      out.add(new Column(label(ctx, t), t));
    }
    return out;
  }

  private static List<RunContents.NeighbourTable> spread(List<RunContents.NeighbourTable> l, int n) {
    if (l.size() <= n) {
      return l;
    }
    List<RunContents.NeighbourTable> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(l.get((int) Math.round(i * (l.size() - 1) / (double) Math.max(1, n - 1))));
    }
    return out;
  }

  static String label(ReportContext ctx, RunContents.NeighbourTable t) {
    if (t.modelId() != null) {
      ReportContext.ModelInfo m = ctx.models.get(t.modelId());
      String params = m == null || m.reg() == null ? "" : " (λ " + Html.number(m.reg())
          + (m.seed() == null ? "" : ", seed " + m.seed()) + ")";
      return t.modelId() + params + " · " + t.measure();
    }
    return (t.source().isEmpty() ? "" : t.source() + " · ") + t.measure();
  }

  private static void one(ReportContext ctx, List<Column> columns) {
    SparkSession spark = ctx.spark;
    int k = ctx.options.k();
    List<String> sample = new ArrayList<>(ctx.options.items());
    if (sample.isEmpty()) {
      Dataset<Row> first = Tables.read(spark, columns.get(0).table().path().toString());
      for (Row r : first.select(col("item").cast("string").as("item")).distinct()
          .orderBy(xxhash64(col("item")), col("item")).limit(ctx.options.sampleItems()).collectAsList()) {
        sample.add(r.getString(0));
      }
    }
    // item -> column -> ranked (neighbour, score)
    Map<String, List<List<String[]>>> lists = new LinkedHashMap<>();
    for (String item : sample) {
      List<List<String[]>> perColumn = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        perColumn.add(new ArrayList<>());
      }
      lists.put(item, perColumn);
    }
    Set<String> ids = new HashSet<>(sample);
    for (int c = 0; c < columns.size(); c++) {
      Dataset<Row> t = Tables.read(spark, columns.get(c).table().path().toString());
      List<Row> rows = t.select(col("item").cast("string"), col("rank").cast("int"), col("neighbour").cast("string"),
              col("score").cast("double"))
          .where(col("item").isin(sample.toArray()).and(col("rank").leq(k)))
          .orderBy(col("item"), col("rank")).collectAsList();
      for (Row r : rows) {
        lists.get(r.getString(0)).get(c).add(new String[] {r.getString(2), r.isNullAt(3) ? "" : Html.number(r.getDouble(3))});
        ids.add(r.getString(2));
      }
    }
    Map<String, ItemLabel> labels = labels(ctx, ids);
    ctx.finding(String.format(Locale.ROOT, "top-%d neighbours of %d sample items side by side in %d of %d "
        + "neighbour tables", k, sample.size(), columns.size(), ctx.contents.neighbourTables.size()), "info");
    Html h = ctx.html;
    h.paragraph(String.format(Locale.ROOT, "Top-%d neighbours of %d sample items in %d neighbour tables "
        + "(of %d found). Bold: the neighbour is in every column's list.%s", k, sample.size(), columns.size(),
        ctx.contents.neighbourTables.size(), ctx.options.metadata() == null ? " Pass --metadata to show titles." : ""));
    for (Map.Entry<String, List<List<String[]>>> e : lists.entrySet()) {
      String item = e.getKey();
      h.raw("<h3>").text(describe(item, labels.get(item))).raw("</h3>\n");
      ItemLabel il = labels.get(item);
      if (il != null && il.tags() != null) {
        h.note(il.tags());
      }
      List<List<String[]>> perColumn = e.getValue();
      Map<String, Integer> seen = new HashMap<>();
      for (List<String[]> l : perColumn) {
        l.stream().map(x -> x[0]).distinct().forEach(n -> seen.merge(n, 1, Integer::sum));
      }
      h.raw("<div class=\"scroll\"><table class=\"neighbours\">\n<thead><tr><th>rank</th>");
      for (Column c : columns) {
        h.raw("<th>").text(c.label()).raw("</th>");
      }
      h.raw("</tr></thead>\n<tbody>\n");
      int depth = perColumn.stream().mapToInt(List::size).max().orElse(0);
      for (int r = 0; r < depth; r++) {
        h.raw("<tr><td class=\"num\">").text(Integer.toString(r + 1)).raw("</td>");
        for (List<String[]> l : perColumn) {
          if (r >= l.size()) {
            h.raw("<td></td>");
            continue;
          }
          String n = l.get(r)[0];
          boolean shared = seen.getOrDefault(n, 0) == columns.size() && columns.size() > 1;
          h.raw(shared ? "<td class=\"shared\">" : "<td>").text(describe(n, labels.get(n)))
              .raw(" <span class=\"score\">").text(l.get(r)[1]).raw("</span></td>");
        }
        h.raw("</tr>\n");
      }
      if (depth == 0) {
        h.raw("<tr><td colspan=\"").text(Integer.toString(columns.size() + 1))
            .raw("\">no neighbours listed for this item</td></tr>\n");
      }
      h.raw("</tbody></table></div>\n");
    }
  }

  static String describe(String id, ItemLabel l) {
    if (l == null) {
      return id;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(l.title() != null ? l.title() + " (" + id + ")" : id);
    if (l.cluster() != null) {
      sb.append(" [cluster ").append(l.cluster()).append(']');
    }
    return sb.toString();
  }

  /** Titles from --metadata and clusters from a ground-truth items table, for these ids only. */
  static Map<String, ItemLabel> labels(ReportContext ctx, Set<String> ids) {
    Map<String, String> titles = new HashMap<>();
    Map<String, String> tags = new HashMap<>();
    Map<String, String> clusters = new HashMap<>();
    Object[] idArray = ids.toArray();
    if (ctx.options.metadata() != null) {
      Dataset<Row> meta = readMetadata(ctx.spark, ctx.options.metadata());
      String idCol = ctx.options.metadataId() != null ? ctx.options.metadataId()
          : orFirst(Rows.firstColumn(meta.schema(), ID_COLUMNS), meta.schema().fieldNames(), 0);
      String titleCol = ctx.options.metadataTitle() != null ? ctx.options.metadataTitle()
          : orFirst(Rows.firstColumn(meta.schema(), TITLE_COLUMNS), meta.schema().fieldNames(), 1);
      String tagCol = Rows.firstColumn(meta.schema(), TAG_COLUMNS);
      for (String c : new String[] {idCol, titleCol}) {
        if (!Rows.has(meta.schema(), c)) {
          throw new org.cosineaudit.run.InputException("metadata " + ctx.options.metadata() + " has no column '" + c
              + "' (columns: " + String.join(", ", meta.schema().fieldNames()) + "); set --metadata-id / --metadata-title");
        }
      }
      for (Row r : meta.select(col(idCol).cast("string"), col(titleCol).cast("string"),
          tagCol == null ? org.apache.spark.sql.functions.lit(null).cast("string") : col(tagCol).cast("string"))
          .where(col(idCol).cast("string").isin(idArray)).collectAsList()) {
        titles.put(r.getString(0), r.getString(1));
        if (!r.isNullAt(2)) {
          tags.put(r.getString(0), r.getString(2));
        }
      }
    }
    for (Path p : ctx.contents.itemTables) {
      Dataset<Row> items = Tables.read(ctx.spark, p.toString());
      if (Rows.has(items.schema(), "item") && Rows.has(items.schema(), "cluster")) {
        for (Row r : items.select(col("item").cast("string"), col("cluster").cast("string"))
            .where(col("item").cast("string").isin(idArray)).collectAsList()) {
          clusters.put(r.getString(0), r.getString(1));
        }
        break;
      }
    }
    Map<String, ItemLabel> out = new HashMap<>();
    for (String id : ids) {
      if (titles.containsKey(id) || clusters.containsKey(id)) {
        out.put(id, new ItemLabel(titles.get(id), tags.get(id), clusters.get(id)));
      }
    }
    return out;
  }

  private static String orFirst(String found, String[] columns, int fallback) {
    return found != null ? found : columns[Math.min(fallback, columns.length - 1)];
  }

  /** A metadata table: Parquet, or delimited text with a header (MovieLens movies.csv quoting). */
  static Dataset<Row> readMetadata(SparkSession spark, String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet")) {
      return spark.read().parquet(path);
    }
    String sep = lower.endsWith(".dat") || lower.endsWith(".tsv") || lower.endsWith(".txt") ? "\t" : ",";
    try {
      Path p = new Path(path);
      if (p.getFileSystem(spark.sparkContext().hadoopConfiguration()).getFileStatus(p).isDirectory()) {
        return Tables.read(spark, path);
      }
    } catch (java.io.IOException e) {
      throw new org.cosineaudit.run.InputException("cannot read --metadata " + path + ": " + e.getMessage(), e);
    }
    return spark.read().option("header", "true").option("sep", sep).option("quote", "\"").option("escape", "\"")
        .option("mode", "PERMISSIVE").csv(path);
  }
}
