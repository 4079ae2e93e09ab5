package org.cosineaudit.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.audit.Snapshots.Vec;
import org.cosineaudit.io.Tables;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planted problems, each caught by its own check, on small snapshots (library calls, no CLI). */
class AuditChecksTest {

  @TempDir Path dir;

  private SparkSession spark() {
    return SparkTestSession.get();
  }

  /** Runs the audit on {@code embeddings} with extra options; each call gets its own output base. */
  private AuditJob.Result audit(String name, String embeddings, Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(extra);
    m.put("embeddings", embeddings);
    return Snapshots.audit(spark(), m, dir.resolve("out-" + name));
  }

  private static Check check(AuditJob.Result r, String name) {
    return Snapshots.check(r, name);
  }

  @Test
  void isotropicSnapshotPassesIntegrityAndGeometry() {
    String p = Snapshots.write(spark(), Snapshots.gaussian(300, 16, 1), dir.resolve("iso"));
    AuditJob.Result r = audit("iso", p, Map.of());
    for (Check c : r.checks()) {
      assertEquals(Status.PASS, c.status(), c.line());
    }
    assertEquals(Status.PASS, r.overall());
    // 300 random directions in 16-d: the exact mean pair cosine is near 0 (sd ~ 1/sqrt(16 * 300) per... well below 0.05)
    assertTrue(Math.abs(check(r, "geometry.mean-cosine").value()) < 0.05, check(r, "geometry.mean-cosine").line());
    // isotropic share is 1/16 = 0.0625; sampling noise with 300 vectors keeps it below 0.15
    assertTrue(check(r, "geometry.first-component-share").value() < 0.15);
    assertTrue(r.skipped().stream().anyMatch(s -> s.contains("--popularity")), r.skipped().toString());
  }

  @Test
  void nanZeroDuplicateAndShortVectorsAreEachCaughtByTheirCheckAndLeftOut() throws Exception {
    List<Vec> vs = new ArrayList<>(Snapshots.gaussian(100, 8, 2));
    float[] nan = Snapshots.filled(8, 0.5f);
    nan[3] = Float.NaN;
    vs.add(new Vec("has-nan", nan));
    vs.add(new Vec("all-zero", Snapshots.filled(8, 0f)));
    vs.add(new Vec("i7", Snapshots.filled(8, 1f))); // second vector with id i7
    vs.add(new Vec("too-short", Snapshots.filled(7, 1f)));
    String p = Snapshots.write(spark(), vs, dir.resolve("planted"));
    AuditJob.Result r = audit("planted", p, Map.of());
    long n = vs.size();

    Check dim = check(r, "integrity.dimension");
    assertEquals(Status.FAIL, dim.status());
    assertEquals(1.0 / n, dim.value(), 1e-12);
    assertTrue(dim.detail().contains("too-short") && dim.detail().contains("7 x1"), dim.detail());
    Check nanCheck = check(r, "integrity.non-finite");
    assertEquals(Status.FAIL, nanCheck.status());
    assertEquals(1.0 / n, nanCheck.value(), 1e-12);
    assertTrue(nanCheck.detail().contains("has-nan"), nanCheck.detail());
    Check zero = check(r, "integrity.zero-norm");
    assertEquals(Status.FAIL, zero.status());
    assertEquals(1.0 / n, zero.value(), 1e-12);
    assertTrue(zero.detail().contains("all-zero"), zero.detail());
    Check dup = check(r, "integrity.duplicate-ids");
    assertEquals(Status.FAIL, dup.status());
    assertEquals(2.0 / n, dup.value(), 1e-12, "both rows of i7");
    assertTrue(dup.detail().contains("i7"), dup.detail());
    assertEquals(Status.PASS, check(r, "integrity.near-zero-norm").status());
    assertEquals(Status.FAIL, r.overall());

    // every offender is listed once with its problem; geometry ran on the 99 clean vectors
    Path run = Path.of(r.summaryPath()).getParent();
    Map<String, String> offenders = Tables.read(spark(), run.resolve(IntegrityChecks.OFFENDERS).toString())
        .collectAsList().stream().collect(Collectors.groupingBy(row -> row.getString(0),
            Collectors.mapping(row -> row.getString(1), Collectors.joining(","))));
    assertEquals(Map.of("has-nan", "non-finite", "all-zero", "zero-norm", "i7", "duplicate-id,duplicate-id",
        "too-short", "dimension"), offenders);
    String summary = Files.readString(Path.of(r.summaryPath()));
    assertTrue(summary.contains("\"usable_vectors\" : 99"), summary);
    assertTrue(summary.contains("\"overall\" : \"FAIL\""), summary);
  }

