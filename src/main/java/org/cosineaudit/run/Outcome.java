package org.cosineaudit.run;

import java.util.List;

/**
 * What a job run ended with: an exit code and the lines the CLI prints at the end.
 *
 * @param exitCode {@link ExitCode}
 * @param status short status recorded in the manifest ("ok", "checks failed")
 * @param lines human summary, printed after the run
 */
public record Outcome(ExitCode exitCode, String status, List<String> lines) {

  public Outcome {
    lines = List.copyOf(lines);
  }

  public static Outcome ok(List<String> lines) {
    return new Outcome(ExitCode.OK, "ok", lines);
  }

  public static Outcome checksFailed(List<String> lines) {
    return new Outcome(ExitCode.CHECK_FAILED, "checks failed", lines);
  }
}
