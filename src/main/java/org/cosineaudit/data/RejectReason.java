package org.cosineaudit.data;

import java.util.Locale;

/**
 * Why an input row went to the {@code rejects} table (column {@code reason} holds {@link #id()}).
 * Every reason except {@link #SUPERSEDED_DUPLICATE} counts against {@code --max-reject-fraction}.
 */
public enum RejectReason {
  /** Fewer fields than the column mapping needs, or an empty user, item or value. */
  MISSING_FIELD,
  /** More fields than a fixed MovieLens layout has (user, item, rating, timestamp). */
  EXTRA_FIELD,
  /** A double quote opened a field and was never closed on that line. */
  UNBALANCED_QUOTE,
  /** The value or timestamp is not a number. */
  UNPARSABLE_NUMBER,
  /** The value is NaN or infinite. */
  NON_FINITE_VALUE,
  /** A negative weight with {@code --feedback implicit} (weights are counts or confidences). */
  NEGATIVE_IMPLICIT_WEIGHT,
  /** An id with control characters, undecodable bytes (U+FFFD) or more than {@value #MAX_ID_LENGTH} characters. */
  BAD_ID,
  /** One of several rows of the same (user, item) pair under {@code --duplicates error}. */
  DUPLICATE_PAIR,
  /** A row replaced by a later one of the same pair under {@code --duplicates keep-last}. */
  SUPERSEDED_DUPLICATE;

  /** Longest id accepted, in characters. */
  public static final int MAX_ID_LENGTH = 256;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for bad input; false for rows set aside by a policy the user chose. */
  public boolean countsAgainstLimit() {
    return this != SUPERSEDED_DUPLICATE;
  }

  public static RejectReason parse(String id) {
    return valueOf(id.trim().toUpperCase(Locale.ROOT));
  }
}
