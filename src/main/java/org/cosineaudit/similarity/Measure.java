package org.cosineaudit.similarity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What "similar" means for two item embeddings. Every measure ranks by a score; higher is
 * more similar.
 */
public enum Measure {
  /** Cosine of the item embeddings. Zero vectors are excluded (and reported), never divided by. */
  COSINE("cosine"),
  /** Dot product of the item embeddings; zero vectors take part (all their scores are 0). */
  DOT("dot"),
  /**
   * Cosine between the items' columns of the predicted score matrix U Vᵀ:
   * {@code q_iᵀ G q_j / sqrt(q_iᵀ G q_i · q_jᵀ G q_j)} with {@code G = UᵀU}. Unchanged by every
   * transform of (U, V) that leaves U Vᵀ unchanged (the paper's remedy 2). Needs user factors.
   */
  SCORE_COSINE("score-cosine"),
  /** Cosine after subtracting the mean item embedding (computed over all items). */
  CENTERED_COSINE("centered-cosine");

  /** Every id, in declaration order (for option choices and help). */
  public static final List<String> IDS;

  static {
    List<String> ids = new ArrayList<>();
    for (Measure m : values()) {
      ids.add(m.id);
    }
    IDS = List.copyOf(ids);
  }

  private final String id;

  Measure(String id) {
    this.id = id;
  }

  /** The id used on the command line and in output paths, e.g. {@code score-cosine}. */
  public String id() {
    return id;
  }

  /** True for the measures that divide by a norm (zero-norm vectors are excluded from them). */
  public boolean normalizes() {
    return this != DOT;
  }

  /** True when the measure needs user factors. */
  public boolean needsUserFactors() {
    return this == SCORE_COSINE;
  }

  /** Parses an id ({@code cosine}, {@code dot}, {@code score-cosine}, {@code centered-cosine}). */
  public static Measure parse(String id) {
    String v = id.trim().toLowerCase(Locale.ROOT);
    for (Measure m : values()) {
      if (m.id.equals(v)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown measure '" + id + "'; expected one of " + String.join(", ", IDS));
  }
}
