package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.blas.BLAS;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The kernel's float pre-selection: candidates are chosen on float scores with a certified margin
 * and only the survivors are rescored in double. These cases fail when the margin is too small:
 * the tolerance is checked against Higham's bound computed here, an adversarial BLAS moves every
 * score by the whole worst-case rounding error (computed here, not taken from the kernel) in the
 * direction that hurts, an exact tie sits exactly on the boundary, and target pools of equal
 * scores take the early-flush path. Non-finite float scores, zero rows and k above the item count
 * are covered too, and far fewer candidates are rescored than before the float selection.
 */
class BlockScorerMarginTest {

  /** Unit roundoff of float and of double. */
  private static final double U_FLOAT = 0x1p-24;
  private static final double U_DOUBLE = 0x1p-53;

  @Test
  void nearTiesWithinFloatRoundingAndExactTiesKeepTheExactTopK() {
    float[][] v = nearTies(240, 16, 11);
    List<FactorBlock> blocks = BlockScorerTest.pack(v, 60);
    for (int k : new int[] {1, 5, 17}) {
      assertOneSidedExact(v, blocks, k, BLAS.getInstance());
      assertSymmetricExact(v, blocks, k, BLAS.getInstance());
    }
  }

  @Test
  void toleranceCoversHighamBoundOfTheFloatGemmPlusTheDoubleRescoring() {
    // |f − exact| ≤ (γ_d(float) + γ_d(double))·|x|·|y| for any summation order, FMA or not (Higham,
    // eq. 3.5, with Σ|x_i y_i| ≤ |x|·|y|): the kernel's tolerance must never be smaller
    Random rnd = new Random(8);
    double[] norms = {0x1p-60, 1e-3, 0.5, 1, 1.7, 1e3, 0x1p60};
    for (int d = 1; d <= 1024; d++) {
      double[] direction = new double[d];
      for (int i = 0; i < d; i++) {
        direction[i] = rnd.nextGaussian();
      }
      double length = Math.sqrt(Arrays.stream(direction).map(z -> z * z).sum());
      for (double nx : norms) {
        float[] x = new float[d];
        for (int i = 0; i < d; i++) {
          x[i] = (float) (direction[i] / length * nx);
        }
        double xNorm = FactorBlock.norm(x, 0, d); // the float vector's own norm (rounding moved it)
        for (double ny : norms) {
          double tol = BlockScorer.tolerance(BlockScorer.roundingBound(d) * ny, x, 0, d);
          double higham = (gamma(d, U_FLOAT) + gamma(d, U_DOUBLE)) * xNorm * ny;
          assertTrue(tol >= higham, "d " + d + ", |x| " + xNorm + ", |y| " + ny + ": tolerance " + tol
              + " < Higham's bound " + higham);
        }
      }
    }
  }

  @Test
  void adversarialBlasUsingTheWholeTrueRoundingBoundNeverChangesTheResult() {
    // every GEMM result is the exact score moved by the whole worst-case rounding error (computed by
    // the adversary, independently of the kernel): the global top-k members down, every other
    // candidate up, so float order is inverted across the k-th score wherever the bound allows
    float[][] v = nearTies(240, 16, 12);
    List<FactorBlock> blocks = BlockScorerTest.pack(v, 60);
    for (int k : new int[] {1, 5, 17}) {
      assertAdversaryCannotChangeTheResult(v, blocks, k);
    }
    // equal vectors whose float grid lets a score move beyond the first-order bound d·u·|x|·|y| but
    // within γ_d: only a margin of at least the true bound keeps these exact
    float[][] grid = gridAlignedEqualVectors(120, 1024);
    List<FactorBlock> gridBlocks = BlockScorerTest.pack(grid, 40);
    for (int k : new int[] {1, 3}) {
      assertAdversaryCannotChangeTheResult(grid, gridBlocks, k);
    }
  }

