package org.cosineaudit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The evaluation kernel alone (no Spark): blocked GEMM top-k that skips each user's seen items. */
class UnseenTopKTest {

  @Test
  void blockedTopKExcludingSeenEqualsBruteForceAcrossBlockBoundaries() {
    Random rnd = new Random(11);
    int items = 300;
    int users = 45;
    int d = 12;
    int k = 7;
    UnseenTopK.Items packed = randomItems(rnd, items, d);
    float[] u = gaussian(rnd, users * d);
    int[][] seen = new int[users][];
    for (int i = 0; i < users; i++) {
      seen[i] = randomSubset(rnd, packed.ids(), rnd.nextInt(items / 2));
    }
    // users in blocks of 16 (a partial last block), items in chunks of 41 (a partial last chunk)
    int[][] got = new UnseenTopK(packed, k, 16, 41).recommend(u, users, seen);
    for (int i = 0; i < users; i++) {
      assertArrayEquals(bruteForce(packed, u, i, seen[i], k), got[i], "user " + i);
    }
    // the result does not depend on the blocking
    assertArrayEqualsDeep(got, new UnseenTopK(packed, k, 1, 1).recommend(u, users, seen));
    assertArrayEqualsDeep(got, new UnseenTopK(packed, k, 256, 4096).recommend(u, users, seen));
  }

  @Test
  void tiesGoToTheSmallerItemIdWhateverTheLayout() {
    // items 9, 4, 7 share one vector (layout order 9 first); item 2 scores lower
    UnseenTopK.Items packed = new UnseenTopK.Items(new int[] {9, 2, 4, 7}, new float[] {1, 2, 0.5f, 1, 1, 2, 1, 2}, 2);
    float[] user = {1, 1};
    int[][] got = new UnseenTopK(packed, 2, 1, 1).recommend(user, 1, new int[][] {{}});
    assertArrayEquals(new int[] {4, 7}, got[0]);
    // 4 seen: 7 and 9 remain tied at 3, then 2 at 1.5
    got = new UnseenTopK(packed, 3, 4, 3).recommend(user, 1, new int[][] {{4}});
    assertArrayEquals(new int[] {7, 9, 2}, got[0]);
  }

  @Test
  void kAboveTheUnseenItemsReturnsEveryUnseenItemBestFirst() {
    // 3 users x 4 items, hand-checkable: scores are u · item
    UnseenTopK.Items packed = new UnseenTopK.Items(new int[] {0, 1, 2, 3},
        new float[] {1, 0, 0, 1, 1, 1, -1, 0}, 2);
    float[] users = {2, 1, 0, 1, -1, 0};
    int[][] got = new UnseenTopK(packed, 10, 2, 3).recommend(users, 3, new int[][] {{2}, {}, {0, 3}});
    // user 0 (2,1): item0 2, item1 1, item2 3 (seen), item3 -2
    assertArrayEquals(new int[] {0, 1, 3}, got[0]);
    // user 1 (0,1): item1 1, item2 1 (tie: smaller id first), item0 0, item3 0
    assertArrayEquals(new int[] {1, 2, 0, 3}, got[1]);
    // user 2 (-1,0): item1 0, item2 -1
    assertArrayEquals(new int[] {1, 2}, got[2]);
  }

  @Test
  void aNanFactorHidesNoOtherItemAndFloatOverflowStillRanks() {
    // one chunk of 5 items: item 1 has a NaN component, item 4's float score overflows to +inf
    UnseenTopK.Items packed = new UnseenTopK.Items(new int[] {0, 1, 2, 3, 4},
        new float[] {1, 0, Float.NaN, 0, 0, 1, 1, 1, 3e38f, 3e38f}, 2);
    float[] users = {1, 0.5f, Float.NaN, 1};
    int[][] got = new UnseenTopK(packed, 10, 2, 5).recommend(users, 2, new int[][] {{}, {}});
    // user 0: item4 4.5e38 (exact in double), item3 1.5, item0 1, item2 0.5; item1 NaN is never ranked
    assertArrayEquals(new int[] {4, 3, 0, 2}, got[0]);
    // user 1 has a NaN component: every score is NaN, nothing is recommended
    assertEquals(0, got[1].length);
  }

  @Test
  void userWhoHasSeenEveryItemGetsNothingAndOthersAreUnaffected() {
    Random rnd = new Random(5);
    UnseenTopK.Items packed = randomItems(rnd, 50, 4);
    int[] all = packed.ids().clone();
    Arrays.sort(all);
    float[] u = gaussian(rnd, 2 * 4);
    int[][] seen = {all, {}};
    int[][] got = new UnseenTopK(packed, 5, 2, 16).recommend(u, 2, seen);
    assertEquals(0, got[0].length);
    assertArrayEquals(bruteForce(packed, u, 1, seen[1], 5), got[1]);
  }

  @Test
  void badShapesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new UnseenTopK.Items(new int[] {1, 2}, new float[3], 2));
    UnseenTopK.Items packed = new UnseenTopK.Items(new int[] {1}, new float[] {1, 1}, 2);
    assertThrows(IllegalArgumentException.class, () -> new UnseenTopK(packed, 0, 1, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new UnseenTopK(packed, 1, 1, 1).recommend(new float[3], 2, new int[2][0]));
  }

  /** Every unseen item scored in double, sorted by score descending then id ascending. */
  private static int[] bruteForce(UnseenTopK.Items items, float[] users, int user, int[] seen, int k) {
    int d = items.dim();
    List<double[]> scored = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      int id = items.ids()[i];
      if (Arrays.stream(seen).anyMatch(s -> s == id)) {
        continue;
      }
      double s = 0;
      for (int c = 0; c < d; c++) {
        s += (double) users[user * d + c] * (double) items.data()[i * d + c];
      }
      scored.add(new double[] {s, id});
    }
    scored.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
    return scored.stream().limit(k).mapToInt(e -> (int) e[1]).toArray();
  }

  /** {@code n} items with distinct, non-contiguous ids in shuffled order. */
  private static UnseenTopK.Items randomItems(Random rnd, int n, int d) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(3 * i + 1);
    }
    Collections.shuffle(ids, rnd);
    return new UnseenTopK.Items(ids.stream().mapToInt(Integer::intValue).toArray(), gaussian(rnd, n * d), d);
  }

  private static int[] randomSubset(Random rnd, int[] ids, int size) {
    List<Integer> all = new ArrayList<>();
    for (int id : ids) {
      all.add(id);
    }
    Collections.shuffle(all, rnd);
    return all.subList(0, size).stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  private static float[] gaussian(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  private static void assertArrayEqualsDeep(int[][] expected, int[][] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertArrayEquals(expected[i], actual[i], "user " + i);
    }
  }
}
