package org.cosineaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.run.InputException;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReportTest {

  static SparkSession spark;
  static Path run;
  static Report.Result result;
  static String html;

  @BeforeAll
  static void renderFullRun() throws IOException {
    spark = SparkTestSession.get();
    SyntheticRun.Rendered r = SyntheticRun.rendered();
    run = r.run();
    result = r.result();
    html = Files.readString(Path.of(result.index()));
  }

  @Test
  void fullRunHasEverySectionItsOutputsCallFor() {
    assertEquals(List.of("sweep", "stability", "stability-lambda", "accuracy-stability",
        "stability-popularity", "reproduce", "gauge", "audit", "neighbours", "run"), result.sections());
    assertEquals(List.of(), result.problems());
    for (String id : result.sections()) {
      assertTrue(html.contains("<section id=\"" + id + "\">"), id);
    }
  }

  @Test
  void everyFigureIsAReadablePngBesideThePage() throws IOException {
    // sweep accuracy, stability vs λ, accuracy vs stability, by popularity, reproduce copy,
    // gauge agreement per draw, gauge per-item jaccard distribution
    assertEquals(7, result.figures().size(), result.figures().toString());
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    int images = 0;
    while (m.find()) {
      Path png = run.resolve("report").resolve(m.group(1));
      BufferedImage img = ImageIO.read(png.toFile());
      assertNotNull(img, png.toString());
      assertTrue(img.getWidth() >= 40 && img.getHeight() >= 40, png.toString());
      images++;
    }
    assertEquals(result.figures().size(), images);
  }

  @Test
  void dataTextIsEscapedAndThePageHasNoScriptOrExternalUrl() {
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; (3)"), "XSS title shown as text");
    assertFalse(html.toLowerCase().contains("<script"), "no script element at all");
    assertTrue(html.contains("&lt;b&gt;not bold&lt;/b&gt;"), "config values escaped");
    assertTrue(html.contains("cluster precision &lt;i&gt;@10&lt;/i&gt;"), "claims escaped");
    assertTrue(html.contains("Heat, The &quot;Best&quot; (1995) (5)"), "quoted CSV title parsed and escaped");
    assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "no external resource");
    assertTrue(html.contains("Content-Security-Policy"));
  }

  @Test
  void summaryAtTheTopGivesEachSectionsHeadlineWithItsStatus() {
    int summary = html.indexOf("<section id=\"summary\">");
    assertTrue(summary > 0 && summary < html.indexOf("<section id=\"sweep\">"), "summary first");
    assertTrue(html.contains("<tr class=\"info\"><th><a href=\"#sweep\">Regularization sweep</a></th>"
        + "<td>3 models; best held-out RMSE 0.9 (model m-reg0.01-s1, λ 0.01)</td></tr>"), "sweep headline");
    assertTrue(html.contains("<tr class=\"fail\"><th><a href=\"#reproduce\">"), "a failed claim makes it red");
    assertTrue(html.contains("audit/2026-11-29T01-00-00Z/summary.json: fail (2 checks: 1 pass, 0 warn, 1 fail)"));
    assertTrue(html.contains("cosine mean rbo_ext 0.4 to 1; score-cosine mean rbo_ext 1 to 1 under 3 transforms"),
        "gauge headline");
    assertTrue(html.contains("<tr class=\"pass\"><th><a href=\"#run\">Run and configuration</a></th><td>demo: ok in"));
  }

  @Test
  void tablesShowTheRunsNumbers() {
    // sweep: training time from model.json; audit and claims verdicts
    assertTrue(html.contains("training seconds (model.json)"));
    assertTrue(html.contains("1 of 2 claims pass, 1 fail"));
    assertTrue(html.contains("2 checks: 1 pass, 1 fail"));
    assertTrue(html.contains("<tr class=\"fail\">"));
    // neighbours: cluster labels from the generate run's items table; shared neighbours bold
    assertTrue(html.contains("[cluster 3]"));
    assertTrue(html.contains("<td class=\"shared\">"));
    // stability pair table: jaccard of the first pair as mean [ci]
    assertTrue(html.contains("0.5 [0.45, 0.55]"), "pair table");
  }

  @Test
  void runWithOnlyAManifestGetsOnlyTheRunSection() throws IOException {
    Path small = SparkTestSession.tempDir("report-small");
    SyntheticRun.manifest(small, "generate");
    Report.Result r = Report.write(spark, small.toString());
    assertEquals(List.of("run"), r.sections());
    assertEquals(List.of(), r.figures());
    String page = Files.readString(Path.of(r.index()));
    assertFalse(page.contains("id=\"sweep\""));
  }

  @Test
  void aBrokenOutputIsReportedOnThePageWhileTheRestRenders() throws IOException {
    Path dir = SparkTestSession.tempDir("report-broken");
    SyntheticRun.manifest(dir, "reproduce");
    Files.writeString(dir.resolve("claims.json"), "{ not json");
    SyntheticRun.audit(dir.resolve("audit"));
    Report.Result r = Report.write(spark, dir.toString());
    assertTrue(r.sections().containsAll(List.of("run", "reproduce", "audit")), r.sections().toString());
    assertEquals(1, r.problems().size(), r.problems().toString());
    assertTrue(r.problems().get(0).contains("claims.json"), r.problems().get(0));
    assertTrue(Files.readString(Path.of(r.index())).contains("class=\"problem\""));
  }

  @Test
  void renderingAgainReplacesTheFigures() throws IOException {
    Path dir = SparkTestSession.tempDir("report-again");
    Files.createDirectories(dir.resolve("report"));
    Files.writeString(dir.resolve("report").resolve("fig-99-stale.png"), "stale");
    SyntheticRun.manifest(dir, "generate");
    Report.write(spark, dir.toString());
    assertFalse(Files.exists(dir.resolve("report").resolve("fig-99-stale.png")));
  }

  @Test
  void missingRunFolderIsAnInputErrorNamingIt() {
    InputException e = assertThrows(InputException.class, () -> Report.write(spark, "/nonexistent/run-42"));
    assertTrue(e.getMessage().contains("/nonexistent/run-42"), e.getMessage());
  }
}
