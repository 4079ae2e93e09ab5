package org.cosineaudit.similarity;

import dev.ludovic.netlib.blas.BLAS;
import java.util.List;

/**
 * The scoring kernel of one task: a fixed set of query blocks, each with its top-k rows, and a
 * stream of target blocks offered one at a time.
 *
 * <p>For each (query chunk, target block) one {@code sgemm} computes all float scores into a
 * reused buffer. A candidate whose float score could still reach its row's threshold (the
 * float result plus a rigorous bound on its rounding error) is rescored exactly in double and
 * offered to the row's {@link TopK}. So the kept scores are double-precision dot products of
 * the stored float vectors, identical in both directions and independent of blocking and of
 * the BLAS in use; only a few candidates per row pay the double rescoring.
 *
 * <p>Not thread-safe: one instance per task.
 */
public final class BlockScorer {

  /**
   * Rounding error bound of a float dot product of length d, in units of |x|·|y|:
   * d · 2^-24 (Higham's γ_d, any summation order, FMA or not), doubled for safety.
   */
  private static final double UNIT_ROUNDOFF = Math.scalb(1.0, -24);

  private final List<FactorBlock> queries;
  private final int[] rowOffset;
  private final TopK topK;
  private final int chunkRows;
  private final BLAS blas;
  private float[] buffer = new float[0];
  private double[] targetThresholds = new double[0];
  private long flops;
  private long gemmNanos;
  private long rescored;

  /**
   * @param queries the task's query blocks (their rows are the rows of {@code topK}, in list order)
   * @param k neighbours kept per query row
   * @param chunkRows query rows per GEMM call
   */
  public BlockScorer(List<FactorBlock> queries, int k, int chunkRows) {
    this(queries, k, chunkRows, BLAS.getInstance());
  }

  BlockScorer(List<FactorBlock> queries, int k, int chunkRows, BLAS blas) {
    this.queries = List.copyOf(queries);
    this.rowOffset = new int[queries.size() + 1];
    for (int i = 0; i < queries.size(); i++) {
      rowOffset[i + 1] = rowOffset[i] + queries.get(i).rows();
    }
    this.topK = new TopK(rowOffset[queries.size()], k);
    this.chunkRows = Math.max(1, chunkRows);
    this.blas = blas;
  }

  /** Scores every query row against every row of {@code target} (self pairs skipped). */
  public void score(FactorBlock target) {
    for (int qi = 0; qi < queries.size(); qi++) {
      scorePair(qi, target, null, 0);
    }
  }

  /**
   * Scores query block {@code qi} against {@code target}. With {@code targetTop} the same scores
   * also update the target rows' top-k (rows {@code targetRowBase ..} of {@code targetTop}):
   * the measures are symmetric, so one GEMM serves both directions of a block pair. The target
   * must then be another block than the query (self pairs are skipped by order key only).
   */
  public void scorePair(int qi, FactorBlock target, TopK targetTop, int targetRowBase) {
    int nt = target.rows();
    if (nt == 0 || topK.k() == 0) {
      return;
    }
    FactorBlock q = queries.get(qi);
    if (q.dim() != target.dim()) {
      throw new IllegalArgumentException("query dimension " + q.dim() + " != target dimension " + target.dim());
    }
    for (int r0 = 0; r0 < q.rows(); r0 += chunkRows) {
      int mq = Math.min(chunkRows, q.rows() - r0);
      scoreChunk(q, rowOffset[qi], r0, mq, target, targetTop, targetRowBase);
    }
  }

  /** Row of {@code topK} where query block {@code qi} starts. */
  public int rowOffset(int qi) {
    return rowOffset[qi];
  }

