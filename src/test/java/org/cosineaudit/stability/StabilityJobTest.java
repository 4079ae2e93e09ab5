package org.cosineaudit.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job end to end on files: explicit tables (Parquet + CSV) and a sweep layout. */
class StabilityJobTest {

  @TempDir static Path dir;
  static SparkSession spark;
  static final StabilityJob JOB = new StabilityJob();

  /** Item i's neighbours i+1..i+4 (mod 12), scores falling with rank; {@code shift} rotates the tail. */
  static Dataset<Row> neighbours(int items, boolean perturbed) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      for (int r = 1; r <= 4; r++) {
        int n = (i + (perturbed && r >= 3 ? r + 4 : r)) % 12;
        rows.add(RowFactory.create("m" + i, r, "m" + n, 1.0 - 0.1 * r));
      }
    }
    return spark.createDataFrame(rows, NeighbourAgreementTest.NEIGHBOURS);
  }

  @BeforeAll
  static void files() {
    spark = SparkTestSession.get();
    Tables.write(neighbours(12, false), dir.resolve("a").toString(), TableFormat.PARQUET);
    Tables.write(neighbours(11, true), dir.resolve("b").toString(), TableFormat.CSV);
    List<Row> interactions = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      for (int u = 0; u <= i; u++) {
        interactions.add(RowFactory.create("u" + u, "m" + i, 1.0, null));
      }
    }
    Tables.write(spark.createDataFrame(interactions, new StructType().add("user", DataTypes.StringType)
        .add("item", DataTypes.StringType).add("value", DataTypes.DoubleType).add("timestamp", DataTypes.LongType)),
        dir.resolve("interactions").toString(), TableFormat.CSV);
  }

  static Settings settings(Map<String, String> given) {
    return Settings.of("stability", JOB.options(), given);
  }

  static Outcome run(Map<String, String> given) {
    StabilityJob.Config c = JOB.configure(settings(given));
    RunOutput out = RunOutput.open(spark, "stability", settings(given), c.output(), Map.of());
    Outcome o = JOB.run(spark, c, out);
    out.complete(o);
    return o;
  }

  @Test
  void explicitTablesInParquetAndCsvWithPopularityStrata() throws Exception {
    String a = dir.resolve("a").toString();
    String b = dir.resolve("b").toString();
    Path output = dir.resolve("out-explicit");
    Outcome o = run(Map.of("neighbours", a + "," + b, "per-item", "true", "popularity",
        dir.resolve("interactions").toString(), "bootstrap", "50", "output", output.toString()));
    assertTrue(RunOutput.isComplete(spark, output.toString()));
    String first = o.lines().get(0);
    assertTrue(first.contains("11 items") && first.contains("1 only in a"), first);
    Dataset<Row> summary = Tables.read(spark, output.resolve(StabilityJob.SUMMARY).toString());
    // 8 metrics x (all + 9 deciles): of 12 items in 10 deciles, m11 alone is the most popular
    // decile and b lacks it, so that stratum has no compared item and no row
    assertEquals(8 * 10, summary.count());
    Row jaccard = summary.where("metric = 'jaccard' AND stratum = 'all'").first();
    // first two neighbours shared, last two replaced: jaccard 2/6 for every item
    assertEquals(2.0 / 6, jaccard.getDouble(jaccard.fieldIndex("mean")), 1e-8);
    assertEquals(2.0 / 6, jaccard.getDouble(jaccard.fieldIndex("ci_low")), 1e-8);
    assertEquals(11, jaccard.getLong(jaccard.fieldIndex("n_items")));
    assertEquals(11, Tables.read(spark, output.resolve(StabilityJob.ITEMS).toString()).count());
    Dataset<Row> unmatched = Tables.read(spark, output.resolve(StabilityJob.UNMATCHED).toString());
    assertEquals("m11", unmatched.first().getString(2));
    JsonNode json = Manifest.JSON.readTree(Files.readString(output.resolve(StabilityJob.SUMMARY_JSON)));
    assertEquals(1, json.get("pairs").get(0).get("items_only_in_a").asInt());
    assertEquals(4, json.get("k").asInt());
  }

  @Test
  void sweepOutputComparesFinishedModelsComputingMissingNeighboursAndReportsSkippedOnes() throws Exception {
    Path run = dir.resolve("sweep");
    List<Row> index = new ArrayList<>();
    for (String id : List.of("m-a", "m-b", "m-c")) {
      index.add(RowFactory.create(id, "ok"));
      if (!id.equals("m-c")) {
        Path model = Files.createDirectories(run.resolve("models").resolve(id));
        if (id.equals("m-a")) { // m-b has factors only: its neighbours are computed by the engine
          Tables.write(neighbours(12, false), model.resolve("neighbours/cosine").toString(), TableFormat.PARQUET);
        }
        Files.writeString(model.resolve(RunOutput.COMPLETE_MARKER), "");
        // m-b's item factors are m-a's rotated by 90 degrees in the first plane: the same space
        List<Row> factors = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          double x = Math.sin(i * 1.3);
          double y = Math.cos(i * 0.7) + i % 3;
          double z = i * 0.1;
          double[] v = id.equals("m-b") ? new double[] {-y, x, z} : new double[] {x, y, z};
          factors.add(RowFactory.create("m" + i, new Float[] {(float) v[0], (float) v[1], (float) v[2]}));
        }
        Tables.write(spark.createDataFrame(factors, new StructType().add("id", DataTypes.StringType)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType))), model.resolve("item_factors").toString(),
            TableFormat.PARQUET);
      }
    }
    Tables.write(spark.createDataFrame(index, new StructType().add("model_id", DataTypes.StringType)
        .add("status", DataTypes.StringType)), run.resolve("model_index").toString(), TableFormat.PARQUET);
    Path output = dir.resolve("out-sweep");
    Outcome o = run(Map.of("run", run.toString(), "baseline", "m-a", "bootstrap", "0", "output", output.toString()));
    assertTrue(o.lines().get(0).startsWith("stability m-a vs m-b @4: 12 items"), o.lines().get(0));
    assertTrue(o.lines().stream().anyMatch(l -> l.contains("skipped model m-c")), o.lines().toString());
    Row rbo = Tables.read(spark, output.resolve(StabilityJob.SUMMARY).toString())
        .where("metric = 'rbo_ext' AND stratum = 'all'").first();
    assertEquals("m-a", rbo.getString(0));
    assertTrue(rbo.isNullAt(rbo.fieldIndex("ci_low")), "no replicates, no interval");
    assertEquals(12 * 11, Tables.read(spark, output.resolve(StabilityJob.modelNeighbours("m-b", "cosine")).toString())
        .count(), "all 11 other items of each of the 12");
    Row spaces = Tables.read(spark, output.resolve(StabilityJob.SPACES).toString()).first();
    assertEquals(12, spaces.getLong(spaces.fieldIndex("shared_ids")));
    // a rotation: the same space (float factors: agreement to ~1e-7)
    assertEquals(1.0, spaces.getDouble(spaces.fieldIndex("cka")), 1e-6);
    assertEquals(0.0, spaces.getDouble(spaces.fieldIndex("procrustes")), 1e-6);
  }

  @Test
  void labelsGivingAnItemTwoClustersAreRefusedNamingTheItem() throws Exception {
    Path labels = dir.resolve("labels.csv");
    Files.writeString(labels, "item,cluster\nm0,1\nm1,1\nm1,1.0\nm2,0\nm2,3\n"); // 1 and 1.0: the same cluster
    String a = dir.resolve("a").toString();
    String b = dir.resolve("b").toString();
    InputException e = assertThrows(InputException.class, () -> run(Map.of("neighbours", a + "," + b, "labels",
        labels.toString(), "bootstrap", "10", "output", dir.resolve("out-labels").toString())));
    assertTrue(e.getMessage().contains("gives item 'm2' more than one cluster"), e.getMessage());
    Files.writeString(labels, "item,cluster\nm0,1\nm1,\nm1,2\n");
    e = assertThrows(InputException.class, () -> run(Map.of("neighbours", a + "," + b, "labels",
        labels.toString(), "bootstrap", "10", "output", dir.resolve("out-labels-2").toString())));
    assertTrue(e.getMessage().contains("has 1 row(s) without an item id or an integer in 'cluster' (first: item 'm1',"
        + " cluster (empty))"), e.getMessage());
  }

  @Test
  void popularityRowsWithoutANumberAreRefusedNotLeftOut() throws Exception {
    InputException e = popularityRefused("popularity.csv", "id,count\nm0,3\nm1,\nm2,many\nm3,4\n");
    assertTrue(e.getMessage().contains("has 2 row(s) without an item id or a number in 'count'"), e.getMessage());
    assertTrue(e.getMessage().contains("id 'm1', count (empty)") && e.getMessage().contains("count 'many'"),
        e.getMessage());
  }

  @Test
  void kDeeperThanTheTablesIsCappedAtTheirDepthWithAWarning() throws Exception {
    String a = dir.resolve("a").toString();
    Path output = dir.resolve("out-deep-k");
    // the same table twice: identical lists, so every metric is perfect at the tables' depth 4;
    // at k = 10 the six ranks no table holds would halve overlap
    Outcome o = run(Map.of("neighbours", a + "," + a, "k", "10", "bootstrap", "0", "output", output.toString()));
    String warning = "--k 10 is deeper than the neighbour tables (the shallowest holds ranks up to 4): compared the "
        + "top 4";
    assertTrue(o.lines().stream().anyMatch(l -> l.startsWith("stability: warning: ") && l.contains(warning)),
        o.lines().toString());
    assertTrue(o.lines().stream().anyMatch(l -> l.contains("@4: 12 items")), o.lines().toString());
    Row overlap = Tables.read(spark, output.resolve(StabilityJob.SUMMARY).toString())
        .where("metric = 'overlap' AND stratum = 'all'").first();
    assertEquals(1.0, overlap.getDouble(overlap.fieldIndex("mean")), 1e-12);
    JsonNode manifest = Manifest.JSON.readTree(Files.readString(output.resolve(RunOutput.MANIFEST)));
    assertEquals(4, manifest.get("details").get("k").asInt(), manifest.toString());
    assertEquals(10, manifest.get("details").get("k_requested").asInt());
    assertTrue(manifest.get("details").get("k_warning").asText().contains(warning));
    JsonNode json = Manifest.JSON.readTree(Files.readString(output.resolve(StabilityJob.SUMMARY_JSON)));
    assertEquals(4, json.get("k").asInt());
    assertEquals(10, json.get("k_requested").asInt());
  }

  @Test
  void popularityTableOfAnotherShapeNamesThePopularityColumnOption() throws Exception {
    InputException e = popularityRefused("plays.csv", "item,plays\nm0,3\nm1,4\n");
    assertTrue(e.getMessage().contains("pass --popularity-column"), e.getMessage());
    assertTrue(JOB.options().stream().anyMatch(spec -> spec.key().equals("popularity-column")));
  }

  /** The refusal of a stability run of tables a and b with {@code --popularity} a file of {@code content}. */
  private InputException popularityRefused(String file, String content) throws Exception {
    Path popularity = Files.writeString(dir.resolve(file), content);
    String a = dir.resolve("a").toString();
    String b = dir.resolve("b").toString();
    return assertThrows(InputException.class, () -> run(Map.of("neighbours", a + "," + b, "popularity",
        popularity.toString(), "bootstrap", "0", "output", dir.resolve("out-" + file).toString())));
  }

  @Test
  void gaugeReadsCsvEmbeddingsWithOneColumnPerComponent() throws Exception {
    Path users = dir.resolve("users.csv");
    Path items = dir.resolve("items.csv");
    Files.writeString(users, "id,f0,f1,f2\nu0,1,0.5,0\nu1,0,1,0.25\nu2,0.5,0,1\nu3,1,1,1\n");
    Files.writeString(items, "id,f0,f1,f2\nm0,1,0,0\nm1,0,1,0\nm2,0,0,1\nm3,1,1,0\nm4,0,1,1\n");
    Path output = dir.resolve("out-gauge-csv");
    run(Map.of("gauge", "1", "user-factors", users.toString(), "item-factors", items.toString(), "k", "2",
        "bootstrap", "0", "output", output.toString()));
    assertTrue(RunOutput.isComplete(spark, output.toString()));
    Dataset<Row> gauge = Tables.read(spark, output.resolve(StabilityJob.GAUGE).toString());
    // score-cosine is unchanged by every transform that keeps the predictions
    Row score = gauge.where("measure = 'score-cosine' AND metric = 'jaccard'").first();
    assertEquals(1.0, score.getDouble(score.fieldIndex("mean")), 1e-9);
    assertEquals(5, score.getLong(score.fieldIndex("n_items")));
  }

  @Test
  void eitherNeighboursOrRunIsRequired() {
    ConfigException none = assertThrows(ConfigException.class, () -> JOB.configure(settings(Map.of())));
    assertTrue(none.getMessage().contains("--neighbours"), none.getMessage());
    assertThrows(ConfigException.class, () -> JOB.configure(settings(Map.of("neighbours", "x"))));
    assertThrows(ConfigException.class, () -> JOB.configure(settings(Map.of("neighbours", "x,y", "baseline", "z"))));
    assertThrows(ConfigException.class, () -> JOB.configure(settings(Map.of("neighbours", "x,y", "run", "r"))));
    ConfigException gauge = assertThrows(ConfigException.class,
        () -> JOB.configure(settings(Map.of("gauge", "2", "item-factors", "v"))));
    assertTrue(gauge.getMessage().contains("--user-factors"), gauge.getMessage());
    StabilityJob.Config onlyGauge = JOB.configure(settings(Map.of("gauge", "2", "item-factors", "v",
        "user-factors", "u")));
    assertTrue(!onlyGauge.comparesTables() && onlyGauge.gauge().draws() == 2);
  }
}
