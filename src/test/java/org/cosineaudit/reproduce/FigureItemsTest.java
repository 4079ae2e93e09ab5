package org.cosineaudit.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FigureItemsTest {

  /** cluster c has 10 * (c + 1) items with popularity = their number (higher = more popular). */
  static List<FigureItems.Item> catalogue() {
    List<FigureItems.Item> items = new ArrayList<>();
    int index = 0;
    for (int c = 2; c >= 0; c--) { // clusters listed out of order on purpose
      for (int j = 0; j < 10 * (c + 1); j++) {
        items.add(new FigureItems.Item(index, "i" + index, c, j));
        index++;
      }
    }
    return items;
  }

  @Test
  void allItemsWhenTheyFitSortedByClusterThenFallingPopularity() {
    List<FigureItems.Item> shown = FigureItems.select(catalogue(), 1000);
    assertEquals(60, shown.size());
    for (int i = 1; i < shown.size(); i++) {
      FigureItems.Item a = shown.get(i - 1);
      FigureItems.Item b = shown.get(i);
      assertTrue(a.cluster() < b.cluster() || (a.cluster() == b.cluster() && a.popularity() >= b.popularity()),
          a + " before " + b);
    }
    assertEquals(List.of(10, 30), FigureItems.clusterStarts(shown));
  }

  @Test
  void samplingIsProportionalPerClusterAndSpansHeadAndTail() {
    List<FigureItems.Item> shown = FigureItems.select(catalogue(), 12);
    assertEquals(12, shown.size());
    int[] perCluster = new int[3];
    for (FigureItems.Item it : shown) {
      perCluster[it.cluster()]++;
    }
    assertEquals(2, perCluster[0]); // 10/60 * 12
    assertEquals(4, perCluster[1]); // 20/60 * 12
    assertEquals(6, perCluster[2]); // 30/60 * 12
    // cluster 2 (30 items, popularity 29..0): every 5th by rank, starting at the most popular
    List<Double> pops = shown.stream().filter(i -> i.cluster() == 2).map(FigureItems.Item::popularity).toList();
    assertEquals(List.of(29.0, 24.0, 19.0, 14.0, 9.0, 4.0), pops);
  }

  @Test
  void everyClusterKeepsAnItemEvenWhenTiny() {
    List<FigureItems.Item> items = new ArrayList<>(catalogue());
    items.add(new FigureItems.Item(60, "lonely", 7, 1.0));
    List<FigureItems.Item> shown = FigureItems.select(items, 6);
    assertTrue(shown.stream().anyMatch(i -> i.cluster() == 7));
    assertTrue(shown.stream().anyMatch(i -> i.cluster() == 0));
  }
}
