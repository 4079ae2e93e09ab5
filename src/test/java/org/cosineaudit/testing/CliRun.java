package org.cosineaudit.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.cosineaudit.cli.Main;

/**
 * One command line run through {@link Main#run} on the shared test session: its exit code and
 * what it printed to stdout and stderr.
 */
public record CliRun(int code, String out, String err) {

  /** Runs {@code args} as {@code ./submit.sh} would, on {@link SparkTestSession}. */
  public static CliRun of(String... args) {
    return run(args, true);
  }

  /** Runs {@code args} and fails if the command line asks for Spark (usage errors must not). */
  public static CliRun withoutSpark(String... args) {
    return run(args, false);
  }

  private static CliRun run(String[] args, boolean sparkAllowed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
          if (!sparkAllowed) {
            throw new AssertionError("usage errors must be reported before Spark starts");
          }
          return SparkTestSession.get();
        });
    return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
