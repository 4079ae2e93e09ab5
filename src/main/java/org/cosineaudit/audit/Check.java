package org.cosineaudit.audit;

import java.util.Locale;

/**
 * The result of one audit check: a measured value compared with a warning and a failure
 * level.
 *
 * @param name stable id, e.g. {@code integrity.non-finite}; alerting keys on it
 * @param group {@code integrity}, {@code geometry}, {@code drift} or {@code meaning}
 * @param value the measured value (a fraction, a correlation, a mean agreement, ...)
 * @param bound how the value is compared with the levels
 * @param warn the level beyond which the check warns
 * @param threshold the level beyond which the check fails
 * @param status PASS, WARN or FAIL
 * @param detail one human line: counts, example ids, what the value means
 */
public record Check(String name, String group, double value, Bound bound, double warn, double threshold,
    Status status, String detail) {

  /** Which side of the levels is bad. */
  public enum Bound {
    /** Larger values are worse: warn when value > warn, fail when value > threshold. */
    AT_MOST,
    /** Smaller values are worse: warn when value < warn, fail when value < threshold. */
    AT_LEAST,
    /** Larger magnitudes are worse (correlations of either sign). */
    ABS_AT_MOST;

    Status judge(double value, double warn, double fail) {
      if (Double.isNaN(value)) {
        // a value that could not be computed is never a silent pass
        return Status.WARN;
      }
      return switch (this) {
        case AT_MOST -> value > fail ? Status.FAIL : value > warn ? Status.WARN : Status.PASS;
        case AT_LEAST -> value < fail ? Status.FAIL : value < warn ? Status.WARN : Status.PASS;
        case ABS_AT_MOST -> Math.abs(value) > fail ? Status.FAIL : Math.abs(value) > warn ? Status.WARN : Status.PASS;
      };
    }

    String symbol() {
      return switch (this) {
        case AT_MOST -> "<=";
        case AT_LEAST -> ">=";
        case ABS_AT_MOST -> "|x| <=";
      };
    }
  }

  /** A check whose status follows from the value and the two levels. */
  public static Check judged(String name, String group, double value, Bound bound, double warn, double fail,
      String detail) {
    return new Check(name, group, value, bound, warn, fail, bound.judge(value, warn, fail), detail);
  }

  /**
   * A check whose value cannot be judged against its levels here (too few vectors, a k that
   * covers every item): a WARN with the reason in {@code detail}, never a silent pass, as for a
   * value that could not be computed.
   */
  public static Check notJudged(String name, String group, double value, Bound bound, double warn, double fail,
      String detail) {
    return new Check(name, group, value, bound, warn, fail, Status.WARN, detail);
  }

  /** One line for the console: {@code FAIL integrity.non-finite = 0.003 (fail beyond <= 0): ...}. */
  public String line() {
    return String.format(Locale.ROOT, "%-4s %-34s %10.4g  (warn %s %s, fail %s %s)  %s", status, name, value,
        bound.symbol(), num(warn), bound.symbol(), num(threshold), detail);
  }

  private static String num(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e12 ? Long.toString((long) d) : String.format(Locale.ROOT, "%.4g", d);
  }
}
