package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.blas.BLAS;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The kernel's float pre-selection: candidates are chosen on float scores with a certified margin
 * and only the survivors are rescored in double. These cases fail when the margin is too small
 * (near ties within float rounding, an adversarial BLAS whose errors use the whole rounding bound,
 * non-finite float scores) and show that far fewer candidates are rescored than before.
 */
class BlockScorerMarginTest {

  @Test
  void nearTiesWithinFloatRoundingAndExactTiesKeepTheExactTopK() {
    float[][] v = nearTies(240, 16, 11);
    for (int k : new int[] {1, 5, 17}) {
      assertOneSidedExact(v, 60, k, BLAS.getInstance());
      assertSymmetricExact(v, 60, k, BLAS.getInstance());
    }
  }

  @Test
  void adversarialBlasErrorsUpToTheRoundingBoundNeverChangeTheResult() {
    // the BLAS result of every pair is moved by 80% of the kernel's rounding bound, down for the
    // best k of the call's row and up for the rest: float order is inverted across the k-th score
    float[][] v = nearTies(240, 16, 12);
    for (int k : new int[] {1, 5, 17}) {
      Adversary adversary = new Adversary(k);
      BLAS blas = adversary.blas();
      assertOneSidedExact(v, 60, k, blas);
      assertSymmetricExact(v, 60, k, blas);
      assertTrue(adversary.inversions > 100, "the adversary reordered float scores: " + adversary.inversions);
    }
  }

