package org.cosineaudit.reproduce;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The items a heat map shows, in the paper's order: by cluster, then by falling popularity
 * (ties by id). When there are more items than {@code maxItems}, each cluster contributes in
 * proportion to its size (largest remainders, at least one item per non-empty cluster) and its
 * items are taken at evenly spaced popularity ranks, so head and tail are both shown.
 * Deterministic: no randomness involved.
 */
public final class FigureItems {

  /** One item: its column in X, its ground-truth cluster (0 when unknown) and popularity. */
  public record Item(int index, String id, int cluster, double popularity) {}

  private FigureItems() {}

  /** The selected items in display order. */
  public static List<Item> select(List<Item> all, int maxItems) {
    if (maxItems < 1) {
      throw new IllegalArgumentException("maxItems must be >= 1, got " + maxItems);
    }
    Map<Integer, List<Item>> byCluster = new TreeMap<>();
    for (Item it : all) {
      byCluster.computeIfAbsent(it.cluster(), c -> new ArrayList<>()).add(it);
    }
    Comparator<Item> order = Comparator.comparingDouble(Item::popularity).reversed().thenComparing(Item::id);
    for (List<Item> members : byCluster.values()) {
      members.sort(order);
    }
    int total = all.size();
    if (total <= maxItems) {
      List<Item> out = new ArrayList<>(total);
      byCluster.values().forEach(out::addAll);
      return out;
    }
    List<Integer> clusters = new ArrayList<>(byCluster.keySet());
    int c = clusters.size();
    int budget = Math.max(maxItems, c);
    int[] take = new int[c];
    double[] remainder = new double[c];
    int used = 0;
    for (int j = 0; j < c; j++) {
      double exact = (double) budget * byCluster.get(clusters.get(j)).size() / total;
      take[j] = Math.max(1, (int) Math.floor(exact));
      remainder[j] = exact - Math.floor(exact);
      used += take[j];
    }
    while (used < budget) { // hand out the rest by largest remainder (ties: lower cluster first)
      int best = -1;
      for (int j = 0; j < c; j++) {
        if (take[j] < byCluster.get(clusters.get(j)).size() && (best < 0 || remainder[j] > remainder[best])) {
          best = j;
        }
      }
      take[best]++;
      remainder[best] = -1;
      used++;
    }
    List<Item> out = new ArrayList<>(budget);
    for (int j = 0; j < c; j++) {
      List<Item> members = byCluster.get(clusters.get(j));
      int m = Math.min(take[j], members.size());
      for (int t = 0; t < m; t++) {
        out.add(members.get((int) ((long) t * members.size() / m)));
      }
    }
    return out;
  }

  /** Positions (in display order) where a new cluster starts, for boundary lines. */
  public static List<Integer> clusterStarts(List<Item> selected) {
    List<Integer> starts = new ArrayList<>();
    for (int i = 1; i < selected.size(); i++) {
      if (selected.get(i).cluster() != selected.get(i - 1).cluster()) {
        starts.add(i);
      }
    }
    return starts;
  }
}
