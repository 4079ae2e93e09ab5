package org.cosineaudit.train;

import dev.ludovic.netlib.blas.BLAS;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.cosineaudit.similarity.BlockScorer;
import org.cosineaudit.similarity.FactorBlock;
import org.cosineaudit.similarity.TopK;

/**
 * Each user's top-k items by dot product among the items the user has not seen: the exact
 * seen-item filter of held-out evaluation, as one blocked kernel (no Spark).
 *
 * <p>Users come in blocks; for each (item chunk, user block) one {@code sgemm} computes every
 * float score into a reused buffer. As in the similarity engine's {@link BlockScorer}, a
 * candidate whose float score plus a rigorous rounding bound can still reach the user's
 * threshold is checked against the user's seen items (binary search) and, if unseen, rescored
 * exactly in double and offered to a bounded {@link TopK}. Order: higher score first, equal
 * scores by ascending item id. So the result is the exact top-k of the double dot products of
 * the stored float vectors: independent of blocking, item layout and the BLAS in use.
 *
 * <p>A user gets fewer than k items when fewer than k are unseen (none when every item is seen).
 * Items whose exact score is NaN (a NaN component in the item's or the user's factor) are never
 * recommended; a NaN factor does not hide any other item (scores that overflow float, and
 * non-finite tolerances, fall through to the exact double score). Not thread-safe: one instance per task; its scratch
 * buffer holds {@code itemChunk x userBlock} floats (4 MiB at the defaults).
 */
public final class UnseenTopK {

  /** Users per GEMM call. */
  public static final int DEFAULT_USER_BLOCK = 256;
  /** Items per GEMM call. */
  public static final int DEFAULT_ITEM_CHUNK = 4096;

  private final Items items;
  private final int k;
  private final int userBlock;
  private final int itemChunk;
  private final double[] chunkMaxNorm;
  private final BLAS blas;
  private float[] buffer = new float[0];

  /**
   * @param items the candidate items
   * @param k items kept per user, >= 1
   * @param userBlock users per GEMM call, >= 1
   * @param itemChunk items per GEMM call, >= 1
   */
  public UnseenTopK(Items items, int k, int userBlock, int itemChunk) {
    if (k < 1 || userBlock < 1 || itemChunk < 1) {
      throw new IllegalArgumentException("k, user block and item chunk must be >= 1, got " + k + ", " + userBlock
          + ", " + itemChunk);
    }
    this.items = items;
    this.k = k;
    this.userBlock = userBlock;
    this.itemChunk = itemChunk;
    int chunks = (items.size() + itemChunk - 1) / itemChunk;
    this.chunkMaxNorm = new double[chunks];
    int d = items.dim();
    for (int i = 0; i < items.size(); i++) {
      int c = i / itemChunk;
      double norm = FactorBlock.norm(items.data(), i * d, d);
      // a non-finite item must not make its whole chunk's tolerance NaN (which would hide every
      // item of the chunk): its own scores are non-finite and go to the exact path below
      if (Double.isFinite(norm)) {
        chunkMaxNorm[c] = Math.max(chunkMaxNorm[c], norm);
      }
    }
    this.blas = BLAS.getInstance();
  }

  /**
   * The top-k unseen item ids of users {@code 0 .. n-1}, best first.
   *
   * @param users the users' factors, packed row-major ({@code n x dim} floats from index 0)
   * @param n users
   * @param seen each user's seen item ids, sorted ascending
   */
  public int[][] recommend(float[] users, int n, int[][] seen) {
    int d = items.dim();
    if ((long) n * d > users.length || seen.length < n) {
      throw new IllegalArgumentException(n + " users of dimension " + d + " need " + ((long) n * d) + " floats and "
          + n + " seen lists, got " + users.length + " and " + seen.length);
    }
    int[][] out = new int[n][];
    for (int u0 = 0; u0 < n; u0 += userBlock) {
      int m = Math.min(userBlock, n - u0);
      TopK top = new TopK(m, k);
      for (int i0 = 0; i0 < items.size(); i0 += itemChunk) {
        scoreChunk(users, u0, m, seen, i0, Math.min(itemChunk, items.size() - i0), top);
      }
      for (int j = 0; j < m; j++) {
        TopK.Entry[] best = top.sorted(j);
        int[] ids = new int[best.length];
        for (int r = 0; r < best.length; r++) {
          ids[r] = (int) best[r].order();
        }
        out[u0 + j] = ids;
      }
    }
    return out;
  }

  private void scoreChunk(float[] users, int u0, int m, int[][] seen, int i0, int nt, TopK top) {
    int d = items.dim();
    float[] td = items.data();
    int[] ids = items.ids();
    if (buffer.length < m * nt) {
      buffer = new float[m * nt];
    }
    // column-major view: items are d x nt, users d x m; C(nt x m) = itemsᵀ users, so the scores
    // of user j are contiguous: buffer[j*nt .. j*nt+nt)
    blas.sgemm("T", "N", nt, m, d, 1.0f, td, i0 * d, d, users, u0 * d, d, 0.0f, buffer, 0, nt);
    double bound = BlockScorer.roundingBound(d) * chunkMaxNorm[i0 / itemChunk];
    for (int j = 0; j < m; j++) {
      int uoff = (u0 + j) * d;
      int[] userSeen = seen[u0 + j];
      double tol = BlockScorer.tolerance(bound, users, uoff, d);
      double threshold = top.threshold(j);
      int base = j * nt;
      for (int c = 0; c < nt; c++) {
        // cheap float test first; only candidates that may enter are checked and rescored. A
        // non-finite float score (overflow, or a NaN factor) or tolerance proves nothing: such
        // candidates take the exact path
        float f = buffer[base + c];
        if (!Float.isFinite(f) || !(f + tol < threshold)) {
          int item = ids[i0 + c];
          if (Arrays.binarySearch(userSeen, item) >= 0) {
            continue;
          }
          double exact = BlockScorer.dot(users, uoff, td, (i0 + c) * d, d);
          if (Double.isNaN(exact)) {
            continue; // no score, no rank: a NaN factor is never recommended (TopK must not see NaN)
          }
          if (top.offer(j, exact, item, null)) {
            threshold = top.threshold(j);
          }
        }
      }
    }
  }

  /**
   * Item factors packed for the kernel: {@code ids[i]} has the factor
   * {@code data[i*dim .. i*dim+dim)}. Memory: {@code size x dim x 4} bytes (1M items x rank 64 =
   * 256 MB), held once per JVM when broadcast.
   *
   * @param ids item ids, >= 0, distinct
   * @param data {@code ids.length x dim} floats, row-major
   * @param dim components per item
   */
  public record Items(int[] ids, float[] data, int dim) implements Serializable {
    public Items {
      if (dim < 1 || (long) ids.length * dim != data.length) {
        throw new IllegalArgumentException(ids.length + " item ids and " + data.length
            + " floats do not make factors of dimension " + dim);
      }
    }

    public int size() {
      return ids.length;
    }

    /** The parts in list order, as one. */
    public static Items concat(List<Items> parts, int dim) {
      int n = 0;
      for (Items p : parts) {
        if (p.dim != dim) {
          throw new IllegalArgumentException("item factors of dimension " + p.dim + ", expected " + dim);
        }
        n += p.size();
      }
      int[] ids = new int[n];
      float[] data = new float[Math.multiplyExact(n, dim)];
      int at = 0;
      for (Items p : parts) {
        System.arraycopy(p.ids, 0, ids, at, p.size());
        System.arraycopy(p.data, 0, data, at * dim, p.data.length);
        at += p.size();
      }
      return new Items(ids, data, dim);
    }
  }
}