  @Test
  void nonFiniteFloatScoresTakeTheExactPath() {
    // float overflow can make a GEMM result -inf, +inf or NaN while the exact double score is
    // finite: such a candidate proves nothing and must be rescored, not dropped
    Random rnd = new Random(5);
    float[][] v = new float[150][8];
    for (float[] row : v) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) rnd.nextGaussian();
      }
    }
    for (int k : new int[] {1, 4}) {
      Adversary poison = new Adversary(k);
      poison.poison = true;
      assertOneSidedExact(v, 50, k, poison.blas());
      assertSymmetricExact(v, 50, k, poison.blas());
      assertTrue(poison.poisoned > 0);
    }
  }

  @Test
  void zeroRowsAllTiesAndKAboveTheItemCount() {
    Random rnd = new Random(6);
    float[][] v = new float[45][6];
    for (int i = 0; i < v.length; i++) {
      if (i % 7 != 3) { // rows 3, 10, 17, ... are zero: every score with them is exactly 0
        for (int j = 0; j < 6; j++) {
          v[i][j] = (float) rnd.nextGaussian();
        }
      }
    }
    for (int k : new int[] {1, 3, 44, 45, 50}) {
      assertOneSidedExact(v, 20, k, BLAS.getInstance());
      assertSymmetricExact(v, 20, k, BLAS.getInstance());
    }
    float[][] zeros = new float[30][4]; // all ties: order keys decide
    for (int k : new int[] {2, 29, 31}) {
      assertOneSidedExact(zeros, 8, k, BLAS.getInstance());
      assertSymmetricExact(zeros, 8, k, BLAS.getInstance());
    }
  }

  @Test
  void exactRescoringsPerRowAreAboutKPerTargetBlockNotKLogN() {
    // 2,400 random items in 6 blocks of 400, k = 10. Rescoring every candidate that could still
    // enter the running exact top-k (the kernel before float selection) cost about k·(1 + ln(n/k))
    // per row: measured 52,047 for the one-sided task below (65 per row) and 145,648 for the
    // symmetric one (61 per row). Selecting on float scores and rescoring only the survivors at the
    // end of each block pair costs about k/b per row for the b-th target block (the share of the
    // top-k of b blocks that the b-th holds), k·H(6) = 24.5 per row: measured 19,705 and 59,372.
    Random rnd = new Random(7);
    float[][] v = new float[2400][16];
    for (float[] row : v) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) rnd.nextGaussian();
      }
    }
    int k = 10;
    List<FactorBlock> blocks = BlockScorerTest.pack(v, 400);
    BlockScorer scorer = new BlockScorer(blocks.subList(0, 2), k, 256);
    for (FactorBlock t : blocks) {
      scorer.score(t);
    }
    assertExact(v, blocks.subList(0, 2), scorer.topK(), 0, k, j -> true);
    long rows = 800;
    assertTrue(scorer.rescored() <= rows * 35, "rescored " + scorer.rescored() + " > 35 per row");
    assertTrue(scorer.rescored() >= rows * k, "every kept neighbour is rescored once: " + scorer.rescored());

    // symmetric: one task owns all 6 blocks and scores each unordered pair once, both directions
    BlockScorer all = new BlockScorer(blocks, k, 256);
    for (int i = 0; i < blocks.size(); i++) {
      all.scorePair(i, blocks.get(i), null, 0);
      for (int j = i + 1; j < blocks.size(); j++) {
        all.scorePair(i, blocks.get(j), all.topK(), all.rowOffset(j));
      }
    }
    assertTrue(all.rescored() <= 2400L * 35, "symmetric: rescored " + all.rescored() + " > 35 per row");
  }

  // ---- scenarios ----

  /** One-sided: a task owning the first two blocks scores every block; compared with brute force. */
  private static void assertOneSidedExact(float[][] v, int blockSize, int k, BLAS blas) {
    List<FactorBlock> blocks = BlockScorerTest.pack(v, blockSize);
    List<FactorBlock> queries = blocks.subList(0, Math.min(2, blocks.size()));
    BlockScorer scorer = new BlockScorer(queries, k, 7, blas);
    for (FactorBlock t : blocks) {
      scorer.score(t);
    }
    assertExact(v, queries, scorer.topK(), 0, k, j -> true);
  }

  /**
   * Symmetric, as the engine's tasks do it: (1) one task owns every block, each unordered pair scored
   * once, both directions into its own top-k; (2) a task owns block 0 and updates a remote top-k of
   * every other block.
   */
  private static void assertSymmetricExact(float[][] v, int blockSize, int k, BLAS blas) {
    List<FactorBlock> blocks = BlockScorerTest.pack(v, blockSize);
    BlockScorer all = new BlockScorer(blocks, k, 5, blas);
    for (int i = 0; i < blocks.size(); i++) {
      all.scorePair(i, blocks.get(i), null, 0);
      for (int j = i + 1; j < blocks.size(); j++) {
        all.scorePair(i, blocks.get(j), all.topK(), all.rowOffset(j));
      }
    }
    assertExact(v, blocks, all.topK(), 0, k, j -> true);

    BlockScorer first = new BlockScorer(blocks.subList(0, 1), k, 9, blas);
    first.scorePair(0, blocks.get(0), null, 0);
    for (int j = 1; j < blocks.size(); j++) {
      TopK remote = new TopK(blocks.get(j).rows(), k);
      first.scorePair(0, blocks.get(j), remote, 0);
      // a remote row only saw the rows of block 0
      assertExact(v, blocks.subList(j, j + 1), remote, 0, k, c -> c < blockSize);
    }
  }

  /** Rows of {@code queries} (row {@code rowBase} on) hold the exact top-k over the allowed candidates. */
  private static void assertExact(float[][] v, List<FactorBlock> queries, TopK top, int rowBase, int k,
      IntPredicate allowed) {
    int d = v[0].length;
    int row = rowBase;
    for (FactorBlock q : queries) {
      for (int r = 0; r < q.rows(); r++, row++) {
        int qi = (int) q.order(r);
        List<TopK.Entry> expected = new ArrayList<>();
        for (int j = 0; j < v.length; j++) {
          if (j != qi && allowed.test(j)) {
            expected.add(new TopK.Entry(BlockScorer.dot(v[qi], 0, v[j], 0, d), j, "i" + j));
          }
        }
        expected.sort(TopK::compareBestFirst);
        assertEquals(expected.subList(0, Math.min(k, expected.size())), List.of(top.sorted(row)),
            "query " + qi + ", k " + k);
      }
    }
  }

  /**
   * Unit vectors all close to one direction (pairwise scores within ~1e-5 of each other, many within
   * the float rounding bound of each other), plus exact duplicates in other blocks (equal scores).
   */
  private static float[][] nearTies(int n, int d, long seed) {
    Random rnd = new Random(seed);
    double[] base = new double[d];
    for (int j = 0; j < d; j++) {
      base[j] = rnd.nextGaussian();
    }
    float[][] v = new float[n][d];
    for (int i = 0; i < n; i++) {
      double[] x = new double[d];
      double s = 0;
      for (int j = 0; j < d; j++) {
        x[j] = base[j] + 1e-3 * rnd.nextGaussian();
        s += x[j] * x[j];
      }
      for (int j = 0; j < d; j++) {
        v[i][j] = (float) (x[j] / Math.sqrt(s));
      }
    }
    for (int i = 0; i + 70 < n; i += 23) {
      v[i + 70] = v[i].clone(); // exact ties across blocks
    }
    return v;
  }

  /**
   * A BLAS whose sgemm results are exact scores moved by up to 80% of the kernel's own rounding
   * bound ({@link BlockScorer#tolerance}): the errors any correct margin must absorb, used
   * adversarially. With {@code poison}, one result per row is replaced by -inf, +inf or NaN.
   */
  private static final class Adversary {
    private final int k;
    boolean poison;
    long inversions;
    long poisoned;

    Adversary(int k) {
      this.k = k;
    }

    BLAS blas() {
      BLAS real = BLAS.getInstance();
      return (BLAS) Proxy.newProxyInstance(BLAS.class.getClassLoader(), new Class<?>[] {BLAS.class},
          (proxy, method, args) -> {
            if (!method.getName().equals("sgemm") || args.length != 16) {
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }
            sgemm((Integer) args[2], (Integer) args[3], (Integer) args[4], (float[]) args[6], (Integer) args[7],
                (Integer) args[8], (float[]) args[9], (Integer) args[10], (Integer) args[11], (float[]) args[13],
                (Integer) args[14], (Integer) args[15]);
            return null;
          });
    }

    /** C(nt x mq) = Aᵀ B as the kernel calls it ("T", "N", alpha 1, beta 0), perturbed. */
    private void sgemm(int nt, int mq, int d, float[] a, int offa, int lda, float[] b, int offb, int ldb, float[] c,
        int offc, int ldc) {
      double maxNorm = 0;
      for (int t = 0; t < nt; t++) {
        maxNorm = Math.max(maxNorm, FactorBlock.norm(a, offa + t * lda, d));
      }
      double[] exact = new double[nt];
      for (int j = 0; j < mq; j++) {
        double tol = BlockScorer.tolerance(BlockScorer.roundingBound(d) * maxNorm, b, offb + j * ldb, d);
        for (int t = 0; t < nt; t++) {
          exact[t] = BlockScorer.dot(b, offb + j * ldb, a, offa + t * lda, d);
        }
        double[] sorted = exact.clone();
        Arrays.sort(sorted);
        double kth = sorted[Math.max(0, nt - k)];
        float lowestDown = Float.POSITIVE_INFINITY;
        float highestUp = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < nt; t++) {
          boolean down = exact[t] >= kth;
          float f = within(exact[t] + (down ? -0.8 : 0.8) * tol, exact[t], tol);
          c[offc + j * ldc + t] = f;
          if (down) {
            lowestDown = Math.min(lowestDown, f);
          } else {
            highestUp = Math.max(highestUp, f);
          }
        }
        for (int t = 0; t < nt; t++) {
          if (exact[t] < kth && c[offc + j * ldc + t] >= lowestDown) {
            inversions++;
          }
        }
        if (poison) {
          // the row's best candidate and two others lose their float score entirely
          int best = 0;
          for (int t = 1; t < nt; t++) {
            best = exact[t] > exact[best] ? t : best;
          }
          c[offc + j * ldc + best] = j % 2 == 0 ? Float.NEGATIVE_INFINITY : Float.NaN;
          c[offc + j * ldc + (best + 1) % nt] = Float.NaN;
          c[offc + j * ldc + (best + 2) % nt] = j % 3 == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
          poisoned += 3;
        }
      }
    }

    /** The float nearest {@code target} that stays within {@code tol} of {@code exact}. */
    private static float within(double target, double exact, double tol) {
      float f = (float) target;
      while (Math.abs(f - exact) > tol) {
        f = f > exact ? Math.nextDown(f) : Math.nextUp(f);
      }
      return f;
    }
  }
}
