package org.cosineaudit.run;

/** Exit codes a scheduler can act on. */
public enum ExitCode {
  /** Success; for audits: every check passed. */
  OK(0),
  /** The run finished and wrote all outputs, but a check failed (audit, reproduce). */
  CHECK_FAILED(1),
  /** Usage error or unusable input; the message names the option or file. */
  USAGE_OR_INPUT(2),
  /** An unexpected failure (a bug or an infrastructure problem); see the log. */
  FAILED(3);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
