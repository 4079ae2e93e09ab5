package org.cosineaudit.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.io.Tables;

/**
 * A small run folder with every kind of output the report knows, laid out as the table
 * contracts say (a demo-like root with nested runs). 20 items in 4 clusters; 3 sweep models
 * (λ 0.01 and 0.1 with seeds 1, 2 at 0.1); item 3's title is an XSS probe.
 */
final class SyntheticRun {

  static final String XSS_TITLE = "<script>alert(1)</script>";
  static final String QUOTED_TITLE = "Heat, The \"Best\" (1995)";
  static final int ITEMS = 20;
  static final String[] MODELS = {"m-reg0.01-s1", "m-reg0.1-s1", "m-reg0.1-s2"};
  static final double[] REGS = {0.01, 0.1, 0.1};

  /** The full synthetic run and its report, rendered once per JVM (test classes share it). */
  record Rendered(Path run, Report.Result result) {}

  private static Rendered rendered;

  private SyntheticRun() {}

  /** Items 3 (the XSS probe) and 5 (a quoted CSV title) as samples, 5 neighbours, 3 columns. */
  static synchronized Rendered rendered() throws IOException {
    if (rendered == null) {
      SparkSession spark = org.cosineaudit.testing.SparkTestSession.get();
      Path run = org.cosineaudit.testing.SparkTestSession.tempDir("report-full").resolve("run");
      Path metadata = writeAll(spark, run);
      rendered = new Rendered(run, Report.write(spark, run.toString(),
          new Report.Options(metadata.toString(), null, null, 0, List.of("3", "5"), 5, 3, 100)));
    }
    return rendered;
  }

