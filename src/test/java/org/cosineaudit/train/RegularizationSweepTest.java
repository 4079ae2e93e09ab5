package org.cosineaudit.train;

import static org.cosineaudit.train.SweepFixtures.assertSameModels;
import static org.cosineaudit.train.SweepFixtures.run;
import static org.cosineaudit.train.SweepFixtures.spark;
import static org.cosineaudit.train.SweepFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sweep end to end on small data: reproducible factors, resume after an interruption,
 * refusal of a changed configuration, the index and per-model outputs.
 */
class RegularizationSweepTest {

  private static Path tmp;
  private static String sample;
  private static String synthetic;
  /** An uninterrupted reference sweep of {@link #implicitSynthetic}, shared by the tests. */
  private static String reference;
  private static RegularizationSweep.Result referenceResult;

  @BeforeAll
  static void data() throws Exception {
    tmp = SparkTestSession.tempDir("sweep-test");
    sample = SweepFixtures.sparkSampleRatings();
    synthetic = SweepFixtures.synthetic(tmp, 400, 60);
    reference = tmp.resolve("reference").toString();
    referenceResult = run(implicitSynthetic(reference));
  }

  private static Map<String, String> explicitSample(String output) {
    return with(Map.of("input", sample, "output", output, "rank", "4", "reg", "0.01,1", "max-iter", "5",
        "user-blocks", "2", "item-blocks", "2", "holdout", "random", "metrics-k", "5"), "measures", "none");
  }

  private static Map<String, String> implicitSynthetic(String output) {
    return with(Map.of("input", synthetic, "output", output, "feedback", "implicit", "alpha", "0,1", "rank", "4",
        "reg", "0.1", "max-iter", "4", "user-blocks", "2", "item-blocks", "3", "metrics-k", "5"),
        "measures", "cosine,score-cosine", "k", "5");
  }

  @Test
  void explicitSampleRatingsGiveBitIdenticalFactorsAlsoWhenTrainedInParallel() throws Exception {
    assumeTrue(sample != null, "Spark's sample ratings are not in ../shared/data");
    String a = tmp.resolve("repro-a").toString();
    String b = tmp.resolve("repro-b").toString();
    RegularizationSweep.Result ra = run(explicitSample(a));
    RegularizationSweep.Result rb = run(with(explicitSample(b), "parallelism", "2"));
    assertEquals(List.of("als-explicit-r4-reg0.01-s0", "als-explicit-r4-reg1-s0"), ra.modelIds());
    assertEquals(2, rb.trained());
    assertSameModels(a, b, ra.modelIds());
    Factorization f = Factorization.read(spark(), a, "als-explicit-r4-reg1-s0");
    double rmse = f.metrics().get("rmse");
    // ratings are 1..5 with mean ~1.8; a rank-4 model at reg 1 is far better than 2 stars off
    assertTrue(rmse > 0 && rmse < 2.0, "rmse " + rmse);
  }

  @Test
  void implicitSyntheticFactorsAreBitIdenticalAcrossRunsAndParallelism() throws Exception {
    String b = tmp.resolve("implicit-b").toString();
    run(with(implicitSynthetic(b), "parallelism", "2"));
    assertEquals(List.of("als-implicit-r4-reg0.1-a0-s0", "als-implicit-r4-reg0.1-a1-s0"), referenceResult.modelIds());
    assertSameModels(reference, b, referenceResult.modelIds());
    // the two alphas give different models: the comparison above is not comparing constants
    Map<String, float[]> a0 = SweepFixtures.factors(reference + "/models/als-implicit-r4-reg0.1-a0-s0/item_factors");
    Map<String, float[]> a1 = SweepFixtures.factors(reference + "/models/als-implicit-r4-reg0.1-a1-s0/item_factors");
    assertFalse(java.util.Arrays.equals(a0.get("0"), a1.get("0")));
  }

