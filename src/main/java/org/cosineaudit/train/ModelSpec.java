package org.cosineaudit.train;

import java.math.BigDecimal;
import org.cosineaudit.data.Feedback;

/**
 * One point of a sweep grid: the parameters of one ALS model.
 *
 * @param feedback explicit ratings or implicit counts
 * @param rank number of latent factors (>= 1)
 * @param reg ALS {@code regParam} (>= 0); Spark scales it by each user's and item's number of
 *     ratings ("ALS-WR")
 * @param alpha implicit confidence slope ({@code c = 1 + alpha * |r|}); ignored (and 0 in the
 *     id's absence) for explicit feedback
 * @param seed ALS initialization seed; with the block counts it fixes the initial factors
 * @param nonnegative constrain factors to be >= 0
 * @param maxIter number of ALS iterations (ALS always runs all of them)
 */
public record ModelSpec(Feedback feedback, int rank, double reg, double alpha, long seed, boolean nonnegative,
    int maxIter) {

  public ModelSpec {
    if (rank < 1) {
      throw new IllegalArgumentException("rank must be >= 1, got " + rank);
    }
    if (!(reg >= 0) || Double.isInfinite(reg)) {
      throw new IllegalArgumentException("reg must be a finite number >= 0, got " + reg);
    }
    if (!(alpha >= 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha);
    }
    if (maxIter < 1) {
      throw new IllegalArgumentException("maxIter must be >= 1, got " + maxIter);
    }
    if (feedback == Feedback.EXPLICIT) {
      alpha = 0; // unused by explicit ALS; one value keeps ids and comparisons unique
    }
  }

  /**
   * The model's id, stable across runs and usable as a folder name:
   * {@code als-explicit-r16-reg0.1-s0}, {@code als-implicit-r16-reg0.1-a1-s0}, with {@code -nn}
   * appended for non-negative models. The iteration count is a property of the whole sweep and
   * is not part of the id.
   */
  public String id() {
    StringBuilder sb = new StringBuilder("als-").append(feedback.id()).append("-r").append(rank)
        .append("-reg").append(number(reg));
    if (feedback == Feedback.IMPLICIT) {
      sb.append("-a").append(number(alpha));
    }
    sb.append("-s").append(seed);
    if (nonnegative) {
      sb.append("-nn");
    }
    return sb.toString();
  }

  /** Shortest plain decimal: 0.001 -> "0.001", 10.0 -> "10", 1e-7 -> "0.0000001". */
  static String number(double d) {
    if (d == 0) {
      return "0";
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
