package org.cosineaudit.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.audit.Snapshots.Vec;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drift against a baseline and the meaning checks, on planted snapshots. */
class AuditDriftMeaningTest {

  /** A strong, fixed prediction-preserving gauge: U -> U D, V -> V D^-1. */
  static final double[] D = {8, 0.125, 1, 4, 0.25, 1, 2, 0.5};
  @TempDir Path dir;

  private static SparkSession spark() {
    return SparkTestSession.get();
  }

  private AuditJob.Result audit(String name, Map<String, String> options) {
    return Snapshots.audit(spark(), options, dir.resolve("out-" + name));
  }

  private static Check check(AuditJob.Result r, String name) {
    return Snapshots.check(r, name);
  }

  private static List<Vec> scaled(List<Vec> vs, double[] d, boolean inverse) {
    List<Vec> out = new ArrayList<>();
    for (Vec x : vs) {
      float[] v = x.v().clone();
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (inverse ? v[j] / d[j] : v[j] * d[j]);
      }
      out.add(new Vec(x.id(), v));
    }
    return out;
  }

  @Test
  void rescaledButEquivalentSnapshotFlagsCosineDriftWhileScoreCosineStaysPut() {
    List<Vec> items = Snapshots.gaussian(150, 8, 31);
    List<Vec> users = new ArrayList<>();
    for (Vec u : Snapshots.gaussian(200, 8, 32)) {
      users.add(new Vec("u" + u.id(), u.v()));
    }
    String baseItems = Snapshots.write(spark(), items, dir.resolve("base-items"));
    String baseUsers = Snapshots.write(spark(), users, dir.resolve("base-users"));
    // same predictions U Vᵀ, different gauge
    String curItems = Snapshots.write(spark(), scaled(items, D, true), dir.resolve("cur-items"));
    String curUsers = Snapshots.write(spark(), scaled(users, D, false), dir.resolve("cur-users"));
    AuditJob.Result r = audit("rescaled", Map.of("embeddings", curItems, "user-embeddings", curUsers,
        "baseline", baseItems, "baseline-user-embeddings", baseUsers, "k", "10", "gauge-rescalings", "1"));

    Check cosine = check(r, "drift.cosine-jaccard");
    assertTrue(cosine.value() < 0.5 && cosine.status() != Status.PASS, cosine.line());
    Check score = check(r, "drift.score-cosine-jaccard");
    // score-cosine is exactly invariant; float rounding of the rescaled files may swap a near-tie at rank 10
    assertTrue(score.value() > 0.97, score.line());
    assertEquals(Status.PASS, score.status());
    assertEquals(0.0, check(r, "drift.removed-ids").value());
    assertEquals(0.0, check(r, "drift.added-ids").value());
    // meaning on the rescaled model: its cosine disagrees with its own (gauge-free) score-cosine
    Check meaning = check(r, "meaning.score-cosine-agreement");
    assertTrue(meaning.value() < 0.5, meaning.line());
    Check gauge = check(r, "meaning.gauge-agreement");
    assertTrue(gauge.value() < 0.9, gauge.line());
    assertTrue(Double.isFinite(check(r, "meaning.dot-agreement").value()));
    Path run = Path.of(r.summaryPath()).getParent();
    assertTrue(RunOutput.isComplete(spark(), run.resolve(DriftChecks.DIR).toString()));
    assertTrue(RunOutput.isComplete(spark(), run.resolve(MeaningChecks.DIR).toString()));
  }

  @Test
  void isotropicUsersMakeCosineAgreeWithScoreCosine() {
    // G = UᵀU ~ n I for i.i.d. users: score space is (nearly) the item space itself
    String items = Snapshots.write(spark(), Snapshots.gaussian(150, 8, 41), dir.resolve("items"));
    List<Vec> users = new ArrayList<>();
    for (Vec u : Snapshots.gaussian(2000, 8, 42)) {
      users.add(new Vec("u" + u.id(), u.v()));
    }
    String u = Snapshots.write(spark(), users, dir.resolve("users"));
    AuditJob.Result r = audit("iso-meaning", Map.of("embeddings", items, "user-embeddings", u, "k", "10",
        "gauge-rescalings", "1"));
    Check agreement = check(r, "meaning.score-cosine-agreement");
    assertTrue(agreement.value() > 0.6, agreement.line());
    assertTrue(r.skipped().stream().anyMatch(s -> s.startsWith("drift")), r.skipped().toString());
  }

  @Test
  void driftedSnapshotFailsWithAddedRemovedIdsAndTheMostChangedItemsNamed() throws Exception {
    List<Vec> base = Snapshots.gaussian(200, 8, 51);
    // new random vectors for the same ids: the lists share only chance neighbours (Jaccard ~ k/n)
    List<Vec> cur = new ArrayList<>();
    for (Vec x : Snapshots.gaussian(200, 8, 52)) {
      int i = Integer.parseInt(x.id().substring(1));
      if (i >= 20) { // i0..i19 removed
        cur.add(x);
      }
    }
    for (Vec x : Snapshots.gaussian(5, 8, 53)) {
      cur.add(new Vec("new" + x.id(), x.v()));
    }
    String basePath = Snapshots.write(spark(), base, dir.resolve("base"));
    String curPath = Snapshots.write(spark(), cur, dir.resolve("cur"));
    Path pop = dir.resolve("pop.csv");
    StringBuilder sb = new StringBuilder("id,count\n");
    for (int i = 0; i < 200; i++) {
      sb.append('i').append(i).append(',').append(i + 1).append('\n');
    }
    Files.writeString(pop, sb.toString());
    Path meta = dir.resolve("meta.csv");
    StringBuilder titles = new StringBuilder("id,title\n");
    for (int i = 0; i < 200; i++) {
      titles.append('i').append(i).append(",Title ").append(i).append('\n');
    }
    Files.writeString(meta, titles.toString());
    AuditJob.Result r = audit("drifted", Map.of("embeddings", curPath, "baseline", basePath, "k", "10",
        "popularity", pop.toString(), "metadata", meta.toString()));

    Check removed = check(r, "drift.removed-ids");
    assertEquals(20.0 / 200, removed.value(), 1e-12);
    assertEquals(Status.WARN, removed.status(), removed.line());
    assertTrue(removed.detail().contains("i0"), removed.detail());
    Check added = check(r, "drift.added-ids");
    assertEquals(5.0 / 185, added.value(), 1e-12);
    Check jaccard = check(r, "drift.cosine-jaccard");
    assertEquals(Status.FAIL, jaccard.status(), jaccard.line());
    assertTrue(jaccard.value() < 0.2, jaccard.line());
    assertTrue(jaccard.detail().contains("Title "), jaccard.detail());
    assertEquals(Status.FAIL, check(r, "drift.cosine-rbo").status());
    Check decile = check(r, "drift.worst-decile-jaccard");
    assertTrue(decile.detail().contains("popularity_d"), decile.detail());
    assertEquals(Status.FAIL, r.overall());

    Path run = Path.of(r.summaryPath()).getParent();
    List<Row> changed = Tables.read(spark(), run.resolve(DriftChecks.CHANGED_MOST).toString()).collectAsList();
    assertEquals(20, changed.size());
    for (Row row : changed) {
      assertTrue(row.<Double>getAs("jaccard") <= jaccard.value() + 1e-9, "the most changed are below the mean");
      assertEquals("Title " + row.<String>getAs("item").substring(1), row.getAs("title"));
    }
    assertEquals(25, Tables.read(spark(), run.resolve(DriftChecks.ID_CHANGES).toString()).count());
  }
}
