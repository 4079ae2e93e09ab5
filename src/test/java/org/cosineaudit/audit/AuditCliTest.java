package org.cosineaudit.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cosineaudit.audit.Snapshots.Vec;
import org.cosineaudit.cli.Main;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.CliRun;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit through the command line: exit codes 0 / 1 / 2, dated folders, LATEST. */
class AuditCliTest {

  @TempDir Path dir;

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private static List<Path> runFolders(Path base) throws Exception {
    try (Stream<Path> s = Files.list(base)) {
      return s.filter(Files::isDirectory).sorted().toList();
    }
  }

  @Test
  void passThenFailKeepBothAuditsInDatedFoldersAndLatestNamesTheNewest() throws Exception {
    String good = Snapshots.write(SparkTestSession.get(), Snapshots.gaussian(150, 8, 11), dir.resolve("good"));
    List<Vec> broken = new ArrayList<>(Snapshots.gaussian(150, 8, 11));
    float[] nan = Snapshots.filled(8, 1f);
    nan[0] = Float.NaN;
    broken.add(new Vec("broken", nan));
    String bad = Snapshots.write(SparkTestSession.get(), broken, dir.resolve("bad"));
    Path base = dir.resolve("audits");

    CliRun pass = run("audit", "--embeddings", good, "--output", base.toString());
    assertEquals(0, pass.code(), pass.err() + pass.out());
    assertTrue(pass.out().contains("audit: PASS"), pass.out());
    List<Path> afterFirst = runFolders(base);
    assertEquals(1, afterFirst.size());
    Path first = afterFirst.get(0);
    assertTrue(first.getFileName().toString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ"), first.toString());
    assertEquals(first.getFileName().toString(), Files.readString(base.resolve(OutputSpec.LATEST)).trim());
    String firstSummary = Files.readString(first.resolve(AuditJob.SUMMARY));
    JsonNode s1 = Manifest.JSON.readTree(firstSummary);
    assertEquals("PASS", s1.get("overall").asText());
    assertEquals(0, s1.get("exit_code").asInt());

    waitForNextSecond(first);
    CliRun fail = run("audit", "--embeddings", bad, "--output", base.toString());
    assertEquals(1, fail.code(), fail.err() + fail.out());
    assertTrue(fail.out().contains("FAIL integrity.non-finite"), fail.out());
    List<Path> afterSecond = runFolders(base);
    assertEquals(2, afterSecond.size(), afterSecond.toString());
    Path second = afterSecond.get(1);
    // the earlier audit is untouched; the failed one is complete with every output
    assertEquals(firstSummary, Files.readString(first.resolve(AuditJob.SUMMARY)));
    assertTrue(Files.exists(second.resolve(RunOutput.COMPLETE_MARKER)));
    assertTrue(Files.isDirectory(second.resolve(AuditJob.CHECKS)));
    assertTrue(Files.isDirectory(second.resolve(IntegrityChecks.OFFENDERS)));
    JsonNode s2 = Manifest.JSON.readTree(second.resolve(AuditJob.SUMMARY).toFile());
    assertEquals("FAIL", s2.get("overall").asText());
    assertEquals(1, s2.get("exit_code").asInt());
    boolean nonFiniteFailed = false;
    for (JsonNode c : s2.get("checks")) {
      nonFiniteFailed |= c.get("name").asText().equals("integrity.non-finite") && c.get("status").asText().equals("FAIL");
    }
    assertTrue(nonFiniteFailed, s2.toString());
    assertEquals(second.getFileName().toString(), Files.readString(base.resolve(OutputSpec.LATEST)).trim());
  }

  @Test
  void missingFileAndUnusableSchemaExitTwoNamingTheFileAndLeaveLatestAlone() throws Exception {
    Path base = dir.resolve("audits");
    String missing = dir.resolve("no-such-embeddings").toString();
    CliRun r = run("audit", "--embeddings", missing, "--output", base.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(missing), r.err());
    assertFalse(Files.exists(base), "a missing input is found before any folder is created");

    Path wrong = dir.resolve("wrong.csv");
    Files.writeString(wrong, "name,score\na,1\nb,2\n");
    CliRun schema = run("audit", "--embeddings", wrong.toString(), "--output", base.toString());
    assertEquals(2, schema.code(), schema.err());
    assertTrue(schema.err().contains(wrong.toString()) && schema.err().contains("CSV embeddings need the header id"),
        schema.err());
    assertFalse(Files.exists(base.resolve(OutputSpec.LATEST)), "no complete audit: nothing to point at");
    for (Path p : runFolders(base)) {
      assertFalse(Files.exists(p.resolve(RunOutput.COMPLETE_MARKER)), p + " must not look complete");
    }
  }

  @Test
  void warningAfterFailureLevelIsAUsageErrorBeforeSparkStarts() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"audit", "--embeddings", "x", "--max-mean-cosine", "0.9,0.5"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
          throw new AssertionError("Spark must not start on a usage error");
        });
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("max-mean-cosine"), err.toString());
  }

  /** Dated folders have second resolution: make sure the next run cannot start in the same second. */
  private static void waitForNextSecond(Path previousRun) throws InterruptedException {
    String name = previousRun.getFileName().toString();
    while (OutputSpecNames.now().compareTo(name) <= 0) {
      Thread.sleep(50);
    }
  }

  /** The dated folder name a run started now would get. */
  static final class OutputSpecNames {
    static String now() {
      return Path.of(OutputSpec.dated("b", org.cosineaudit.io.TableFormat.PARQUET, java.time.Instant.now()).path())
          .getFileName().toString();
    }
  }
}
