package org.cosineaudit.audit;

/**
 * The verdict of one check, ordered from good to bad. {@code WARN} is reported but keeps the
 * exit code 0; any {@code FAIL} makes the audit exit with 1.
 */
public enum Status {
  PASS,
  WARN,
  FAIL;

  /** The worse of two statuses. */
  public Status worst(Status other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
