package org.cosineaudit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/**
 * The report rendered by a real browser: Debian's {@code chromium}, headless. Skipped (not
 * failed) when chromium is not installed or cannot start; {@code .ci/run} installs it.
 *
 * <p>Method: a harness page (outside the report folder, so the report is tested unmodified)
 * loads {@code index.html} in an iframe; {@code --allow-file-access-from-files} lets its
 * script read the iframe's DOM once the iframe's load event fired (which waits for every
 * image). It writes a JSON verdict into its own DOM, which {@code --dump-dom} prints:
 * images found, images that did not decode ({@code naturalWidth == 0}), script elements,
 * and whether the XSS probe title is present as text. Console messages of both pages
 * (script errors, Content-Security-Policy violations) are logged by
 * {@code --enable-logging=stderr --v=0} as {@code CONSOLE} lines; the report has no script,
 * so any such line is a failure.
 */
class ReportBrowserTest {

  private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "chromium");

  @Test
  void reportLoadsInHeadlessChromiumWithoutErrorsAndEveryImageLoads() throws Exception {
    Path tmp = SparkTestSession.tempDir("report-browser");
    assumeTrue(chromiumRuns(tmp), "chromium is not installed or cannot start here (.ci/run installs it)");

    Report.Result r = SyntheticRun.rendered().result();
    assertEquals(List.of(), r.problems());
    Path index = Path.of(r.index());

    Path harness = tmp.resolve("check.html");
    Files.writeString(harness, HARNESS.replace("INDEX_URL", index.toUri().toString()));
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-extensions", "--user-data-dir=" + tmp.resolve("profile"), "--allow-file-access-from-files",
        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", harness.toUri().toString()));
    Path out = tmp.resolve("stdout.txt");
    Path err = tmp.resolve("stderr.txt");
    int code = run(cmd, out, err, 90);
    String dom = Files.readString(out);
    String log = Files.readString(err);
    assertEquals(0, code, "chromium exit code; stderr:\n" + log);

    List<String> console = log.lines().filter(l -> l.contains(":CONSOLE")).toList();
    assertEquals(List.of(), console, "console messages while loading the report");

    int at = dom.indexOf("RESULT ");
    assertTrue(at >= 0 && !dom.contains("RESULT pending"), "the harness did not finish:\n" + dom);
    String json = dom.substring(at + "RESULT ".length(), dom.indexOf("</pre>", at))
        .replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    JsonNode v = Manifest.JSON.readTree(json);
    assertTrue(v.path("error").isMissingNode(), "harness error: " + v);
    assertEquals(r.figures().size(), v.path("images").asInt(), "images on the page: " + v);
    assertEquals(0, v.path("broken").size(), "images that did not load: " + v.path("broken"));
    assertEquals(0, v.path("scripts").asInt(), "script elements in the report");
    assertTrue(v.path("xssAsText").asBoolean(), "the <script> title shows as text: " + v);
    assertTrue(v.path("sections").asInt() >= 9, "sections rendered: " + v);
    assertNotNull(v.path("title").asText());
  }

  /** Starts chromium once ({@code --version}); false when it is missing or fails. */
  private static boolean chromiumRuns(Path tmp) {
    try {
      return run(List.of(CHROMIUM, "--version"), tmp.resolve("version.txt"), tmp.resolve("version-err.txt"), 30) == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static int run(List<String> cmd, Path out, Path err, int seconds) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError(cmd.get(0) + " did not finish within " + seconds + " s");
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  // '</scr' + 'ipt>' : the probe string must not close the harness's own script element
  private static final String HARNESS = """
      <!DOCTYPE html><html><head><meta charset="utf-8"><title>report check</title></head><body>
      <pre id="result">RESULT pending</pre>
      <iframe id="report" src="INDEX_URL" width="1280" height="900"></iframe>
      <script>
      document.getElementById('report').addEventListener('load', function () {
        var r = {};
        try {
          var d = this.contentDocument;
          var imgs = Array.prototype.slice.call(d.images);
          r.title = d.title;
          r.images = imgs.length;
          r.broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
              .map(function (i) { return i.getAttribute('src'); });
          r.scripts = d.getElementsByTagName('script').length;
          r.xssAsText = d.body.textContent.indexOf('<scr' + 'ipt>alert(1)</scr' + 'ipt>') >= 0;
          r.sections = d.getElementsByTagName('section').length;
        } catch (e) {
          r.error = String(e);
        }
        document.getElementById('result').textContent = 'RESULT ' + JSON.stringify(r);
      });
      </script></body></html>
      """;
}
