package org.cosineaudit.train;

import java.util.Locale;

/**
 * How ALS reads the interaction values.
 *
 * <ul>
 *   <li>{@link #EXPLICIT}: values are ratings; ALS fits them on the observed entries only.
 *       Evaluated by RMSE and MAE on the held-out ratings.
 *   <li>{@link #IMPLICIT}: values are counts or strengths; ALS fits preference 1 on the observed
 *       entries and 0 elsewhere, with confidence {@code 1 + alpha * |value|}. Evaluated by
 *       ranking metrics of the top-k recommendations against the held-out items.
 * </ul>
 */
public enum Feedback {
  EXPLICIT,
  IMPLICIT;

  /** "explicit" / "implicit", as in model ids and tables. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
