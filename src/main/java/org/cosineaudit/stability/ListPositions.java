package org.cosineaudit.stability;

import java.util.HashMap;
import java.util.Map;

/** Shared bookkeeping of the rank metrics: where each item sits in a list. */
final class ListPositions {

  private ListPositions() {}

  /**
   * 1-based positions of the items of a list.
   *
   * @throws IllegalArgumentException when an item appears twice (a list of neighbours must not)
   */
  static Map<String, Integer> of(String[] list) {
    Map<String, Integer> pos = new HashMap<>(list.length * 2);
    for (int i = 0; i < list.length; i++) {
      if (pos.put(list[i], i + 1) != null) {
        throw new IllegalArgumentException("item '" + list[i] + "' appears twice in a ranked list");
      }
    }
    return pos;
  }

  /**
   * X_d = |a[1..d] intersect b[1..d]| for d = 0..depth (prefixes longer than a list are the
   * whole list). An item common to both lists counts from depth max(its two positions) on.
   */
  static int[] cumulativeOverlap(String[] a, String[] b, int depth) {
    Map<String, Integer> posB = of(b);
    of(a); // reject duplicates in a as well
    int[] x = new int[depth + 1];
    for (int i = 0; i < a.length; i++) {
      Integer j = posB.get(a[i]);
      if (j != null) {
        int from = Math.max(i + 1, j);
        if (from <= depth) {
          x[from]++;
        }
      }
    }
    for (int d = 1; d <= depth; d++) {
      x[d] += x[d - 1];
    }
    return x;
  }
}