  @Test
  void exactTieWhoseUpperBoundEqualsTheKthKeptScoreEntersWithItsSmallerKey() {
    // d = 2, k = 2. Query item 100 = (1, 0). Block A: items 50 = (w, 0) and 60 = (0.9, 0), so the
    // row keeps 0.9f (60) and w (50). Block B: item 5 = (w, 0), an exact tie with 50 and a smaller
    // key, then items 51..70, all (w, 0) (ties with larger keys: they fill the target pool, so the
    // pool's prune meets the tie too). The BLAS returns f = w − tol for the pair (100, 5), so
    // f + tol equals the k-th kept exact score: the boundary case, which must enter. tol is the
    // kernel's own here (this pins the comparison; the tests above pin the margin), and w is a score
    // for which w − tol is a float: 0.75 with tol = 2·d·2⁻²⁴·|q|·max|b| = 3·2⁻²⁴.
    float w = Float.NaN;
    for (float candidate : new float[] {0.75f, 0.5f, 0.625f, 0.875f}) {
      double tol = BlockScorer.tolerance(BlockScorer.roundingBound(2) * candidate, new float[] {1f, 0f}, 0, 2);
      if ((float) (candidate - tol) + tol == candidate) {
        w = candidate;
        break;
      }
    }
    assertTrue(w > 0, "no tie score w with w − tol a float: give the fixture another w");
    FactorBlock q = block(new long[] {100}, 1f);
    FactorBlock a = block(new long[] {50, 60}, w, 0.9f);
    long[] bKeys = new long[21];
    float[] bValues = new float[21];
    bKeys[0] = 5;
    for (int i = 1; i < 21; i++) {
      bKeys[i] = 50 + i;
    }
    Arrays.fill(bValues, w);
    FactorBlock b = block(bKeys, bValues);
    BoundaryTie tie = new BoundaryTie(List.of(q, a, b), 100, 5);
    List<TopK.Entry> expected = List.of(new TopK.Entry(0.9f, 60, "i60"), new TopK.Entry(w, 5, "i5"));

    // one-sided: the tie is a target of the query row
    BlockScorer oneSided = new BlockScorer(List.of(q), 2, 4, tie.blas());
    oneSided.score(a);
    assertEquals(List.of(new TopK.Entry(0.9f, 60, "i60"), new TopK.Entry(w, 50, "i50")),
        List.of(oneSided.topK().sorted(0)));
    oneSided.score(b);
    assertEquals(expected, List.of(oneSided.topK().sorted(0)), "one-sided");

    // shared pair: the tie is a query row offered to the target row's top-k (pool of 2k + 16 = 20
    // for 21 query rows: pruned once with the tie in it, then flushed early)
    BlockScorer shared = new BlockScorer(List.of(a, b), 2, 4, tie.blas());
    TopK remote = new TopK(1, 2);
    shared.scorePair(0, q, remote, 0);
    shared.scorePair(1, q, remote, 0);
    assertEquals(expected, List.of(remote.sorted(0)), "target side");
    assertEquals(2, tie.forced, "the BLAS put the tie exactly on the boundary in both directions");
    assertTrue(shared.earlyFlushes() > 0, "the target pool was pruned and flushed early");
  }

