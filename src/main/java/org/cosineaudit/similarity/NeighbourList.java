package org.cosineaudit.similarity;

import java.io.Serializable;

/**
 * A (possibly partial) neighbour list of one item, best first: what a task found for it.
 * Lists from different tasks merge exactly ({@link #merge}) because the order (score
 * descending, order key ascending) is total.
 */
public record NeighbourList(double[] scores, long[] orders, String[] ids) implements Serializable {

  public int size() {
    return scores.length;
  }

  /** The best-first list of row {@code row} of a top-k. */
  public static NeighbourList of(TopK top, int row) {
    TopK.Entry[] e = top.sorted(row);
    double[] s = new double[e.length];
    long[] o = new long[e.length];
    String[] id = new String[e.length];
    for (int i = 0; i < e.length; i++) {
      s[i] = e[i].score();
      o[i] = e[i].order();
      id[i] = e[i].id();
    }
    return new NeighbourList(s, o, id);
  }

  /** The best {@code k} of two best-first lists (a merge step of merge sort). */
  public static NeighbourList merge(NeighbourList a, NeighbourList b, int k) {
    int n = Math.min(k, a.size() + b.size());
    double[] s = new double[n];
    long[] o = new long[n];
    String[] id = new String[n];
    int i = 0;
    int j = 0;
    for (int r = 0; r < n; r++) {
      boolean takeA = j >= b.size() || (i < a.size() && !TopK.worse(a.scores[i], a.orders[i], b.scores[j], b.orders[j]));
      if (takeA) {
        s[r] = a.scores[i];
        o[r] = a.orders[i];
        id[r] = a.ids[i++];
      } else {
        s[r] = b.scores[j];
        o[r] = b.orders[j];
        id[r] = b.ids[j++];
      }
    }
    return new NeighbourList(s, o, id);
  }
}
