package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKTest {

  @Test
  void keepsTheBestKInScoreOrder() {
    TopK t = new TopK(1, 3);
    double[] scores = {0.1, 0.9, 0.5, 0.7, 0.3, 0.8};
    for (int i = 0; i < scores.length; i++) {
      t.offer(0, scores[i], i, "i" + i);
    }
    TopK.Entry[] e = t.sorted(0);
    assertEquals(3, e.length);
    assertEquals("i1", e[0].id());
    assertEquals("i5", e[1].id());
    assertEquals("i3", e[2].id());
    assertEquals(0.7, t.threshold(0));
  }

  @Test
  void tiesBrokenByOrderAscendingWhateverTheOfferOrder() {
    for (long seed = 0; seed < 20; seed++) {
      List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
      Collections.shuffle(order, new Random(seed));
      TopK t = new TopK(1, 3);
      for (int o : order) {
        t.offer(0, o == 5 ? 2.0 : 1.0, o, "i" + o); // i5 best, then i0..i4 all tied
      }
      TopK.Entry[] e = t.sorted(0);
      assertEquals(List.of("i5", "i0", "i1"), List.of(e[0].id(), e[1].id(), e[2].id()), "seed " + seed);
    }
  }

  @Test
  void thresholdIsMinusInfinityUntilFull() {
    TopK t = new TopK(2, 2);
    assertEquals(Double.NEGATIVE_INFINITY, t.threshold(1));
    t.offer(1, 5, 0, "a");
    assertEquals(Double.NEGATIVE_INFINITY, t.threshold(1));
    t.offer(1, 3, 1, "b");
    assertEquals(3.0, t.threshold(1));
    assertFalse(t.offer(1, 2, 2, "c"));
    assertFalse(t.offer(1, 3, 2, "c"), "equal score with a larger order key must not enter");
    assertTrue(t.offer(1, 3, 0, "a2"), "equal score with a smaller order key enters");
    assertEquals(0, t.size(0), "rows are independent");
  }

  @Test
  void zeroKKeepsNothing() {
    TopK t = new TopK(1, 0);
    assertFalse(t.offer(0, 1, 0, "a"));
    assertEquals(0, t.sorted(0).length);
  }

  @Test
  void matchesAFullSortOnRandomScores() {
    Random rnd = new Random(7);
    int n = 500;
    int k = 17;
    TopK t = new TopK(1, k);
    List<TopK.Entry> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double s = Math.floor(rnd.nextDouble() * 50) / 50; // many ties
      all.add(new TopK.Entry(s, i, "i" + i));
      t.offer(0, s, i, "i" + i);
    }
    all.sort(TopK::compareBestFirst);
    assertEquals(all.subList(0, k), List.of(t.sorted(0)));
  }
}