  @Test
  void nearZeroVectorWarnsWithoutBeingExcluded() throws Exception {
    List<Vec> vs = new ArrayList<>(Snapshots.gaussian(200, 8, 3));
    vs.add(new Vec("tiny", Snapshots.filled(8, 1e-6f)));
    String p = Snapshots.write(spark(), vs, dir.resolve("tiny"));
    AuditJob.Result r = audit("tiny", p, Map.of());
    Check near = check(r, "integrity.near-zero-norm");
    // 1 of 201 = 0.005: beyond the warning level 0.001, within the failure level 0.01
    assertEquals(Status.WARN, near.status(), near.line());
    assertTrue(near.detail().contains("tiny"));
    assertTrue(Files.readString(Path.of(r.summaryPath())).contains("\"usable_vectors\" : 201"));
  }

  @Test
  void coneShapedSpaceFailsTheMeanCosineCheck() {
    // every vector = 4 e1 + N(0, I) in 8-d: cosines to one another mostly around 0.65
    String p = Snapshots.write(spark(), Snapshots.shifted(Snapshots.gaussian(300, 8, 4), 4f), dir.resolve("cone"));
    AuditJob.Result r = audit("cone", p, Map.of());
    Check mean = check(r, "geometry.mean-cosine");
    assertTrue(mean.value() > 0.5, mean.line());
    assertTrue(mean.status() != Status.PASS, mean.line());
    AuditJob.Result strict = audit("cone-strict", p, Map.of("max-mean-cosine", "0.2,0.4"));
    assertEquals(Status.FAIL, check(strict, "geometry.mean-cosine").status());
    assertEquals(Status.FAIL, strict.overall());
  }

  @Test
  void spaceAlongOneLineFailsTheFirstComponentShareButNotTheMeanCosine() {
    // t_i e1 + 0.05 noise: unit vectors are +-e1 (mean cosine ~0), nearly all variance on e1
    List<Vec> line = new ArrayList<>();
    for (Vec x : Snapshots.gaussian(300, 8, 5)) {
      float[] v = x.v().clone();
      float t = v[0];
      for (int j = 0; j < v.length; j++) {
        v[j] *= 0.05f;
      }
      v[0] = t;
      line.add(new Vec(x.id(), v));
    }
    String p = Snapshots.write(spark(), line, dir.resolve("line"));
    AuditJob.Result r = audit("line", p, Map.of());
    Check share = check(r, "geometry.first-component-share");
    assertEquals(Status.FAIL, share.status(), share.line());
    assertTrue(share.value() > 0.8);
    assertEquals(Status.PASS, check(r, "geometry.mean-cosine").status());
  }

