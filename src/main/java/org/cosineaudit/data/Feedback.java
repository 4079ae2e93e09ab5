package org.cosineaudit.data;

import java.util.Locale;

/** What the interaction values mean. */
public enum Feedback {
  /** Ratings (any finite number, negative allowed); ALS in explicit mode. */
  EXPLICIT,
  /** Weights or counts (finite, {@code >= 0}); ALS in implicit mode (confidence = 1 + alpha * value). */
  IMPLICIT;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Feedback parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }
}
