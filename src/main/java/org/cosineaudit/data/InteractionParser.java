package org.cosineaudit.data;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cosineaudit.io.DelimitedFields;

/**
 * The plain-Java kernel of ingestion: splits one text line and validates one row's fields
 * into an accepted {@link Parsed} row or a {@link RejectReason}. No Spark; executors run it
 * per line, the tests call it directly.
 *
 * <p>Lines are split by {@link DelimitedFields#split}: fields are trimmed, and a quoted field
 * ({@code ""} inside is a literal quote) may hold the delimiter.
 */
public final class InteractionParser implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final Set<String> NON_FINITE_WORDS = Set.of(
      "nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity");

  /** One row's outcome: the parsed fields, or the reason it was rejected ({@code reason != null}). */
  public record Parsed(String user, String item, double value, Long timestamp, RejectReason reason) {
    static Parsed reject(RejectReason reason) {
      return new Parsed(null, null, Double.NaN, null, reason);
    }

    public boolean ok() {
      return reason == null;
    }
  }

  private final String delimiter;
  private final int fixedFields;
  private final int userCol;
  private final int itemCol;
  private final int valueCol;
  private final int timestampCol;
  private final Feedback feedback;
  private final int needed;

  /**
   * @param delimiter field separator (any non-empty string, e.g. {@code "\t"} or {@code "::"})
   * @param fixedFields the exact field count of a fixed layout (more is {@code extra_field}), or -1
   * @param valueCol -1: no value column, every row has value 1 (implicit feedback only)
   * @param timestampCol -1: no timestamp column
   */
  public InteractionParser(String delimiter, int fixedFields, int userCol, int itemCol, int valueCol,
      int timestampCol, Feedback feedback) {
    if (delimiter == null || delimiter.isEmpty()) {
      throw new IllegalArgumentException("delimiter must be non-empty");
    }
    this.delimiter = delimiter;
    this.fixedFields = fixedFields;
    this.userCol = userCol;
    this.itemCol = itemCol;
    this.valueCol = valueCol;
    this.timestampCol = timestampCol;
    this.feedback = feedback;
    this.needed = Math.max(Math.max(userCol, itemCol), Math.max(valueCol, timestampCol)) + 1;
  }

  /** Parses one data line (not a header, not blank). */
  public Parsed parseLine(String line) {
    List<String> fields = DelimitedFields.split(line, delimiter);
    if (fields == null) {
      return Parsed.reject(RejectReason.UNBALANCED_QUOTE);
    }
    if (fields.size() < needed) {
      return Parsed.reject(RejectReason.MISSING_FIELD);
    }
    if (fixedFields > 0 && fields.size() > fixedFields) {
      return Parsed.reject(RejectReason.EXTRA_FIELD);
    }
    return check(fields.get(userCol), fields.get(itemCol), valueCol < 0 ? null : fields.get(valueCol),
        timestampCol < 0 ? null : fields.get(timestampCol), valueCol >= 0, feedback);
  }

  /**
   * Validates one row's fields (text or Parquet columns rendered as strings).
   *
   * @param value {@code null} or empty is {@code missing_field} when {@code hasValueColumn};
   *     without a value column every row weighs 1
   * @param timestamp {@code null} or empty: no timestamp (the column is nullable)
   */
  public static Parsed check(String user, String item, String value, String timestamp, boolean hasValueColumn,
      Feedback feedback) {
    String u = user == null ? "" : user.trim();
    String i = item == null ? "" : item.trim();
    String v = value == null ? "" : value.trim();
    if (u.isEmpty() || i.isEmpty() || (hasValueColumn && v.isEmpty())) {
      return Parsed.reject(RejectReason.MISSING_FIELD);
    }
    if (!validId(u) || !validId(i)) {
      return Parsed.reject(RejectReason.BAD_ID);
    }
    double parsed = 1.0;
    if (hasValueColumn) {
      if (NON_FINITE_WORDS.contains(v.toLowerCase(Locale.ROOT))) {
        return Parsed.reject(RejectReason.NON_FINITE_VALUE);
      }
      if (!looksNumeric(v)) {
        return Parsed.reject(RejectReason.UNPARSABLE_NUMBER);
      }
      try {
        parsed = Double.parseDouble(v);
      } catch (NumberFormatException e) {
        return Parsed.reject(RejectReason.UNPARSABLE_NUMBER);
      }
      if (!Double.isFinite(parsed)) {
        // e.g. 1e400 overflows to infinity
        return Parsed.reject(RejectReason.NON_FINITE_VALUE);
      }
    }
    Long ts = null;
    String t = timestamp == null ? "" : timestamp.trim();
    if (!t.isEmpty()) {
      ts = parseTimestamp(t);
      if (ts == null) {
        return Parsed.reject(RejectReason.UNPARSABLE_NUMBER);
      }
    }
    if (feedback == Feedback.IMPLICIT && parsed < 0) {
      return Parsed.reject(RejectReason.NEGATIVE_IMPLICIT_WEIGHT);
    }
    return new Parsed(u, i, parsed, ts, null);
  }

  /** Ids are any text without control characters or undecodable bytes, at most {@value RejectReason#MAX_ID_LENGTH} chars. */
  static boolean validId(String id) {
    if (id.length() > RejectReason.MAX_ID_LENGTH) {
      return false;
    }
    for (int k = 0; k < id.length(); k++) {
      char c = id.charAt(k);
      // U+FFFD is what a byte sequence that is not UTF-8 decodes to: the id is garbled
      if (Character.isISOControl(c) || c == '\uFFFD') {
        return false;
      }
    }
    return true;
  }

  /** Digits, sign, point and exponent only: keeps Java's "1d", "0x1p3" and "1_000" out. */
  static boolean looksNumeric(String s) {
    boolean digit = false;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') {
        return false;
      }
    }
    return digit;
  }

  /** Whole seconds (or whatever unit the data uses) as a long; "964982703.0" is accepted; else null. */
  static Long parseTimestamp(String t) {
    if (!looksNumeric(t)) {
      return null;
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      try {
        double d = Double.parseDouble(t);
        if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.0e18) {
          return (long) d;
        }
      } catch (NumberFormatException ignored) {
        // falls through to null
      }
      return null;
    }
  }
}
