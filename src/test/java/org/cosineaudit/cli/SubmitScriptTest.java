package org.cosineaudit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/** submit.sh's own argument errors: exit 2 with a one-line error and usage, before any build or JVM. */
class SubmitScriptTest {

  private static String[] runScript(String... args) throws Exception {
    Path script = SparkTestSession.projectDir().resolve("submit.sh");
    String[] cmd = new String[args.length + 1];
    cmd[0] = script.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "submit.sh did not return");
    return new String[] {Integer.toString(p.exitValue()), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)};
  }

  @Test
  void masterWithoutUrlIsAUsageError() throws Exception {
    String[] r = runScript("--master");
    assertEquals("2", r[0]);
    assertTrue(r[1].startsWith("error: --master needs a URL\nusage: ./submit.sh"), r[1]);
  }

  @Test
  void confWithoutKeyValueIsAUsageError() throws Exception {
    String[] r = runScript("--conf", "novalue", "demo");
    assertEquals("2", r[0]);
    assertTrue(r[1].startsWith("error: --conf needs key=value"), r[1]);
  }
}