  /** Writes every kind of output under {@code root}; returns the metadata CSV path. */
  static Path writeAll(SparkSession spark, Path root) throws IOException {
    manifest(root, "demo");
    Path gen = root.resolve("generate");
    manifest(gen, "generate");
    List<Row> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      items.add(RowFactory.create(Integer.toString(i), i % 4, 1.0 / (i + 1)));
    }
    Tables.write(spark.createDataFrame(items, new StructType().add("item", DataTypes.StringType)
        .add("cluster", DataTypes.IntegerType).add("popularity", DataTypes.DoubleType)), gen.resolve("items").toString(),
        TableFormat.PARQUET);
    sweep(spark, root.resolve("sweep"));
    stability(spark, root.resolve("stability"));
    reproduce(root.resolve("reproduce"));
    audit(root.resolve("audit").resolve("2026-11-29T01-00-00Z"));
    return metadata(root.getParent().resolve(root.getFileName() + "-movies.csv"));
  }

  static void manifest(Path dir, String job) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("manifest.json"), "{\"job\":\"" + job + "\",\"started\":\"2026-11-29T01:00:00Z\","
        + "\"outcome\":\"ok\",\"config\":{\"seed\":\"0\",\"note\":\"<b>not bold</b>\"},\"config_sources\":{\"seed\":"
        + "\"default\",\"note\":\"command line\"},\"versions\":{\"spark\":\"4.2.0\"},\"inputs\":[],\"counts\":{},"
        + "\"stages\":[{\"name\":\"" + job + "\",\"seconds\":1.5}],\"outputs\":{\"interactions\":100},\"details\":{},"
        + "\"finished\":\"2026-11-29T01:00:02Z\",\"seconds\":2.0}");
  }

  static void sweep(SparkSession spark, Path dir) throws IOException {
    manifest(dir, "sweep");
    List<Row> index = new ArrayList<>();
    for (int m = 0; m < MODELS.length; m++) {
      index.add(RowFactory.create(MODELS[m], "explicit", 8, REGS[m], (long) (m == 2 ? 2 : 1), 0.0,
          0.9 + 0.01 * m, 0.7, "ok"));
      Path md = dir.resolve("models").resolve(MODELS[m]);
      Files.createDirectories(md);
      Files.writeString(md.resolve("model.json"), "{\"model_id\":\"" + MODELS[m] + "\",\"training_seconds\":"
          + (3 + m) + ",\"iterations\":10}");
      for (String measure : List.of("cosine", "score-cosine")) {
        neighbours(spark, md.resolve("neighbours").resolve(measure), m);
      }
      Files.writeString(md.resolve("_COMPLETE"), "");
    }
    Tables.write(spark.createDataFrame(index, new StructType().add("model_id", DataTypes.StringType)
        .add("feedback", DataTypes.StringType).add("rank", DataTypes.IntegerType).add("reg", DataTypes.DoubleType)
        .add("seed", DataTypes.LongType).add("alpha", DataTypes.DoubleType).add("rmse", DataTypes.DoubleType)
        .add("mae", DataTypes.DoubleType).add("status", DataTypes.StringType)), dir.resolve("model_index").toString(),
        TableFormat.PARQUET);
  }

  /** Each item's 5 neighbours: the next items, shifted by the model so lists differ a little. */
  static void neighbours(SparkSession spark, Path path, int shift) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      for (int r = 1; r <= 5; r++) {
        int n = (i + r + (r > 3 ? shift : 0)) % ITEMS;
        rows.add(RowFactory.create(Integer.toString(i), r, Integer.toString(n), 1.0 - 0.1 * r));
      }
    }
    Tables.write(spark.createDataFrame(rows, new StructType().add("item", DataTypes.StringType)
        .add("rank", DataTypes.IntegerType).add("neighbour", DataTypes.StringType).add("score", DataTypes.DoubleType)),
        path.toString(), TableFormat.PARQUET);
  }

  static void stability(SparkSession spark, Path dir) throws IOException {
    manifest(dir, "stability");
    List<Row> rows = new ArrayList<>();
    String[][] pairs = {{MODELS[0], MODELS[1]}, {MODELS[0], MODELS[2]}, {MODELS[1], MODELS[2]}};
    for (int p = 0; p < pairs.length; p++) {
      for (String metric : List.of("jaccard", "rbo_ext", "kendall")) {
        for (String stratum : List.of("all", "decile_1", "decile_2", "decile_10")) {
          double mean = 0.5 + 0.1 * p + (stratum.equals("all") ? 0 : 0.02 * SyntheticRun.decile(stratum));
          rows.add(RowFactory.create(pairs[p][0], pairs[p][1], metric, stratum, 20L, mean, mean, mean - 0.1,
              mean + 0.1, mean - 0.05, mean + 0.05));
        }
      }
    }
    Tables.write(spark.createDataFrame(rows, new StructType().add("a", DataTypes.StringType)
        .add("b", DataTypes.StringType).add("metric", DataTypes.StringType).add("stratum", DataTypes.StringType)
        .add("n_items", DataTypes.LongType).add("mean", DataTypes.DoubleType).add("median", DataTypes.DoubleType)
        .add("p10", DataTypes.DoubleType).add("p90", DataTypes.DoubleType).add("ci_low", DataTypes.DoubleType)
        .add("ci_high", DataTypes.DoubleType)), dir.resolve("stability").resolve("summary").toString(),
        TableFormat.PARQUET);
    List<Row> gauge = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      gauge.add(RowFactory.create(Integer.toString(i), "cosine", 0.3 + 0.02 * i));
      gauge.add(RowFactory.create(Integer.toString(i), "score-cosine", 1.0));
    }
    Tables.write(spark.createDataFrame(gauge, new StructType().add("item", DataTypes.StringType)
        .add("measure", DataTypes.StringType).add("jaccard", DataTypes.DoubleType)),
        dir.resolve("stability").resolve("gauge_items").toString(), TableFormat.CSV);
    // the stability job's gauge summary: per measure and drawn transform, agreement with the original
    List<Row> draws = new ArrayList<>();
    for (String transform : List.of("rescale-1", "rescale-2", "rotate-1")) {
      boolean rescale = transform.startsWith("rescale");
      draws.add(RowFactory.create("cosine", transform, "rbo_ext", 20L, rescale ? 0.4 : 1.0, 0.3, 0.35, 0.45));
      draws.add(RowFactory.create("score-cosine", transform, "rbo_ext", 20L, 1.0, 1.0, 1.0, 1.0));
    }
    Tables.write(spark.createDataFrame(draws, new StructType().add("measure", DataTypes.StringType)
        .add("transform", DataTypes.StringType).add("metric", DataTypes.StringType).add("n_items", DataTypes.LongType)
        .add("mean", DataTypes.DoubleType).add("p10", DataTypes.DoubleType).add("ci_low", DataTypes.DoubleType)
        .add("ci_high", DataTypes.DoubleType)), dir.resolve("stability").resolve("gauge").toString(),
        TableFormat.PARQUET);
  }

  static int decile(String stratum) {
    return Integer.parseInt(stratum.substring(stratum.indexOf('_') + 1));
  }

  static void reproduce(Path dir) throws IOException {
    manifest(dir, "reproduce");
    Files.writeString(dir.resolve("claims.json"), "{\"claims\":[{\"id\":1,\"claim\":\"Eq. 1 predictions identical "
        + "across rescalings\",\"value\":1e-12,\"threshold\":1e-6,\"pass\":true},{\"id\":5,\"claim\":\"cluster "
        + "precision <i>@10</i>\",\"value\":0.41,\"threshold\":0.5,\"pass\":false}]}");
    Path figures = dir.resolve("figures");
    Files.createDirectories(figures);
    BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 40; x++) {
      for (int y = 0; y < 40; y++) {
        img.setRGB(x, y, (x / 10 == y / 10 ? Color.RED : Color.WHITE).getRGB());
      }
    }
    ImageIO.write(img, "png", figures.resolve("figure1_eq1_D=I.png").toFile());
  }

  static void audit(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.json"), "{\"status\":\"fail\",\"exit_code\":1,\"checks\":["
        + "{\"name\":\"nan\",\"value\":0,\"threshold\":0,\"status\":\"pass\"},"
        + "{\"name\":\"hubness\",\"value\":4.2,\"threshold\":3,\"status\":\"fail\",\"hubs\":[\"3\",\"7\"]}]}");
  }

  static Path metadata(Path csv) throws IOException {
    StringBuilder sb = new StringBuilder("movieId,title,genres\n");
    for (int i = 0; i < ITEMS; i++) {
      String title = switch (i) {
        case 3 -> XSS_TITLE;
        case 5 -> "\"" + QUOTED_TITLE.replace("\"", "\"\"") + "\"";
        default -> String.format(Locale.ROOT, "Movie %d (19%02d)", i, 70 + i);
      };
      sb.append(i).append(',').append(title).append(",Drama|Comedy\n");
    }
    Files.writeString(csv, sb.toString(), StandardCharsets.UTF_8);
    return csv;
  }
}
