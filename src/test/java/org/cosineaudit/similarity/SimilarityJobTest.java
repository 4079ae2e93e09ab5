package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.CliRun;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code similarity} job through the CLI: tables per measure, summary in the manifest, errors. */
class SimilarityJobTest {

  @TempDir Path dir;

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void writesOneTablePerMeasureAndReportsZeroNormIdsInTheManifest() throws Exception {
    Path items = Files.writeString(dir.resolve("items.csv"), "id,f0,f1\na,1,0\nb,1,1\nc,0,2\nd,-1,0\nz,0,0\n");
    Path users = Files.writeString(dir.resolve("users.txt"), "u1 1 0\nu2 0 2\n");
    Path out = dir.resolve("out");
    CliRun r = run("similarity", "--embeddings", items.toString(), "--user-embeddings", users.toString(),
        "--measure", "cosine,score-cosine,dot", "--k", "2", "--format", "csv", "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(RunOutput.isComplete(SparkTestSession.get(), out.toString()));
    List<Row> cosine = Tables.read(SparkTestSession.get(), out.resolve("neighbours/cosine").toString())
        .where("item = 'a'").orderBy("rank").collectAsList();
    assertEquals("b", cosine.get(0).getAs("neighbour")); // a·b = 1/√2, by hand
    assertEquals(1 / Math.sqrt(2), ((Number) cosine.get(0).getAs("score")).doubleValue(), 1e-6);
    assertEquals(8, Tables.read(SparkTestSession.get(), out.resolve("neighbours/cosine").toString()).count());
    assertEquals(10, Tables.read(SparkTestSession.get(), out.resolve("neighbours/dot").toString()).count());
    assertEquals(8, Tables.read(SparkTestSession.get(), out.resolve("neighbours/score-cosine").toString()).count());
    JsonNode manifest = Manifest.JSON.readTree(out.resolve(RunOutput.MANIFEST).toFile());
    JsonNode sim = manifest.path("details").path("similarity");
    assertEquals("z", sim.path("cosine").path("zero_norm_ids").get(0).asText());
    assertEquals(1, sim.path("score-cosine").path("zero_norm_count").asLong());
    assertEquals(0, sim.path("dot").path("zero_norm_count").asLong());
    assertFalse(sim.path("cosine").path("blas").asText().isEmpty());
    assertEquals(5, manifest.path("counts").path("items").asLong());
  }

  @Test
  void badEmbeddingsExitWithCode2NamingTheIdAndLeaveNoCompleteMarker() throws Exception {
    Path items = Files.writeString(dir.resolve("nan.csv"), "id,f0,f1\na,1,0\nb,NaN,1\nc,0,2\n");
    Path out = dir.resolve("out");
    CliRun r = run("similarity", "--embeddings", items.toString(), "--output", out.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains(items + ": 1 embeddings have NaN, infinite or missing components ('b')"), r.err());
    assertFalse(RunOutput.isComplete(SparkTestSession.get(), out.toString()));
  }

  @Test
  void scoreCosineWithoutUserEmbeddingsIsAUsageError() {
    CliRun r = run("similarity", "--embeddings", "x.csv", "--measure", "score-cosine");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("score-cosine needs --user-embeddings"), r.err());
  }
}