  /**
   * One output goes through a crash and three reruns: resume after the crash, a rerun that
   * trains nothing, a refused configuration change, and the change with --overwrite.
   */
  @Test
  void resumeAfterInterruptionGivesTheUninterruptedResultAndChangesNeedOverwrite() throws Exception {
    String resumed = tmp.resolve("resume-interrupted").toString();
    List<String> ids = referenceResult.modelIds();
    run(implicitSynthetic(resumed));
    // simulate a crash: model 2 half-written (marker and one factor file gone), run not complete
    Path m2 = Path.of(resumed, "models", ids.get(1));
    Files.delete(m2.resolve(RunOutput.COMPLETE_MARKER));
    try (var files = Files.list(m2.resolve("item_factors"))) {
      Path part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.delete(part);
    }
    Files.delete(Path.of(resumed, RunOutput.COMPLETE_MARKER));

    RegularizationSweep.Result again = run(implicitSynthetic(resumed));
    assertEquals(1, again.trained());
    assertEquals(1, again.skipped());
    assertSameModels(reference, resumed, ids);
    assertEquals(List.of(ids.get(0)), again.kept());
    // the index holds results only: the same table as the uninterrupted run's
    assertEquals(indexRows(referenceResult.indexPath()), indexRows(again.indexPath()));

    // the same values spelled otherwise, and settings that do not change results: the same configuration
    RegularizationSweep.Result third = run(with(implicitSynthetic(resumed), "alpha", "0.0, 1.0", "reg", ".10",
        "checkpoint-interval", "3", "storage-level", "memory_only"));
    assertEquals(0, third.trained(), "a complete sweep is not trained again");
    assertEquals(2, Tables.read(spark(), third.indexPath()).count());

    InputException e = assertThrows(InputException.class,
        () -> run(with(implicitSynthetic(resumed), "reg", "0.5")));
    assertTrue(e.getMessage().contains("different configuration"), e.getMessage());
    assertTrue(e.getMessage().contains("reg: 0.1 before, now 0.5"), e.getMessage());
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    RegularizationSweep.Result replaced =
        run(with(implicitSynthetic(resumed), "reg", "0.5", "alpha", "1", "overwrite", "true"));
    assertEquals(List.of("als-implicit-r4-reg0.5-a1-s0"), replaced.modelIds());
    assertEquals(1, replaced.trained());
    assertFalse(Files.exists(Path.of(resumed, "models", ids.get(0))), "the old models were removed");
  }

  @Test
  void resumeRefusesAnInputWhoseContentsChangedSinceTheInterruptedRun() throws Exception {
    Path input = tmp.resolve("changing.csv");
    StringBuilder csv = new StringBuilder("user,item,value\n");
    for (int u = 0; u < 30; u++) {
      for (int i = 0; i < 12; i++) {
        if ((u + i) % 3 != 0) {
          csv.append(u).append(',').append(i).append(',').append(1 + (u * 7 + i) % 5).append('\n');
        }
      }
    }
    Files.writeString(input, csv);
    String out = tmp.resolve("changing").toString();
    Map<String, String> config = with(Map.of("input", input.toString(), "output", out, "rank", "2", "reg", "0.1",
        "max-iter", "2", "user-blocks", "1", "item-blocks", "1", "metrics-k", "3"), "measures", "none");
    run(config);
    Files.delete(Path.of(out, RunOutput.COMPLETE_MARKER)); // as if stopped before the end
    assertEquals(0, run(config).trained(), "same input: the kept model is not trained again");
    Files.writeString(input, csv + "99,0,5\n");
    InputException e = assertThrows(InputException.class, () -> run(config));
    assertTrue(e.getMessage().contains("other contents of interactions " + input), e.getMessage());
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    assertTrue(Files.exists(Path.of(out, RunOutput.COMPLETE_MARKER)), "a refused rerun leaves the finished run as it was");
    Files.delete(Path.of(out, RunOutput.COMPLETE_MARKER)); // and an interrupted one is refused the same way
    assertThrows(InputException.class, () -> run(config));
    assertEquals(1, run(with(config, "overwrite", "true")).trained());
  }

