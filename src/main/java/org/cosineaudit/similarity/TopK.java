package org.cosineaudit.similarity;

import java.util.Arrays;

/**
 * Bounded top-k of many query rows at once, in flat arrays (no per-entry objects).
 *
 * <p>Order: higher score first; equal scores by ascending {@code order} (the engine's order
 * keys follow id order, so ties go to the smaller id). Because this is a total order, the
 * kept set and its order do not depend on the order in which candidates are offered: that is
 * what makes the distributed result deterministic whatever the blocking.
 *
 * <p>Each row is a binary min-heap whose root is the worst kept entry.
 */
public final class TopK implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final int rows;
  private final int k;
  private final double[] scores;
  private final long[] orders;
  private final String[] ids;
  private final int[] sizes;

  /**
   * @param rows query rows
   * @param k entries kept per row (0 keeps nothing)
   */
  public TopK(int rows, int k) {
    if (rows < 0 || k < 0) {
      throw new IllegalArgumentException("rows and k must be >= 0, got " + rows + ", " + k);
    }
    long cells = (long) rows * k;
    if (cells > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("top-k state of " + rows + " rows x " + k
          + " entries does not fit one task; use more partitions or a smaller k");
    }
    this.rows = rows;
    this.k = k;
    this.scores = new double[(int) cells];
    this.orders = new long[(int) cells];
    this.ids = new String[(int) cells];
    this.sizes = new int[rows];
  }

  public int rows() {
    return rows;
  }

  public int k() {
    return k;
  }

  public int size(int row) {
    return sizes[row];
  }

  /**
   * The score a candidate must reach to possibly enter {@code row}: the worst kept score when
   * the row is full, otherwise negative infinity. (Reaching it is necessary, not sufficient:
   * an equal score also needs a smaller order key.)
   */
  public double threshold(int row) {
    return sizes[row] < k ? Double.NEGATIVE_INFINITY : scores[row * k];
  }

  /** Offers a candidate; returns true when it was kept. */
  public boolean offer(int row, double score, long order, String id) {
    if (k == 0) {
      return false;
    }
    int base = row * k;
    int n = sizes[row];
    if (n < k) {
      // sift up from the new leaf
      int i = n;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!worse(score, order, scores[base + parent], orders[base + parent])) {
          break;
        }
        move(base + parent, base + i);
        i = parent;
      }
      set(base + i, score, order, id);
      sizes[row] = n + 1;
      return true;
    }
    if (!worse(scores[base], orders[base], score, order)) {
      return false;
    }
    // replace the root, sift down
    int i = 0;
    while (true) {
      int left = 2 * i + 1;
      if (left >= k) {
        break;
      }
      int worst = left;
      int right = left + 1;
      if (right < k && worse(scores[base + right], orders[base + right], scores[base + left], orders[base + left])) {
        worst = right;
      }
      if (!worse(scores[base + worst], orders[base + worst], score, order)) {
        break;
      }
      move(base + worst, base + i);
      i = worst;
    }
    set(base + i, score, order, id);
    return true;
  }

  /**
   * Copies the row's kept scores to {@code dst[off ..]} in heap order and returns how many: a
   * min-heap by score (each entry's score is at most its children's), whose root is the
   * {@link #threshold} once the row is full. The kernel seeds its selection bounds with it.
   */
  int copyHeapScores(int row, double[] dst, int off) {
    int n = sizes[row];
    System.arraycopy(scores, row * k, dst, off, n);
    return n;
  }

  /** The kept entries of a row, best first. */
  public Entry[] sorted(int row) {
    int base = row * k;
    int n = sizes[row];
    Entry[] out = new Entry[n];
    for (int i = 0; i < n; i++) {
      out[i] = new Entry(scores[base + i], orders[base + i], ids[base + i]);
    }
    Arrays.sort(out, TopK::compareBestFirst);
    return out;
  }

  /** One kept neighbour. */
  public record Entry(double score, long order, String id) {}

  /** Best first: higher score, then smaller order key. */
  public static int compareBestFirst(Entry a, Entry b) {
    int c = Double.compare(b.score(), a.score());
    return c != 0 ? c : Long.compare(a.order(), b.order());
  }

  /** True when (s1, o1) ranks below (s2, o2). */
  static boolean worse(double s1, long o1, double s2, long o2) {
    return s1 < s2 || (s1 == s2 && o1 > o2);
  }

  private void move(int from, int to) {
    scores[to] = scores[from];
    orders[to] = orders[from];
    ids[to] = ids[from];
  }

  private void set(int at, double score, long order, String id) {
    scores[at] = score;
    orders[at] = order;
    ids[at] = id;
  }
}