  private void scoreChunk(FactorBlock q, int rowBase, int r0, int mq, FactorBlock t, TopK targetTop,
      int targetRowBase) {
    int d = q.dim();
    int nt = t.rows();
    if (buffer.length < mq * nt) {
      buffer = new float[mq * nt];
    }
    float[] qd = q.data();
    float[] td = t.data();
    long start = System.nanoTime();
    // column-major view: td is d x nt, qd is d x mq; C(nt x mq) = tdᵀ qd, so the scores of
    // query j are contiguous: buffer[j*nt .. j*nt+nt)
    blas.sgemm("T", "N", nt, mq, d, 1.0f, td, 0, d, qd, r0 * d, d, 0.0f, buffer, 0, nt);
    gemmNanos += System.nanoTime() - start;
    flops += 2L * nt * mq * d;

    long[] torders = t.orders();
    String[] tids = t.ids();
    double bound = roundingBound(d) * t.maxNorm();
    double[] targetThreshold = null;
    if (targetTop != null) {
      if (targetThresholds.length < nt) {
        targetThresholds = new double[nt];
      }
      targetThreshold = targetThresholds;
      for (int c = 0; c < nt; c++) {
        targetThreshold[c] = targetTop.threshold(targetRowBase + c);
      }
    }
    for (int j = 0; j < mq; j++) {
      int qr = r0 + j;
      int row = rowBase + qr;
      int qoff = qr * d;
      long qorder = q.order(qr);
      String qid = q.id(qr);
      // bounds the float error of every score of this query row (|q|·|t| ≤ |q|·max|t|)
      double tol = tolerance(bound, qd, qoff, d);
      double threshold = topK.threshold(row);
      int base = j * nt;
      if (targetThreshold == null) {
        for (int c = 0; c < nt; c++) {
          // cheap float test first; only candidates that may enter are rescored
          if (buffer[base + c] + tol >= threshold) {
            if (torders[c] == qorder) {
              continue;
            }
            double exact = dot(qd, qoff, td, c * d, d);
            rescored++;
            if (topK.offer(row, exact, torders[c], tids[c])) {
              threshold = topK.threshold(row);
            }
          }
        }
      } else {
        for (int c = 0; c < nt; c++) {
          double approx = buffer[base + c] + tol;
          boolean forQuery = approx >= threshold;
          boolean forTarget = approx >= targetThreshold[c];
          if (forQuery || forTarget) {
            double exact = dot(qd, qoff, td, c * d, d);
            rescored++;
            if (forQuery && topK.offer(row, exact, torders[c], tids[c])) {
              threshold = topK.threshold(row);
            }
            if (forTarget && targetTop.offer(targetRowBase + c, exact, qorder, qid)) {
              targetThreshold[c] = targetTop.threshold(targetRowBase + c);
            }
          }
        }
      }
    }
  }

  /**
   * What to add to a float score of the vector {@code v[off .. off+d)} to get a value no exact
   * score can exceed: {@code scaledBound} ({@link #roundingBound} times the largest norm on the
   * other side) times |v|, plus an absolute term for scores near the smallest normal float
   * (subnormal results, or a BLAS that flushes them to zero).
   */
  public static double tolerance(double scaledBound, float[] v, int off, int d) {
    return scaledBound * FactorBlock.norm(v, off, d) + 2.0 * d * Float.MIN_NORMAL;
  }

  /**
   * Bound on |float dot product − exact dot product| of two float vectors of length {@code dim},
   * in units of |x|·|y| (any BLAS, summation order or FMA use): add {@code roundingBound(d) · |x| · |y|}
   * to a float score to get a value no exact score can exceed.
   */
  public static double roundingBound(int dim) {
    return 2.0 * dim * UNIT_ROUNDOFF;
  }

  /**
   * Double-precision dot product of two float vectors (each product is exact in double).
   *
   * <p>Four interleaved partial sums: one running sum is bound by the latency of each addition
   * (about 4 cycles), four keep the adder busy. This is the engine's hottest loop (every
   * candidate that may enter a top-k is rescored here: about k·ln(n/k) per row), and four sums
   * made it about 3x faster. The order of additions is fixed and the same for (a, b) and
   * (b, a), so scores stay deterministic and symmetric.
   */
  public static double dot(float[] a, int aoff, float[] b, int boff, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      s0 += (double) a[aoff + i] * b[boff + i];
      s1 += (double) a[aoff + i + 1] * b[boff + i + 1];
      s2 += (double) a[aoff + i + 2] * b[boff + i + 2];
      s3 += (double) a[aoff + i + 3] * b[boff + i + 3];
    }
    for (; i < len; i++) {
      s0 += (double) a[aoff + i] * b[boff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  public TopK topK() {
    return topK;
  }

  public List<FactorBlock> queries() {
    return queries;
  }

  /** Floating-point operations done by GEMM so far. */
  public long flops() {
    return flops;
  }

  /** Nanoseconds spent inside GEMM so far. */
  public long gemmNanos() {
    return gemmNanos;
  }

  /** Candidates rescored in double so far. */
  public long rescored() {
    return rescored;
  }
}