  @Test
  void targetPoolsOfEqualScoresFlushEarlyAndKeepTheExactTopK() {
    // every pair has the same score, so no candidate is ever certified out: each target row pools
    // every query row of a pair and must flush before the pair ends (blocks of 60 rows, pools of
    // 2k + 16 = 18). Ties are decided by order key, identical in both directions.
    float[][] equal = new float[180][8];
    for (float[] row : equal) {
      Arrays.fill(row, 0.5f);
    }
    long early = assertSymmetricExact(equal, BlockScorerTest.pack(equal, 60), 1, BLAS.getInstance());
    assertTrue(early > 0, "early flushes: " + early);

    // the same path with float scores moved by the whole true rounding bound (members down)
    float[][] grid = gridAlignedEqualVectors(120, 1024);
    List<FactorBlock> blocks = BlockScorerTest.pack(grid, 60);
    Adversary adversary = new Adversary(grid, blocks, 1, true);
    early = assertSymmetricExact(grid, blocks, 1, adversary.blas());
    assertTrue(early > 0, "early flushes under the adversary: " + early);
    assertTrue(adversary.largestShare > 0.99, "the adversary used the bound: " + adversary.largestShare);
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
    List<FactorBlock> blocks = BlockScorerTest.pack(v, 50);
    for (int k : new int[] {1, 4}) {
      Adversary poison = new Adversary(v, blocks, k, true);
      poison.poison = true;
      assertOneSidedExact(v, blocks, k, poison.blas());
      assertSymmetricExact(v, blocks, k, poison.blas());
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
      assertOneSidedExact(v, BlockScorerTest.pack(v, 20), k, BLAS.getInstance());
      assertSymmetricExact(v, BlockScorerTest.pack(v, 20), k, BLAS.getInstance());
    }
    float[][] zeros = new float[30][4]; // all ties: order keys decide
    for (int k : new int[] {2, 29, 31}) {
      assertOneSidedExact(zeros, BlockScorerTest.pack(zeros, 8), k, BLAS.getInstance());
      assertSymmetricExact(zeros, BlockScorerTest.pack(zeros, 8), k, BLAS.getInstance());
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

  @Test
  void aBlasThatFlushesSubnormalInputsMultipliesTheStoredVectors() {
    // dot measure, k = 1, blocks {q, c} and {a, e}. q's first component (1e-39) is subnormal:
    // exactly, a = (1e30, 0) scores 1e-9 with q and c = (0, 1e28) 2e-10, so a is q's neighbour. A
    // BLAS that flushes subnormal inputs to zero (DAZ) scores a 0, below c (kept from the first
    // block) by far more than the margin, which scales with |q| (tiny): a would be dropped
    // unrescored. Stored as zero, the component is the same for every BLAS and for the rescoring,
    // and the result is exact for the stored vectors.
    double[][] raw = {{1e-39, 2e-38}, {0, 1e28}, {1e30, 0}, {1, 1}};
    ItemTransform dot = ItemTransform.dot(2);
    float[][] v = new float[raw.length][2];
    for (int i = 0; i < raw.length; i++) {
      assertTrue(dot.apply(raw[i], new double[2], v[i], 0));
    }
    assertEquals(0f, v[0][0], 0f, "a subnormal component is stored as zero");
    assertEquals(2e-38f, v[0][1], 0f, "a normal one is kept");
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(BlockScorer.stored(-1e-40)), "with its sign");
    BLAS daz = proxy((nt, mq, d, a, offa, lda, b, offb, ldb, c, offc, ldc) -> {
      for (int j = 0; j < mq; j++) {
        for (int t = 0; t < nt; t++) {
          double sum = 0;
          for (int i = 0; i < d; i++) {
            sum += (double) flushed(a[offa + t * lda + i]) * flushed(b[offb + j * ldb + i]);
          }
          c[offc + j * ldc + t] = (float) sum;
        }
      }
    });
    List<FactorBlock> blocks = BlockScorerTest.pack(v, 2);
    assertOneSidedExact(v, blocks, 1, daz);
    assertSymmetricExact(v, blocks, 1, daz);
  }

  private static float flushed(float x) {
    return Math.abs(x) < Float.MIN_NORMAL ? 0f : x;
  }

  /** Runs the one-sided and symmetric scenarios under a fresh adversary each and checks it bit. */
  private static void assertAdversaryCannotChangeTheResult(float[][] v, List<FactorBlock> blocks, int k) {
    Adversary oneSided = new Adversary(v, blocks, k, false);
    assertOneSidedExact(v, blocks, k, oneSided.blas());
    Adversary shared = new Adversary(v, blocks, k, true);
    assertSymmetricExact(v, blocks, k, shared.blas());
    for (Adversary adversary : List.of(oneSided, shared)) {
      assertTrue(adversary.inversions > 100, "the adversary reordered float scores: " + adversary.inversions);
      // a float score cannot always sit exactly on the bound; the best one is within a few ulps
      assertTrue(adversary.largestShare > 0.99, "the adversary used the bound: " + adversary.largestShare);
    }
  }

  /** One-sided: a task owning the first two blocks scores every block; compared with brute force. */
  private static void assertOneSidedExact(float[][] v, List<FactorBlock> blocks, int k, BLAS blas) {
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
   * every other block. Returns the early flushes of target pools in both.
   */
  private static long assertSymmetricExact(float[][] v, List<FactorBlock> blocks, int k, BLAS blas) {
    BlockScorer all = new BlockScorer(blocks, k, 5, blas);
    for (int i = 0; i < blocks.size(); i++) {
      all.scorePair(i, blocks.get(i), null, 0);
      for (int j = i + 1; j < blocks.size(); j++) {
        all.scorePair(i, blocks.get(j), all.topK(), all.rowOffset(j));
      }
    }
    assertExact(v, blocks, all.topK(), 0, k, j -> true);

    int firstRows = blocks.get(0).rows();
    BlockScorer first = new BlockScorer(blocks.subList(0, 1), k, 9, blas);
    first.scorePair(0, blocks.get(0), null, 0);
    for (int j = 1; j < blocks.size(); j++) {
      TopK remote = new TopK(blocks.get(j).rows(), k);
      first.scorePair(0, blocks.get(j), remote, 0);
      // a remote row only saw the rows of block 0
      assertExact(v, blocks.subList(j, j + 1), remote, 0, k, c -> c < firstRows);
    }
    return all.earlyFlushes() + first.earlyFlushes();
  }

  /** Rows of {@code queries} (row {@code rowBase} on) hold the exact top-k over the allowed candidates. */
  private static void assertExact(float[][] v, List<FactorBlock> queries, TopK top, int rowBase, int k,
      IntPredicate allowed) {
    int row = rowBase;
    for (FactorBlock q : queries) {
      for (int r = 0; r < q.rows(); r++, row++) {
        int qi = (int) q.order(r);
        List<TopK.Entry> expected = bruteForce(v, qi, allowed);
        assertEquals(expected.subList(0, Math.min(k, expected.size())), List.of(top.sorted(row)),
            "query " + qi + ", k " + k);
      }
    }
  }

  /** Every allowed candidate of item {@code qi} (itself excluded) with its exact score, best first. */
  private static List<TopK.Entry> bruteForce(float[][] v, int qi, IntPredicate allowed) {
    int d = v[0].length;
    List<TopK.Entry> all = new ArrayList<>();
    for (int j = 0; j < v.length; j++) {
      if (j != qi && allowed.test(j)) {
        all.add(new TopK.Entry(BlockScorer.dot(v[qi], 0, v[j], 0, d), j, "i" + j));
      }
    }
    all.sort(TopK::compareBestFirst);
    return all;
  }

  // ---- data ----

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
   * {@code n} equal vectors of {@code d} equal components c (so Σ|x_i y_i| = |x|·|y|: Higham's bound
   * is attained by the norms), with c chosen so that the floats nearest the bound around the common
   * score s are further apart than 2·d·u·s: a score can move beyond the first-order bound d·u·|x|·|y|
   * (γ_d's second-order term and the double rescoring's error are what reach further), so a kernel
   * margin below the true bound loses the top-k members under the {@link Adversary}.
   */
  private static float[][] gridAlignedEqualVectors(int n, int d) {
    for (int i = 0; i < 512; i++) {
      float c = (float) (Math.scalb(1.0, -5) * (1 + Math.scalb((double) i, -9)));
      float[] x = new float[d];
      Arrays.fill(x, c);
      double s = BlockScorer.dot(x, 0, x, 0, d);
      double b = Adversary.trueBound(x, 0, x, 0, d);
      double spread = Adversary.within(s + b, s, b) - (double) Adversary.within(s - b, s, b);
      double norm = FactorBlock.norm(x, 0, d);
      if (spread > 2 * d * U_FLOAT * norm * norm * (1 + 0x1p-40)) {
        float[][] v = new float[n][];
        for (int r = 0; r < n; r++) {
          v[r] = x.clone();
        }
        return v;
      }
    }
    throw new AssertionError("no component value puts floats beyond d·u·s within the true bound");
  }

  private static FactorBlock block(long[] keys, float... firstComponents) {
    String[] ids = new String[keys.length];
    float[] data = new float[keys.length * 2];
    for (int r = 0; r < keys.length; r++) {
      ids[r] = "i" + keys[r];
      data[2 * r] = firstComponents[r];
    }
    return new FactorBlock(ids, keys, data, 2);
  }

  /** Higham's γ_d = d·u / (1 − d·u). */
  private static double gamma(int d, double u) {
    return d * u / (1 - d * u);
  }

  // ---- BLAS stand-ins ----

  /** sgemm as the kernel calls it ("T", "N", alpha 1, beta 0): C(nt x mq) = Aᵀ B. */
  private interface Sgemm {
    void sgemm(int nt, int mq, int d, float[] a, int offa, int lda, float[] b, int offb, int ldb, float[] c,
        int offc, int ldc);
  }

  /** A BLAS whose 16-argument sgemm is {@code gemm}; every other call goes to the real BLAS. */
  private static BLAS proxy(Sgemm gemm) {
    BLAS real = BLAS.getInstance();
    return (BLAS) Proxy.newProxyInstance(BLAS.class.getClassLoader(), new Class<?>[] {BLAS.class},
        (p, method, args) -> {
          if (!method.getName().equals("sgemm") || args.length != 16) {
            try {
              return method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          }
          gemm.sgemm((Integer) args[2], (Integer) args[3], (Integer) args[4], (float[]) args[6], (Integer) args[7],
              (Integer) args[8], (float[]) args[9], (Integer) args[10], (Integer) args[11], (float[]) args[13],
              (Integer) args[14], (Integer) args[15]);
          return null;
        });
  }

  /** The blocks whose packed data the kernel passes to sgemm, by array identity. */
  private static Map<float[], FactorBlock> byData(List<FactorBlock> blocks) {
    Map<float[], FactorBlock> out = new IdentityHashMap<>();
    for (FactorBlock b : blocks) {
      out.put(b.data(), b);
    }
    return out;
  }

  private static FactorBlock lookup(Map<float[], FactorBlock> blocks, float[] data) {
    FactorBlock b = blocks.get(data);
    if (b == null) {
      throw new AssertionError("sgemm on data of an unregistered block");
    }
    return b;
  }

  /**
   * A BLAS whose sgemm results are the exact (double) scores moved by the whole worst-case error a
   * correct margin must absorb, computed here without the kernel: (γ_d(float) + γ_d(double))·Σ|x_i y_i|
   * (Higham's bound of the float GEMM plus that of the double rescoring, any summation order). A
   * real BLAS is within γ_d(float)·Σ|x_i y_i| of the real dot product and the rescoring within
   * γ_d(double)·Σ|x_i y_i|, so every score here is one the kernel must handle exactly. Direction:
   * a pair whose target is in the query's global brute-force top-k (with {@code bothSides}, or
   * whose query is in the target's, for shared pairs) goes down, every other pair up, so the best
   * non-members raise the selection bound as far as they can. With {@code poison}, three results
   * per row are replaced by -inf, +inf or NaN.
   */
  private static final class Adversary {
    private final Map<float[], FactorBlock> blocks;
    /** member[i][j]: item j is in item i's brute-force top-k. */
    private final boolean[][] member;
    private final boolean bothSides;
    boolean poison;
    long inversions;
    long poisoned;
    /** The largest |f − exact| / bound of any pair: how much of the bound was used. */
    double largestShare;

    Adversary(float[][] v, List<FactorBlock> blocks, int k, boolean bothSides) {
      this.blocks = byData(blocks);
      this.bothSides = bothSides;
      this.member = new boolean[v.length][v.length];
      for (int i = 0; i < v.length; i++) {
        List<TopK.Entry> ranked = bruteForce(v, i, j -> true);
        for (TopK.Entry e : ranked.subList(0, Math.min(k, ranked.size()))) {
          member[i][(int) e.order()] = true;
        }
      }
    }

    BLAS blas() {
      return proxy(this::sgemm);
    }

    private void sgemm(int nt, int mq, int d, float[] a, int offa, int lda, float[] b, int offb, int ldb, float[] c,
        int offc, int ldc) {
      FactorBlock targets = lookup(blocks, a);
      FactorBlock queries = lookup(blocks, b);
      double[] exact = new double[nt];
      boolean[] down = new boolean[nt];
      for (int j = 0; j < mq; j++) {
        int qoff = offb + j * ldb;
        int qKey = (int) queries.order(qoff / d);
        float lowestDown = Float.POSITIVE_INFINITY;
        for (int t = 0; t < nt; t++) {
          int toff = offa + t * lda;
          int tKey = (int) targets.order(toff / d);
          exact[t] = BlockScorer.dot(b, qoff, a, toff, d);
          double bound = trueBound(b, qoff, a, toff, d);
          down[t] = member[qKey][tKey] || (bothSides && member[tKey][qKey]);
          float f = within(exact[t] + (down[t] ? -bound : bound), exact[t], bound);
          if (!(Math.abs(f - exact[t]) <= bound)) {
            throw new AssertionError("perturbation beyond the true bound: " + f + " vs " + exact[t]);
          }
          if (bound > 0) {
            largestShare = Math.max(largestShare, Math.abs(f - exact[t]) / bound);
          }
          c[offc + j * ldc + t] = f;
          if (down[t]) {
            lowestDown = Math.min(lowestDown, f);
          }
        }
        for (int t = 0; t < nt; t++) {
          if (!down[t] && c[offc + j * ldc + t] >= lowestDown) {
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

    /**
     * (γ_d(float) + γ_d(double))·Σ|x_i y_i|, a hair under it: its own double arithmetic rounds by
     * at most d·2⁻⁵³ relative (2⁻⁴³ at d = 1024), well below the 1e-12 taken off.
     */
    static double trueBound(float[] x, int xoff, float[] y, int yoff, int d) {
      double sum = 0;
      for (int i = 0; i < d; i++) {
        sum += Math.abs((double) x[xoff + i] * y[yoff + i]);
      }
      return (gamma(d, U_FLOAT) + gamma(d, U_DOUBLE)) * sum * (1 - 1e-12);
    }

    /** The float nearest {@code target} that stays within {@code tol} of {@code exact}. */
    static float within(double target, double exact, double tol) {
      if (!(Math.abs((float) exact - exact) <= tol)) {
        throw new AssertionError("no float within " + tol + " of " + exact);
      }
      float f = (float) target;
      while (Math.abs(f - exact) > tol) {
        f = f > exact ? Math.nextDown(f) : Math.nextUp(f);
      }
      return f;
    }
  }

  /**
   * A BLAS returning exact scores rounded to float, except for the pair of items {@code x} and
   * {@code y} (either direction): f = exact − tol with the kernel's own tolerance for that call, so
   * the pair's upper bound f + tol is exactly its exact score.
   */
  private static final class BoundaryTie {
    private final Map<float[], FactorBlock> blocks;
    private final long x;
    private final long y;
    int forced;

    BoundaryTie(List<FactorBlock> blocks, long x, long y) {
      this.blocks = byData(blocks);
      this.x = x;
      this.y = y;
    }

    BLAS blas() {
      return proxy(this::sgemm);
    }

    private void sgemm(int nt, int mq, int d, float[] a, int offa, int lda, float[] b, int offb, int ldb, float[] c,
        int offc, int ldc) {
      FactorBlock targets = lookup(blocks, a);
      FactorBlock queries = lookup(blocks, b);
      for (int j = 0; j < mq; j++) {
        int qoff = offb + j * ldb;
        long qKey = queries.order(qoff / d);
        double tol = BlockScorer.tolerance(BlockScorer.roundingBound(d) * targets.maxNorm(), b, qoff, d);
        for (int t = 0; t < nt; t++) {
          int toff = offa + t * lda;
          long tKey = targets.order(toff / d);
          double exact = BlockScorer.dot(b, qoff, a, toff, d);
          float f = (float) exact;
          if ((qKey == x && tKey == y) || (qKey == y && tKey == x)) {
            f = (float) (exact - tol);
            assertEquals(exact, f + tol, "the fixture puts f + tol exactly on the exact score");
            forced++;
          }
          c[offc + j * ldc + t] = f;
        }
      }
    }
  }
}
