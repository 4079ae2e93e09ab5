package org.cosineaudit.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cosineaudit.data.Feedback;

/**
 * The grid of a sweep: every combination of rank, alpha, seed and regularization for one
 * feedback model. Lists keep the user's order; {@link #specs()} enumerates rank, then alpha,
 * then seed, then reg (reg varies fastest, so a sweep's first models already span the
 * regularization range of the first rank and seed).
 *
 * @param feedback explicit or implicit (one per sweep: the metrics differ)
 * @param ranks ranks (>= 1), at least one
 * @param regs regularization values (>= 0), at least one
 * @param alphas implicit confidence slopes; ignored for explicit feedback
 * @param seeds initialization seeds, at least one
 * @param nonnegative non-negative factors for every model
 * @param maxIter ALS iterations for every model
 */
public record TrainingGrid(Feedback feedback, List<Integer> ranks, List<Double> regs, List<Double> alphas,
    List<Long> seeds, boolean nonnegative, int maxIter) {

  public TrainingGrid {
    ranks = List.copyOf(ranks);
    regs = List.copyOf(regs);
    alphas = feedback == Feedback.EXPLICIT ? List.of(0.0) : List.copyOf(alphas);
    seeds = List.copyOf(seeds);
    requireNonEmpty("rank", ranks);
    requireNonEmpty("reg", regs);
    requireNonEmpty("alpha", alphas);
    requireNonEmpty("seeds", seeds);
    Set<String> ids = new HashSet<>();
    for (ModelSpec s : enumerate(feedback, ranks, regs, alphas, seeds, nonnegative, maxIter)) {
      if (!ids.add(s.id())) {
        throw new IllegalArgumentException("the grid holds model " + s.id() + " twice; remove the duplicate value");
      }
    }
  }

  /** Every model of the grid, in a fixed order (see the type's javadoc). */
  public List<ModelSpec> specs() {
    return enumerate(feedback, ranks, regs, alphas, seeds, nonnegative, maxIter);
  }

  private static List<ModelSpec> enumerate(Feedback feedback, List<Integer> ranks, List<Double> regs,
      List<Double> alphas, List<Long> seeds, boolean nonnegative, int maxIter) {
    List<ModelSpec> out = new ArrayList<>();
    for (int rank : ranks) {
      for (double alpha : alphas) {
        for (long seed : seeds) {
          for (double reg : regs) {
            out.add(new ModelSpec(feedback, rank, reg, alpha, seed, nonnegative, maxIter));
          }
        }
      }
    }
    return out;
  }

  private static void requireNonEmpty(String what, List<?> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("the grid needs at least one " + what + " value");
    }
  }
}
