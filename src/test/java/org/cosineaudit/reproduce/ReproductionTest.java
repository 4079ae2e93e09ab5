package org.cosineaudit.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every claim at a small size: 1,500 users x 80 items in 4 clusters, rank 8, the lambdas
 * scaled to this data's spectrum (s_1 ~ 150, s_8 ~ 20).
 */
class ReproductionTest {

  @TempDir static Path dir;
  static Reproduction.Result result;
  static Path run;

  static Map<String, String> small(Path output) {
    Map<String, String> m = new HashMap<>();
    m.put("users", "1500");
    m.put("items", "80");
    m.put("clusters", "4");
    m.put("seed", "3");
    m.put("rank", "8");
    m.put("lambda-eq1", "100");
    m.put("lambda-eq2", "10");
    m.put("lambdas-eq1", "400");
    m.put("lambdas", "20");
    m.put("als-reg", "0.05,0.1");
    m.put("als-alphas", "0");
    m.put("als-iterations", "5");
    m.put("output", output.toString());
    return m;
  }

  static Reproduction.Result run(Map<String, String> values) {
    SparkSession spark = SparkTestSession.get();
    ReproduceJob job = new ReproduceJob();
    Settings s = Settings.of("reproduce", job.options(), values);
    ReproduceJob.Config c = job.configure(s);
    RunOutput out = RunOutput.open(spark, "reproduce", s, c.output(), s.values());
    Reproduction.Result r = Reproduction.execute(spark, c, out);
    out.complete(org.cosineaudit.run.Outcome.ok(r.summaryLines()));
    return r;
  }

  @BeforeAll
  static void reproduceOnce() {
    run = dir.resolve("small");
    result = run(small(run));
  }

  @Test
  void everyClaimPassesAtSmallSize() {
    for (Claim c : result.claims()) {
      System.out.println(c.line() + " " + c.detail());
    }
    for (Claim c : result.claims()) {
      if (c.id().contains(":")) { // informational: each variant's cluster precision vs chance
        assertEquals("above chance", c.status(), c.line());
      } else {
        assertEquals("pass", c.status(), c.line() + " " + c.detail());
      }
    }
    assertTrue(result.claims().stream().map(Claim::id).toList().containsAll(
        java.util.List.of("1a", "1b", "1c", "2", "3a", "3b", "3c", "3d", "4", "4b", "5", "6")));
  }

  @Test
  void claimsJsonHoldsMeasuredThresholdAndStatus() throws Exception {
    JsonNode json = Manifest.JSON.readTree(run.resolve("claims.json").toFile());
    JsonNode claims = json.get("claims");
    assertEquals(result.claims().size(), claims.size());
    for (JsonNode c : claims) {
      assertTrue(c.hasNonNull("measured") && c.hasNonNull("threshold"), c.toString());
      assertTrue(c.get("status").asText().equals("pass") || c.get("id").asText().contains(":"), c.toString());
    }
  }

  @Test
  void figuresAreWrittenAsPngs() throws Exception {
    for (String name : new String[] {"figure1", "figure1-score-cosine", "figure1-als", "ground-truth", "eq2",
        "eq1-symmetric", "eq2-lambda-sweep", "eq1-full-rank-b-equals-v"}) {
      Path p = run.resolve("figures").resolve(name + ".png");
      assertTrue(Files.exists(p), p.toString());
      byte[] head = Files.readAllBytes(p);
      assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', name + " is a PNG");
    }
  }

  @Test
  void inputsAndFactorTablesAreInTheRunFolder() {
    SparkSession spark = SparkTestSession.get();
    long items = Tables.read(spark, run.resolve("items").toString()).count();
    assertEquals(80, items);
    Row f = Tables.read(spark, run.resolve("factors/eq2/item_factors").toString()).first();
    assertEquals(8, f.getList(f.fieldIndex("features")).size());
    assertEquals(Tables.read(spark, run.resolve("interactions").toString()).select("user").distinct().count(),
        Tables.read(spark, run.resolve("factors/eq2/user_factors").toString()).count());
  }
}
