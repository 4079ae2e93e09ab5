package org.cosineaudit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  @TempDir Path dir;

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  static CliRun runWithoutSpark(String... args) {
    return CliRun.withoutSpark(args);
  }

  @Test
  void helpListsEveryJob() {
    CliRun r = runWithoutSpark("--help");
    assertEquals(0, r.code());
    for (var job : Jobs.ALL) {
      assertTrue(r.out().contains(job.name()), r.out());
    }
  }

  @Test
  void jobHelpListsOptionsWithDefaults() {
    CliRun r = runWithoutSpark("generate", "--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("--users VALUE"), r.out());
    assertTrue(r.out().contains("default: 20000"), r.out());
  }

  @Test
  void noJobUnknownJobUnknownOptionAndBadValueExitWithTwo() {
    CliRun none = runWithoutSpark();
    assertEquals(2, none.code());
    CliRun unknownJob = runWithoutSpark("frobnicate");
    assertEquals(2, unknownJob.code());
    assertTrue(unknownJob.err().startsWith("error: unknown job 'frobnicate'\n"), unknownJob.err());
    CliRun unknownOption = runWithoutSpark("generate", "--userz", "5");
    assertEquals(2, unknownOption.code());
    assertTrue(unknownOption.err().startsWith("error: generate: unknown option --userz\nusage:"), unknownOption.err());
    CliRun badValue = runWithoutSpark("generate", "--users", "-3");
    assertEquals(2, badValue.code());
    assertTrue(badValue.err().contains("'users'") && badValue.err().contains("'-3'"), badValue.err());
    CliRun missingValue = runWithoutSpark("generate", "--users");
    assertEquals(2, missingValue.code());
    assertFalse(missingValue.err().contains("Exception"), missingValue.err());
  }

  @Test
  void runWritesManifestThenCompleteMarkerAndRefusesToReuseTheDirectory() throws Exception {
    Path out = dir.resolve("gen");
    CliRun r = run("generate", "--users", "50", "--items", "20", "--clusters", "2", "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(out.resolve(RunOutput.COMPLETE_MARKER)));
    JsonNode m = Manifest.JSON.readTree(out.resolve(RunOutput.MANIFEST).toFile());
    assertEquals("generate", m.get("job").asText());
    assertEquals("ok", m.get("outcome").asText());
    assertEquals("50", m.get("config").get("users").asText());
    assertEquals("command line", m.get("config_sources").get("users").asText());
    assertEquals(SparkSession.active().version(), m.get("versions").get("spark").asText());
    assertTrue(m.get("counts").get("interactions").asLong() >= 50);
    assertTrue(m.get("stages").size() >= 1);

    CliRun again = run("generate", "--users", "50", "--items", "20", "--clusters", "2", "--output", out.toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains("is not empty") && again.err().contains("--overwrite"), again.err());

    CliRun overwrite = run("generate", "--users", "60", "--items", "20", "--clusters", "2", "--output", out.toString(),
        "--overwrite");
    assertEquals(0, overwrite.code(), overwrite.err());
    JsonNode m2 = Manifest.JSON.readTree(out.resolve(RunOutput.MANIFEST).toFile());
    assertEquals("60", m2.get("config").get("users").asText());
  }

  @Test
  void anOutputOverAnInputOrOverOtherFilesIsRefusedBeforeAnythingIsDeleted() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path ratings = Files.writeString(data.resolve("ratings.csv"), "user,item,value\nu1,i1,5\nu2,i1,3\n");
    CliRun over = run("ingest", "--input", data.toString(), "--output", data.toString(), "--overwrite");
    assertEquals(2, over.code(), over.err());
    assertTrue(over.err().contains("holds the input --input"), over.err());
    CliRun above = run("ingest", "--input", ratings.toString(), "--output", data.toString(), "--overwrite");
    assertEquals(2, above.code(), above.err());
    CliRun inside = run("ingest", "--input", data.toString(), "--output", data.resolve("out").toString());
    assertEquals(2, inside.code(), inside.err());
    assertTrue(inside.err().contains("is inside the input --input"), inside.err());
    assertEquals(List.of("ratings.csv"), names(data), "the input folder is untouched");

    Path foreign = Files.createDirectories(dir.resolve("foreign").resolve("report"));
    Files.writeString(foreign.resolve("important.txt"), "keep me");
    CliRun overwrite = run("generate", "--users", "20", "--items", "10", "--clusters", "2", "--output",
        foreign.getParent().toString(), "--overwrite");
    assertEquals(2, overwrite.code(), overwrite.err());
    assertTrue(overwrite.err().contains("holds no run of this tool"), overwrite.err());
    CliRun report = runWithoutSpark("report", "--run", foreign.getParent().toString());
    assertEquals(2, report.code(), report.err());
    assertTrue(report.err().contains("holds no manifest.json"), report.err());
    // the base folder of dated runs (an audit's --output) points at its newest run
    Files.writeString(foreign.getParent().resolve("LATEST"), "2026-11-29T01-02-03Z\n");
    CliRun dated = runWithoutSpark("report", "--run", foreign.getParent().toString());
    assertEquals(2, dated.code(), dated.err());
    assertTrue(dated.err().contains("it is the base folder of dated runs (an audit's --output): give one of its runs, "
        + "e.g. the newest, " + foreign.getParent().resolve("2026-11-29T01-02-03Z")), dated.err());
    assertTrue(Files.exists(foreign.resolve("important.txt")), "a folder this tool did not write is never deleted");
  }

  @Test
  void aPathWhoseFileSystemIsNotOnTheClasspathIsAUsageError() {
    // s3a:// needs hadoop-aws, which this project does not ship: the user's setup, exit 2, with the fix
    CliRun r = run("similarity", "--embeddings", "s3a://no-bucket/e.csv", "--output", dir.resolve("s3").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: no file system for a path of this run here") && r.err().contains("hadoop-aws"),
        r.err());
  }

  @Test
  void missingInputsAreAllNamedBeforeTheOutputFolderIsCreated() {
    Path out = dir.resolve("sim");
    CliRun r = run("similarity", "--embeddings", dir.resolve("items.csv").toString(), "--user-embeddings",
        dir.resolve("users.csv").toString(), "--output", out.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: inputs --embeddings " + dir.resolve("items.csv") + ", --user-embeddings "
        + dir.resolve("users.csv") + " do not exist"), r.err());
    assertFalse(Files.exists(out), "no failed run is left behind for the corrected rerun to --overwrite");
  }

  @Test
  void anOptionThatExplicitFeedbackWouldIgnoreIsAnError() {
    CliRun alpha = runWithoutSpark("sweep", "--input", "x.csv", "--alpha", "0,1");
    assertEquals(2, alpha.code(), alpha.err());
    assertTrue(alpha.err().startsWith("error: 'alpha' (0,1) applies to implicit feedback only"), alpha.err());
  }

  private static List<String> names(Path folder) throws java.io.IOException {
    try (var files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void csvFormatWritesHeaderedCsv() throws Exception {
    Path out = dir.resolve("csv");
    CliRun r = run("generate", "--users", "20", "--items", "10", "--clusters", "2", "--format", "csv",
        "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    Path part = Files.list(out.resolve("items")).filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
    assertEquals("item,cluster,popularity", Files.readAllLines(part).get(0));
  }

  @Test
  void inputErrorThrownInsideSparkIsFoundInTheCauseChain() {
    RuntimeException cause = new org.cosineaudit.run.InputException("file x line 3: bad");
    RuntimeException wrapped = new RuntimeException("Job aborted", new RuntimeException("stage failed", cause));
    assertEquals(cause, Main.userFacing(wrapped));
    assertEquals(null, Main.userFacing(new IllegalStateException("bug")));
  }
}
