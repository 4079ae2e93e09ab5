package org.cosineaudit.similarity;

import dev.ludovic.netlib.blas.BLAS;
import java.util.Arrays;
import java.util.List;

/**
 * The scoring kernel of one task: a fixed set of query blocks, each with its top-k rows, and a
 * stream of target blocks offered one at a time.
 *
 * <p>For each (query chunk, target block) one {@code sgemm} computes all float scores into a
 * reused buffer. Candidates are then selected on those float scores with a certified margin and
 * only the few that can be in the final top-k are rescored exactly in double and offered to the
 * row's {@link TopK}. So the kept scores are double-precision dot products of the stored float
 * vectors, identical in both directions and independent of blocking and of the BLAS in use.
 *
 * <p>Why the selection is exact. For a pair with float score f, {@code tol} ({@link #tolerance})
 * bounds |f − {@link #dot}| for any summation order, FMA or not: Higham's inner-product bound
 * |fl(xᵀy) − xᵀy| ≤ γ_d·Σ|x_i y_i| ≤ γ_d·|x|·|y| (Accuracy and Stability of Numerical Algorithms,
 * 2nd ed., §3.1, eq. 3.5), γ_d = d·u/(1 − d·u), u = 2⁻²⁴ for the float GEMM, plus the same bound
 * with u = 2⁻⁵³ for the double {@code dot}; both together stay below 2·d·2⁻²⁴·|x|·|y|, and the
 * slack absorbs the rounding of {@code f ± tol} itself. So every exact score lies in
 * [f − tol, f + tol]. Per row and block pair, a min-heap ({@link LowerBounds}), seeded with the
 * exact scores the row already keeps, holds the k largest of those and of the lower bounds
 * f − tol of the pair's candidates, all of distinct candidates; its root is the row's bound. A
 * candidate whose upper bound f + tol is strictly below that bound has k other candidates with
 * strictly larger exact scores, so it cannot enter whatever its order key
 * (an equal upper bound is kept: an exact tie with a smaller key may still enter). Every other
 * candidate is pooled ({@link Pool}) and, when the row has seen the whole target block, pooled
 * candidates still reaching the (risen) bound are rescored: in effect those with
 * f ≥ (k-th float score) − 2·tol that can enter the top-k of everything seen so far. Because {@link TopK}'s order (score descending, order key
 * ascending) is total, offering a superset of the true members gives exactly the top-k that
 * rescoring every pair would give. A non-finite float score (overflow) or tolerance certifies
 * nothing: such a candidate is always rescored; an exact NaN score is never ranked.
 *
 * <p>Cost: rescoring every candidate that could still enter the running exact top-k costs about
 * k·(1 + ln(n/k)) rescorings per row over n candidates, each a cache miss on the target vector.
 * Selecting per block pair costs about k/b per row for the b-th target block (the share of the
 * top-k of b blocks that the b-th holds), k·H(B) over B blocks, plus the rare candidates within
 * the margin. Rescoring must happen while the target block is in memory: query rows are rescored at
 * the end of their chunk (a row sees the whole target block in one chunk), target rows of a
 * shared pair at the end of {@link #scorePair} (or earlier when their pool fills with near ties).
 *
 * <p>Memory beyond the buffer: for a shared pair, per target row k lower bounds and a pool of
 * min(query rows, 2k + 16) candidates (12 bytes each): about as much as one block's partial top-k.
 *
 * <p>Contract: each (query row, target row) pair is scored at most once per top-k row. Not
 * thread-safe: one instance per task.
 */
public final class BlockScorer {

  /**
   * Unit roundoff of float, u = 2⁻²⁴: {@link #roundingBound} is 2·d·u, above γ_d of the float
   * GEMM plus γ_d of the double rescoring (see the class comment).
   */
  private static final double UNIT_ROUNDOFF = Math.scalb(1.0, -24);

