package org.cosineaudit.reproduce;

import java.util.Locale;

/**
 * Names of the variants a reproduction compares; they are folder names under
 * {@code factors/}, {@code neighbours/} and file names under {@code figures/}.
 */
final class Variants {

  static final String GROUND_TRUTH = "ground-truth";
  static final String EQ2 = "eq2";
  static final String EQ2_ROTATED = "eq2-rotated";
  static final String FULL_RANK = "eq1-full-rank-b-equals-v";

  private Variants() {}

  /** {@code prefix-lambda-<value>}, the value without a trailing ".0" ("eq2-lambda-100", "eq2-lambda-0.5"). */
  static String lambdaId(String prefix, double lambda) {
    return prefix + "-lambda-" + number(lambda);
  }

  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%s", v);
  }
}