  @Test
  void baselineUserEmbeddingsWithoutCurrentUserEmbeddingsAreRefusedNotIgnored() {
    AuditJob job = new AuditJob();
    org.cosineaudit.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.cosineaudit.config.ConfigException.class, () -> job.configure(org.cosineaudit.config.Settings.of("audit",
            job.options(), Map.of("embeddings", "e", "baseline", "b", "baseline-user-embeddings", "bu")),
            java.time.Instant.now()));
    assertTrue(e.getMessage().contains("needs --user-embeddings"), e.getMessage());
  }

  @Test
  void oneUsableVectorIsAWarningNotASilentPass() throws Exception {
    Path one = dir.resolve("one.csv");
    Files.writeString(one, "id,f0,f1,f2\na,1,2,3\n");
    AuditJob.Result r = audit("one", one.toString(), Map.of());
    assertEquals(Status.WARN, r.overall());
    Check usable = check(r, "integrity.usable-vectors");
    assertEquals(Status.WARN, usable.status(), usable.line());
    assertEquals(1.0, usable.value());
    assertTrue(usable.detail().contains("fewer than 2 usable vectors"), usable.detail());
    com.fasterxml.jackson.databind.JsonNode summary = org.cosineaudit.io.Manifest.JSON.readTree(
        Files.readString(Path.of(r.summaryPath().replaceFirst("^file:", ""))));
    assertEquals("WARN", summary.get("overall").asText(), summary.toString());
    assertEquals(1, summary.get("counts").get("warn").asInt());
    assertTrue(summary.get("skipped").get(0).asText().contains("fewer than 2 usable vectors"), summary.toString());
  }

  @Test
  void kAtLeastItemsMinusOneWarnsOnHubOccurrenceInsteadOfFailing() {
    // 3 items, k = 20 (default): every list holds both other items, so the biggest hub is in
    // 2 of 3 lists whatever the geometry
    String p = Snapshots.write(spark(), Snapshots.gaussian(3, 4, 11), dir.resolve("three"));
    AuditJob.Result r = audit("three", p, Map.of());
    Check occurrence = check(r, "geometry.hub-occurrence");
    assertEquals(Status.WARN, occurrence.status(), occurrence.line());
    assertEquals(2.0 / 3, occurrence.value(), 1e-12);
    assertTrue(occurrence.detail().contains("k = 20 >= items - 1 = 2"), occurrence.detail());
    assertTrue(r.checks().stream().noneMatch(c -> c.status() == Status.FAIL), r.checks().toString());
    // below items - 1 the check is judged as usual
    Check judged = check(audit("three-k1", p, Map.of("k", "1")), "geometry.hub-occurrence");
    assertTrue(!judged.detail().contains("not judged"), judged.detail());
  }

  @Test
  void popularityTableOfAnotherShapeNeedsThePopularityColumnOptionTheAuditHas() throws Exception {
    String p = Snapshots.write(spark(), Snapshots.gaussian(20, 4, 12), dir.resolve("plays-emb"));
    Path plays = dir.resolve("plays.csv");
    StringBuilder csv = new StringBuilder("item,plays\n");
    for (int i = 0; i < 20; i++) {
      csv.append("i").append(i).append(',').append(i + 1).append('\n');
    }
    Files.writeString(plays, csv.toString());
    org.cosineaudit.run.InputException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.cosineaudit.run.InputException.class, () -> audit("plays", p, Map.of("popularity", plays.toString())));
    assertTrue(e.getMessage().contains("pass --popularity-column"), e.getMessage());
    AuditJob.Result r = audit("plays-column", p, Map.of("popularity", plays.toString(), "popularity-column", "plays",
        "k", "5"));
    assertTrue(Double.isFinite(check(r, "geometry.norm-popularity-spearman").value()));
    AuditJob job = new AuditJob();
    org.cosineaudit.config.ConfigException alone = org.junit.jupiter.api.Assertions.assertThrows(
        org.cosineaudit.config.ConfigException.class, () -> job.configure(org.cosineaudit.config.Settings.of("audit",
            job.options(), Map.of("embeddings", p, "popularity-column", "plays")), java.time.Instant.now()));
    assertTrue(alone.getMessage().contains("--popularity-column needs --popularity"), alone.getMessage());
  }

  @Test
  void normsThatEncodePopularityAreFlagged() throws Exception {
    // item i has norm proportional to (i + 1) and popularity 10 (i + 1): Spearman 1
    List<Vec> vs = new ArrayList<>();
    List<Row> pop = new ArrayList<>();
    for (Vec x : Snapshots.gaussian(100, 8, 6)) {
      int i = Integer.parseInt(x.id().substring(1));
      double norm = 0;
      for (float f : x.v()) {
        norm += f * f;
      }
      float scale = (float) ((i + 1) / Math.sqrt(norm));
      float[] v = x.v().clone();
      for (int j = 0; j < v.length; j++) {
        v[j] *= scale;
      }
      vs.add(new Vec(x.id(), v));
      pop.add(RowFactory.create(x.id(), 10L * (i + 1)));
    }
    String p = Snapshots.write(spark(), vs, dir.resolve("pop-emb"));
    String popPath = dir.resolve("popularity.csv").toString();
    spark().createDataFrame(pop, new StructType().add("id", DataTypes.StringType).add("count", DataTypes.LongType))
        .coalesce(1).write().option("header", "true").csv(popPath);
    AuditJob.Result r = audit("pop", p, Map.of("popularity", popPath));
    Check c = check(r, "geometry.norm-popularity-spearman");
    assertEquals(1.0, c.value(), 1e-9);
    assertEquals(Status.FAIL, c.status());
    assertNotNull(check(r, "geometry.norm-cv"));
  }

  @Test
  void plantedHubNearTheCentroidIsTheTopHubWithItsTitle() throws Exception {
    // 300 items m + N(0, I/64) in 64-d with m = e1: pair cosines ~0.5 +- 0.06, while the hub m
    // itself has cosine ~0.7 with nearly everyone, so it enters almost every top-10 list
    List<Vec> vs = new ArrayList<>();
    for (Vec x : Snapshots.gaussian(300, 64, 9)) {
      float[] v = x.v().clone();
      for (int j = 0; j < v.length; j++) {
        v[j] /= 8f;
      }
      v[0] += 1f;
      vs.add(new Vec(x.id(), v));
    }
    float[] hub = new float[64];
    hub[0] = 1f;
    vs.add(new Vec("hub", hub));
    String p = Snapshots.write(spark(), vs, dir.resolve("hubs"));
    Path meta = dir.resolve("titles.csv");
    Files.writeString(meta, "id,title\nhub,The Planted Hub\ni0,Item Zero\n");
    AuditJob.Result r = audit("hub", p, Map.of("k", "10", "metadata", meta.toString(), "max-mean-cosine", "0.9,0.95"));
    Check occurrence = check(r, "geometry.hub-occurrence");
    assertEquals(Status.FAIL, occurrence.status(), occurrence.line());
    assertTrue(occurrence.value() > 0.5, occurrence.line());
    Check skew = check(r, "geometry.hubness-skew");
    assertEquals(Status.FAIL, skew.status(), skew.line());
    assertTrue(skew.detail().contains("hub \"The Planted Hub\""), skew.detail());
    assertTrue(skew.detail().contains("over 301 items"), skew.detail());
    Row top = Tables.read(spark(), Path.of(r.summaryPath()).getParent().resolve(GeometryChecks.HUBS).toString())
        .orderBy(org.apache.spark.sql.functions.desc("occurrences")).first();
    assertEquals("hub", top.getAs("id"));
    assertEquals("The Planted Hub", top.getAs("title"));
  }
}