  private final List<FactorBlock> queries;
  private final int[] rowOffset;
  private final TopK topK;
  private final int chunkRows;
  private final BLAS blas;
  private float[] buffer = new float[0];
  /** Selection state of the current query row (one row at a time). */
  private final LowerBounds rowLower = new LowerBounds();
  private final Pool rowPool = new Pool();
  /** Selection state of the target rows of the current shared block pair. */
  private final LowerBounds targetLower = new LowerBounds();
  private final Pool targetPool = new Pool();
  private double[] targetBound = new double[0];
  private long flops;
  private long gemmNanos;
  private long rescored;
  private long earlyFlushes;

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
   * When this returns, both top-k are exact for the pairs scored so far.
   *
   * @throws IllegalArgumentException when {@code targetTop} is this scorer's own top-k and the
   *     target rows overlap the query block's rows: every pair would be offered twice to the same
   *     row (score a block against itself with {@code targetTop} null)
   */
  public void scorePair(int qi, FactorBlock target, TopK targetTop, int targetRowBase) {
    int nt = target.rows();
    FactorBlock q = queries.get(qi);
    if (targetTop == topK && targetRowBase < rowOffset[qi] + q.rows() && rowOffset[qi] < targetRowBase + nt) {
      throw new IllegalArgumentException("target rows [" + targetRowBase + ", " + (targetRowBase + nt)
          + ") overlap the rows [" + rowOffset[qi] + ", " + (rowOffset[qi] + q.rows()) + ") of query block " + qi
          + " in the same top-k: both directions would count each pair twice; score a block against itself"
          + " with targetTop null");
    }
    if (nt == 0 || topK.k() == 0) {
      return;
    }
    if (q.dim() != target.dim()) {
      throw new IllegalArgumentException("query dimension " + q.dim() + " != target dimension " + target.dim());
    }
    if (targetTop != null && targetTop.k() == 0) {
      targetTop = null; // nothing to keep on that side
    }
    if (targetTop != null) {
      startTargets(q, target, targetTop, targetRowBase);
    }
    for (int r0 = 0; r0 < q.rows(); r0 += chunkRows) {
      int mq = Math.min(chunkRows, q.rows() - r0);
      scoreChunk(q, rowOffset[qi], r0, mq, target, targetTop, targetRowBase);
    }
    if (targetTop != null) {
      // every query row has been seen: rescore the target rows' survivors before the pair ends
      for (int c = 0; c < nt; c++) {
        flushTarget(c, q, target, targetTop, targetRowBase);
      }
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
    for (int j = 0; j < mq; j++) {
      int qr = r0 + j;
      int row = rowBase + qr;
      int qoff = qr * d;
      long qorder = q.order(qr);
      // bounds |float score - exact score| of every pair of this query row (|q|·|t| ≤ |q|·max|t|),
      // in both directions: [f - tol, f + tol] holds the exact score (see the class comment)
      double tol = tolerance(bound, qd, qoff, d);
      boolean certified = Double.isFinite(tol);
      // the row's selection bound: the k-th largest of the exact scores kept so far and the
      // certified lower bounds (f - tol) of this block, all of distinct candidates; a candidate
      // whose upper bound f + tol is below it has k others with strictly larger exact scores
      rowLower.reset(1, topK.k());
      rowLower.load(0, topK, row);
      double rowBound = rowLower.min(0);
      rowPool.reset(1, nt);
      int base = j * nt;
      if (targetTop == null) {
        for (int c = 0; c < nt; c++) {
          float f = buffer[base + c];
          double upper = f + tol;
          // cheap float test first. -inf (float overflow) certifies nothing: it goes on, as do
          // NaN scores and tolerances (the comparisons are false)
          if (upper < rowBound && f != Float.NEGATIVE_INFINITY) {
            continue;
          }
          if (torders[c] == qorder) {
            continue;
          }
          if (certified && Float.isFinite(f)) {
            rowPool.add(0, c, upper);
            if (rowLower.offer(0, f - tol)) {
              rowBound = rowLower.min(0);
            }
          } else {
            rowPool.add(0, c, Double.POSITIVE_INFINITY); // no float certificate: always rescored
          }
        }
      } else {
        for (int c = 0; c < nt; c++) {
          float f = buffer[base + c];
          double upper = f + tol;
          if (upper < rowBound && upper < targetBound[c] && f != Float.NEGATIVE_INFINITY) {
            continue;
          }
          if (torders[c] == qorder) {
            continue;
          }
          if (certified && Float.isFinite(f)) {
            double lower = f - tol;
            if (upper >= rowBound) {
              rowPool.add(0, c, upper);
              if (rowLower.offer(0, lower)) {
                rowBound = rowLower.min(0);
              }
            }
            if (upper >= targetBound[c]) {
              poolTarget(c, qr, upper, q, t, targetTop, targetRowBase);
              if (targetLower.offer(c, lower)) {
                targetBound[c] = Math.max(targetBound[c], targetLower.min(c));
              }
            }
          } else {
            rowPool.add(0, c, Double.POSITIVE_INFINITY);
            poolTarget(c, qr, Double.POSITIVE_INFINITY, q, t, targetTop, targetRowBase);
          }
        }
      }
      // the row has seen every candidate of this target block: rescore the survivors now,
      // while the target vectors are at hand
      for (int i = 0, n = rowPool.size(0); i < n; i++) {
        if (rowPool.upper(0, i) < rowBound) {
          continue; // pruned lazily: the bound rose after it was pooled
        }
        int c = rowPool.index(0, i);
        double exact = dot(qd, qoff, td, c * d, d);
        rescored++;
        if (!Double.isNaN(exact)) { // a NaN score (non-finite factor) is never ranked
          topK.offer(row, exact, torders[c], tids[c]);
        }
      }
    }
  }

  /** Starts the target rows' selection for one shared block pair (bounds from their exact top-k). */
  private void startTargets(FactorBlock q, FactorBlock t, TopK targetTop, int targetRowBase) {
    int nt = t.rows();
    int k = targetTop.k();
    targetLower.reset(nt, k);
    // a target row gets at most q.rows() candidates per pair; 2k + 16 leaves room for the k
    // survivors of a prune plus near ties, so overflow flushes are rare
    targetPool.reset(nt, (int) Math.min(q.rows(), 2L * k + 16));
    if (targetBound.length < nt) {
      targetBound = new double[nt];
    }
    for (int c = 0; c < nt; c++) {
      targetLower.load(c, targetTop, targetRowBase + c);
      targetBound[c] = targetLower.min(c);
    }
  }

  /** Pools query row {@code qr} as a candidate of target row {@code c}, pruning or flushing a full pool. */
  private void poolTarget(int c, int qr, double upper, FactorBlock q, FactorBlock t, TopK targetTop,
      int targetRowBase) {
    if (targetPool.full(c)) {
      targetPool.prune(c, targetBound[c]);
      if (2 * targetPool.size(c) > targetPool.capacity()) {
        // many candidates within the margin of each other (near ties): rescore them now
        earlyFlushes++;
        flushTarget(c, q, t, targetTop, targetRowBase);
      }
    }
    targetPool.add(c, qr, upper);
  }

  /**
   * Rescores the surviving candidates of target row {@code c} exactly, offers them to its top-k,
   * and raises its bound to the new exact threshold. Candidates are query rows: the same
   * {@link #dot} (query first) as the query direction, so a pair's score is identical both ways.
   */
  private void flushTarget(int c, FactorBlock q, FactorBlock t, TopK targetTop, int targetRowBase) {
    int d = q.dim();
    float[] qd = q.data();
    float[] td = t.data();
    int row = targetRowBase + c;
    double rowBound = targetBound[c];
    for (int i = 0, n = targetPool.size(c); i < n; i++) {
      if (targetPool.upper(c, i) < rowBound) {
        continue;
      }
      int qr = targetPool.index(c, i);
      double exact = dot(qd, qr * d, td, c * d, d);
      rescored++;
      if (!Double.isNaN(exact)) {
        targetTop.offer(row, exact, q.order(qr), q.id(qr));
      }
    }
    targetPool.clear(c);
    // both are k-th largest scores or lower bounds of distinct candidates: either certifies
    targetBound[c] = Math.max(targetTop.threshold(row), targetLower.min(c));
  }

  /**
   * Per row, the k largest certified lower bounds seen (exact kept scores, and {@code f - tol} of
   * candidates), as a min-heap in flat arrays: once k are held, the root is a lower bound of the
   * exact k-th best score (k distinct candidates have an exact score at least that large).
   */
  static final class LowerBounds {
    private double[] heap = new double[0];
    private int[] sizes = new int[0];
    private int k;

    /** Empties rows {@code 0 .. rows-1}, keeping {@code k} bounds each (reuses the arrays). */
    void reset(int rows, int k) {
      this.k = k;
      if (heap.length < rows * k) {
        heap = new double[rows * k];
      }
      if (sizes.length < rows) {
        sizes = new int[rows];
      }
      Arrays.fill(sizes, 0, rows, 0);
    }

    /**
     * Starts the row from the exact scores kept in row {@code topRow} of {@code top} (same k):
     * they are lower bounds of distinct candidates too, so the block's survivors are those that
     * can enter the top-k of everything seen, not only of this block.
     */
    void load(int row, TopK top, int topRow) {
      sizes[row] = top.copyHeapScores(topRow, heap, row * k);
    }

    /** The k-th largest bound of the row, or negative infinity while fewer than k are held. */
    double min(int row) {
      return sizes[row] < k ? Double.NEGATIVE_INFINITY : heap[row * k];
    }

    /** Adds a bound if it is among the row's k largest; returns true when it was kept. */
    boolean offer(int row, double v) {
      if (k == 0) {
        return false;
      }
      int base = row * k;
      int n = sizes[row];
      if (n < k) {
        int i = n;
        while (i > 0) {
          int parent = (i - 1) >>> 1;
          if (heap[base + parent] <= v) {
            break;
          }
          heap[base + i] = heap[base + parent];
          i = parent;
        }
        heap[base + i] = v;
        sizes[row] = n + 1;
        return true;
      }
      if (!(v > heap[base])) {
        return false;
      }
      int i = 0;
      while (true) {
        int left = 2 * i + 1;
        if (left >= k) {
          break;
        }
        int least = left;
        if (left + 1 < k && heap[base + left + 1] < heap[base + left]) {
          least = left + 1;
        }
        if (heap[base + least] >= v) {
          break;
        }
        heap[base + i] = heap[base + least];
        i = least;
      }
      heap[base + i] = v;
      return true;
    }
  }

  /** Per row, candidates awaiting exact rescoring: an index and the upper bound f + tol. */
  static final class Pool {
    private int[] indices = new int[0];
    private double[] uppers = new double[0];
    private int[] sizes = new int[0];
    private int capacity;

    /** Empties rows {@code 0 .. rows-1} with room for {@code capacity} candidates each. */
    void reset(int rows, int capacity) {
      this.capacity = capacity;
      int cells = Math.multiplyExact(rows, capacity);
      if (indices.length < cells) {
        indices = new int[cells];
        uppers = new double[cells];
      }
      if (sizes.length < rows) {
        sizes = new int[rows];
      }
      Arrays.fill(sizes, 0, rows, 0);
    }

    int capacity() {
      return capacity;
    }

    int size(int row) {
      return sizes[row];
    }

    boolean full(int row) {
      return sizes[row] == capacity;
    }

    void add(int row, int index, double upper) {
      int at = row * capacity + sizes[row]++;
      indices[at] = index;
      uppers[at] = upper;
    }

    int index(int row, int i) {
      return indices[row * capacity + i];
    }

    double upper(int row, int i) {
      return uppers[row * capacity + i];
    }

    /** Drops the row's candidates whose upper bound is below {@code bound} (certified out). */
    void prune(int row, double bound) {
      int base = row * capacity;
      int kept = 0;
      for (int i = 0; i < sizes[row]; i++) {
        if (!(uppers[base + i] < bound)) {
          indices[base + kept] = indices[base + i];
          uppers[base + kept] = uppers[base + i];
          kept++;
        }
      }
      sizes[row] = kept;
    }

    void clear(int row) {
      sizes[row] = 0;
    }
  }

  /**
   * {@code x} as a component of a stored vector: the nearest float, with a subnormal one (below
   * {@link Float#MIN_NORMAL} in magnitude) stored as a zero of its sign. A BLAS may flush subnormal
   * inputs to zero (DAZ); then it would multiply other numbers than the double rescoring, by up to
   * {@code MIN_NORMAL} times the other vector's norm, more than {@link #tolerance} allows for tiny
   * scores. Stored this way, every BLAS and the rescoring see the same vector.
   */
  public static float stored(double x) {
    float f = (float) x;
    return Math.abs(f) < Float.MIN_NORMAL ? Math.copySign(0f, f) : f;
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
   * (about 4 cycles), four keep the adder busy. Every candidate that survives the float
   * selection is rescored here (about k·H(B) per row over B target blocks), and four
   * sums made it about 3x faster. The order of additions is fixed and the same for (a, b) and
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

  /** Target pools rescored before their block pair ended (still over half full after a prune). */
  long earlyFlushes() {
    return earlyFlushes;
  }
}
