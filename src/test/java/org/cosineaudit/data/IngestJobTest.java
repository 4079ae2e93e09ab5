package org.cosineaudit.data;

import static org.cosineaudit.data.IngestionFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.CliRun;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ingest} job end to end through the CLI entry point. */
class IngestJobTest {

  @TempDir Path dir;

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void ingestWritesTablesManifestAndPrintsTheAccounting() throws Exception {
    Path input = write(dir, "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,10\n1,2,x,11\n2,1,3.5,12\n");
    Path out = dir.resolve("out");
    CliRun r = run("ingest", "--input", input.toString(), "--output", out.toString(), "--max-reject-fraction", "0.5",
        "--format", "csv");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("rows read 3 = accepted 2 + rejected 1 + merged 0"), r.out());
    assertTrue(r.out().contains("rejected by reason: unparsable_number 1"), r.out());
    assertTrue(RunOutput.isComplete(SparkTestSession.get(), out.toString()));
    assertEquals(2, Tables.read(SparkTestSession.get(), out.resolve("interactions").toString()).count());
    assertEquals(1, Tables.read(SparkTestSession.get(), out.resolve("rejects").toString()).count());
    assertEquals(2, Tables.read(SparkTestSession.get(), out.resolve("user_ids").toString()).count());
    // accepted (1,1) and (2,1): one item
    assertEquals(1, Tables.read(SparkTestSession.get(), out.resolve("item_ids").toString()).count());
    JsonNode m = Manifest.JSON.readTree(Files.readString(out.resolve("manifest.json")));
    assertEquals("ok", m.get("outcome").asText());
    assertEquals(3, m.get("counts").get("rows_read").asLong());
    assertEquals(1, m.get("details").get("rejected_by_reason").get("unparsable_number").asLong());
    assertEquals(input.toString(), m.get("inputs").get(0).get("path").asText());
    assertEquals(64, m.get("inputs").get(0).get("sha256").asText().length());
  }

  @Test
  void missingInputExitsTwoNamingThePath() {
    Path missing = dir.resolve("no-such-ratings.csv");
    CliRun r = run("ingest", "--input", missing.toString(), "--output", dir.resolve("out2").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(missing.toString()), r.err());
    assertFalse(RunOutput.isComplete(SparkTestSession.get(), dir.resolve("out2").toString()));
  }

  @Test
  void tooManyRejectsExitTwoButLeaveTheRejectsToInspect() throws Exception {
    Path input = write(dir, "bad.csv", "a,b,1\nc,d,x\n");
    Path out = dir.resolve("out3");
    CliRun r = run("ingest", "--input", input.toString(), "--input-format", "delimited", "--output", out.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("1 of 2 rows rejected"), r.err());
    assertTrue(r.err().contains(out.resolve("rejects").toString()), r.err());
    assertFalse(RunOutput.isComplete(SparkTestSession.get(), out.toString()));
    assertEquals(1, Tables.read(SparkTestSession.get(), out.resolve("rejects").toString()).count());
  }

  @Test
  void inconsistentOptionsAreUsageErrorsBeforeSpark() {
    CliRun r = run("ingest", "--input", "x.csv", "--implicit-threshold", "3");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("implicit-threshold") && r.err().contains("--feedback implicit"), r.err());
  }
}
