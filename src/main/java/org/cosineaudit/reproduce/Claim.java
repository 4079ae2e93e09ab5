package org.cosineaudit.reproduce;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One checked claim of the paper: a measured number, a threshold, and whether the measurement
 * is on the claimed side of it. {@code status} is "pass", "fail", or "skipped" (with the
 * reason in {@code detail}) when the run cannot measure it (e.g. no ground truth).
 *
 * @param id claim number and letter from issue 6, e.g. "1a"
 * @param claim what is claimed, in words
 * @param measure what {@code measured} is
 * @param measured the number (NaN when skipped)
 * @param comparison how measured is compared to threshold
 * @param threshold the bound
 * @param status pass, fail or skipped
 * @param detail supporting numbers (per pair, per variant), free form
 */
public record Claim(String id, String claim, String measure, double measured, Comparison comparison, double threshold,
    String status, Map<String, Object> detail) {

  /** How a measurement is held against its threshold. */
  public enum Comparison {
    AT_MOST("<="), AT_LEAST(">="), BELOW("<"), ABOVE(">");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    boolean holds(double measured, double threshold) {
      return switch (this) {
        case AT_MOST -> measured <= threshold;
        case AT_LEAST -> measured >= threshold;
        case BELOW -> measured < threshold;
        case ABOVE -> measured > threshold;
      };
    }
  }

  public Claim {
    detail = detail == null ? Map.of() : new LinkedHashMap<>(detail);
  }

  /** A measured claim: status from the comparison (NaN fails). */
  public static Claim measured(String id, String claim, String measure, double measured, Comparison comparison,
      double threshold, Map<String, Object> detail) {
    boolean ok = !Double.isNaN(measured) && comparison.holds(measured, threshold);
    return new Claim(id, claim, measure, measured, comparison, threshold, ok ? "pass" : "fail", detail);
  }

  /** A claim this run cannot measure, and why. */
  public static Claim skipped(String id, String claim, String measure, String reason) {
    return new Claim(id, claim, measure, Double.NaN, Comparison.AT_MOST, Double.NaN, "skipped",
        Map.of("reason", reason));
  }

  public boolean passed() {
    return status.equals("pass");
  }

  /** The JSON object of claims.json (NaN as null, comparison as its symbol). */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("claim", claim);
    m.put("measure", measure);
    m.put("measured", Double.isFinite(measured) ? measured : null);
    m.put("comparison", comparison.symbol());
    m.put("threshold", Double.isFinite(threshold) ? threshold : null);
    m.put("status", status);
    m.put("detail", detail);
    return m;
  }

  /** One line of the claims table printed at the end of the run. */
  public String line() {
    String value = Double.isFinite(measured) ? format(measured) : "-";
    String bound = Double.isFinite(threshold) ? comparison.symbol() + " " + format(threshold) : "";
    return String.format(Locale.ROOT, "  %-4s %-7s %-12s %-12s %s", id, status, value, bound, claim);
  }

  static String format(double v) {
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    return a < 1e-3 || a >= 1e5 ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.4f", v);
  }
}