  @Test
  void csvOutputKeepsItemIdsThatLookLikeTheSameNumberApart() throws Exception {
    // items 007, 07 and 7: read back by inference they would all be 7, "duplicate ids" in the engine
    Path input = tmp.resolve("zeros.csv");
    StringBuilder csv = new StringBuilder("user,item,value\n");
    List<String> items = List.of("007", "07", "7", "70", "8");
    for (int u = 0; u < 12; u++) {
      for (int i = 0; i < items.size(); i++) {
        if ((u + i) % 3 != 0) {
          csv.append(u).append(',').append(items.get(i)).append(',').append(1 + (u + i) % 4).append('\n');
        }
      }
    }
    Files.writeString(input, csv);
    String out = tmp.resolve("zeros").toString();
    RegularizationSweep.Result r = run(Map.of("input", input.toString(), "output", out, "rank", "2", "reg", "0.1",
        "max-iter", "2", "user-blocks", "1", "item-blocks", "1", "metrics-k", "3", "k", "2", "format", "csv"));
    String model = out + "/models/" + r.modelIds().get(0);
    List<String> read = new ArrayList<>();
    for (Row row : Factorization.readFactors(spark(), model + "/" + RegularizationSweep.ITEM_FACTORS).collectAsList()) {
      read.add(row.getString(0));
    }
    Collections.sort(read);
    assertEquals(List.of("007", "07", "7", "70", "8"), read);
    assertEquals(5, Tables.read(spark(), model + "/neighbours/cosine").select("item").distinct().count());
  }

  @Test
  void indexAndModelFilesDescribeEveryModel() {
    List<Row> rows = Tables.read(spark(), referenceResult.indexPath()).orderBy("model_id").collectAsList();
    assertEquals(2, rows.size());
    Row first = rows.get(0);
    assertEquals("als-implicit-r4-reg0.1-a0-s0", first.getString(first.fieldIndex("model_id")));
    assertEquals(0.0, first.getDouble(first.fieldIndex("alpha")));
    assertTrue(first.isNullAt(first.fieldIndex("rmse")), "no RMSE for implicit feedback");
    double precision = first.getDouble(first.fieldIndex("precision_at_k"));
    assertTrue(precision > 0 && precision <= 1, "precision@5 " + precision);
    double coverage = first.getDouble(first.fieldIndex("coverage_at_k"));
    assertTrue(coverage > 0 && coverage <= 1, "coverage " + coverage);
    Factorization f = Factorization.read(spark(), reference, "als-implicit-r4-reg0.1-a1-s0");
    assertEquals(4, f.itemFactors().first().getList(1).size());
    assertEquals(f.itemFactors().count(), f.itemFactors().select("id").distinct().count(), "one row per item");
    assertTrue(f.metrics().containsKey("ndcg_at_k"));
    for (String measure : List.of("cosine", "score-cosine")) {
      org.apache.spark.sql.Dataset<Row> n =
          Tables.read(spark(), reference + "/models/als-implicit-r4-reg0.1-a1-s0/neighbours/" + measure);
      assertEquals(f.itemFactors().count() * 5, n.count(), measure + ": k = 5 neighbours for every item");
      assertEquals(List.of("item", "rank", "neighbour", "score"), List.of(n.columns()));
    }
    assertFalse(Files.exists(Path.of(reference, "models", "als-implicit-r4-reg0.1-a1-s0", "neighbours", "dot")));
  }

  @Test
  void sweepReleasesEveryModelsCachedFactors() throws Exception {
    int before = spark().sparkContext().getPersistentRDDs().size();
    run(with(implicitSynthetic(tmp.resolve("release").toString()), "alpha", "1"));
    assertEquals(before, spark().sparkContext().getPersistentRDDs().size(), "cached RDDs left behind");
  }

  /** The rows of an index as text, sorted. */
  private static List<String> indexRows(String path) {
    List<String> rows = new ArrayList<>();
    for (Row r : Tables.read(spark(), path).collectAsList()) {
      rows.add(r.toString());
    }
    Collections.sort(rows);
    return rows;
  }
}
