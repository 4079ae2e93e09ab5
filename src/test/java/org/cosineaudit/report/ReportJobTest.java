package org.cosineaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cosineaudit.cli.Main;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

class ReportJobTest {

  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), SparkTestSession::get);
    return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void reportJobRendersARunAndCanRenderItAgain() throws Exception {
    Path dir = SparkTestSession.tempDir("report-job");
    SyntheticRun.manifest(dir, "generate");
    SyntheticRun.reproduce(dir.resolve("reproduce"));
    SyntheticRun.neighbours(SparkTestSession.get(), dir.resolve("neighbours").resolve("cosine"), 0);
    String[] first = run("report", "--run", dir.toString());
    assertEquals("0", first[0], first[2]);
    assertTrue(first[1].contains("report: 3 sections (reproduce, neighbours, run), 1 figures"), first[1]);
    Path report = dir.resolve("report");
    String page = Files.readString(report.resolve("index.html"));
    // the default sample: 4 items chosen by a fixed hash of their id
    assertEquals(4, page.split("<table class=\"neighbours\">", -1).length - 1, "sample items");
    assertTrue(Files.exists(report.resolve(RunOutput.COMPLETE_MARKER)), "the report folder is a complete run");
    // the report folder is derived: rendering again replaces it without --overwrite
    String[] again = run("report", "--run", dir.toString(), "--sample-items", "0");
    assertEquals("0", again[0], again[2]);
  }

  @Test
  void aReportTheRunRenderedItselfIsRenderedAgainWithoutOverwrite() throws Exception {
    // demo, sweep, reproduce and audit render RUN/report as they finish, with no manifest of its own
    Path dir = SparkTestSession.tempDir("report-job-again");
    SyntheticRun.manifest(dir, "similarity");
    SyntheticRun.neighbours(SparkTestSession.get(), dir.resolve("neighbours").resolve("cosine"), 0);
    Report.write(SparkTestSession.get(), dir.toString());
    Files.writeString(dir.resolve("report").resolve("notes.txt"), "the user's own file");
    String[] r = run("report", "--run", dir.toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(Files.exists(dir.resolve("report").resolve(RunOutput.COMPLETE_MARKER)));
    assertTrue(Files.exists(dir.resolve("report").resolve("notes.txt")), "only the report's own files are replaced");
  }

  @Test
  void missingRunFolderExitsWithCodeTwoNamingIt() {
    String[] r = run("report", "--run", "/nonexistent/cosine-audit-run");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("/nonexistent/cosine-audit-run"), r[2]);
  }

  @Test
  void missingMetadataFileIsAnInputError() throws Exception {
    Path dir = SparkTestSession.tempDir("report-job-meta");
    SyntheticRun.manifest(dir, "similarity");
    String[] r = run("report", "--run", dir.toString(), "--metadata", dir.resolve("no-such-movies.csv").toString());
    assertEquals("2", r[0], r[1] + r[2]);
    assertTrue(r[2].contains("no-such-movies.csv"), r[2]);
  }
}
