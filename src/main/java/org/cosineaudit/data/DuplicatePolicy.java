package org.cosineaudit.data;

import java.util.List;
import java.util.Locale;

/**
 * What ingestion does with several rows for the same (user, item) pair.
 *
 * <p>Default: {@link #ERROR} for explicit ratings (two ratings of one movie by one user are
 * a data problem to look at), {@link #SUM} for implicit feedback (several log rows of plays
 * or clicks of one pair add up to its weight, which is what implicit ALS expects).
 */
public enum DuplicatePolicy {
  /** Every row of a duplicated pair goes to rejects ({@code duplicate_pair}) and counts against the limit. */
  ERROR,
  /**
   * The last row wins: latest timestamp (missing timestamps count as oldest), then the later
   * file, then the later line. The others go to rejects as {@code superseded_duplicate}
   * (kept for inspection, not counted against {@code max-reject-fraction}: the policy asked for it).
   */
  KEEP_LAST,
  /** One row per pair with the sum of the values and the latest timestamp; the folded rows count as merged. */
  SUM;

  public static final List<String> IDS = List.of("error", "keep-last", "sum");

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static DuplicatePolicy parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** The default for a kind of feedback (see the class comment). */
  public static DuplicatePolicy defaultFor(Feedback feedback) {
    return feedback == Feedback.EXPLICIT ? ERROR : SUM;
  }
}
