package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kernel alone (no Spark): blocks, GEMM, float pre-filter, exact rescoring, top-k. */
class BlockScorerTest {

  @Test
  void blockedTopKEqualsBruteForceAcrossBlockBoundaries() {
    Random rnd = new Random(3);
    int n = 300;
    int d = 12;
    int k = 7;
    float[][] v = new float[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        v[i][j] = (float) rnd.nextGaussian();
      }
    }
    v[17] = v[5].clone(); // an exact tie for every query
    List<FactorBlock> blocks = pack(v, 41);
    // two query blocks in one task, chunks of 16 rows: many partial GEMMs
    BlockScorer scorer = new BlockScorer(blocks.subList(1, 3), k, 16);
    for (FactorBlock t : blocks) {
      scorer.score(t);
    }
    int row = 0;
    for (FactorBlock q : blocks.subList(1, 3)) {
      for (int r = 0; r < q.rows(); r++, row++) {
        int qi = (int) q.order(r);
        List<TopK.Entry> expected = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          if (j != qi) {
            expected.add(new TopK.Entry(BlockScorer.dot(v[qi], 0, v[j], 0, d), j, "i" + j));
          }
        }
        expected.sort(TopK::compareBestFirst);
        assertEquals(expected.subList(0, k), List.of(scorer.topK().sorted(row)), "query " + qi);
      }
    }
    assertEquals(2L * n * (41 + 41) * d, scorer.flops());
  }

  @Test
  void sharedBlockPairsGiveBothSidesTheirTopK() {
    Random rnd = new Random(4);
    int n = 90;
    int d = 5;
    int k = 6;
    float[][] v = new float[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        v[i][j] = (float) rnd.nextGaussian();
      }
    }
    List<FactorBlock> blocks = pack(v, 30); // 3 blocks
    // one task owns blocks 0 and 1; block 2 is remote. Pairs: (0,0) (1,1) (0,1) shared, (0,2), (1,2).
    BlockScorer scorer = new BlockScorer(blocks.subList(0, 2), k, 7);
    TopK remote = new TopK(30, k);
    scorer.scorePair(0, blocks.get(0), null, 0);
    scorer.scorePair(1, blocks.get(1), null, 0);
    scorer.scorePair(0, blocks.get(1), scorer.topK(), scorer.rowOffset(1));
    scorer.scorePair(0, blocks.get(2), remote, 0);
    scorer.scorePair(1, blocks.get(2), remote, 0);
    for (int qi = 0; qi < n; qi++) {
      List<TopK.Entry> all = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        if (j != qi && (qi < 60 || j < 60)) { // block 2's rows only saw blocks 0 and 1 here
          all.add(new TopK.Entry(BlockScorer.dot(v[qi], 0, v[j], 0, d), j, "i" + j));
        }
      }
      all.sort(TopK::compareBestFirst);
      TopK.Entry[] got = qi < 60 ? scorer.topK().sorted(qi) : remote.sorted(qi - 60);
      assertEquals(all.subList(0, k), List.of(got), "row " + qi);
    }
    assertEquals(2L * d * (30 * 30 * 5), scorer.flops(), "five block pairs, each scored once");
  }

  @Test
  void sharedPairWhoseTargetRowsOverlapTheQueryRowsOfTheSameTopKIsRefused() {
    // both directions of such a pair land in the same rows: every pair would be offered twice
    Random rnd = new Random(9);
    float[][] v = new float[30][3];
    for (float[] row : v) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) rnd.nextGaussian();
      }
    }
    List<FactorBlock> blocks = pack(v, 10); // rows 0..9, 10..19, 20..29 of one top-k
    BlockScorer scorer = new BlockScorer(blocks, 2, 4);
    TopK own = scorer.topK();
    IllegalArgumentException self = assertThrows(IllegalArgumentException.class,
        () -> scorer.scorePair(1, blocks.get(1), own, scorer.rowOffset(1)));
    assertTrue(self.getMessage().contains("[10, 20) overlap the rows [10, 20) of query block 1"), self.getMessage());
    // partial overlaps from either side
    assertThrows(IllegalArgumentException.class, () -> scorer.scorePair(1, blocks.get(2), own, 19));
    assertThrows(IllegalArgumentException.class, () -> scorer.scorePair(1, blocks.get(0), own, 1));
    assertEquals(0L, scorer.flops(), "a refused pair is not scored");
    for (int r = 0; r < 30; r++) {
      assertEquals(0, own.size(r), "nothing offered to row " + r);
    }
    // adjacent row ranges, and another top-k over the same row numbers, are fine
    scorer.scorePair(1, blocks.get(0), own, scorer.rowOffset(0));
    scorer.scorePair(1, blocks.get(2), own, scorer.rowOffset(2));
    scorer.scorePair(1, blocks.get(1), new TopK(30, 2), scorer.rowOffset(1));
    assertEquals(3L * 2 * 10 * 10 * 3, scorer.flops());
  }

  @Test
  void mergingPartialListsKeepsTheBestKInOrder() {
    NeighbourList a = new NeighbourList(new double[] {0.9, 0.5, 0.5}, new long[] {4, 1, 7}, new String[] {"d", "a", "g"});
    NeighbourList b = new NeighbourList(new double[] {0.7, 0.5}, new long[] {2, 3}, new String[] {"b", "c"});
    NeighbourList m = NeighbourList.merge(a, b, 4);
    assertEquals(List.of("d", "b", "a", "c"), List.of(m.ids()));
  }

  @Test
  void symmetricPlanScoresEveryUnorderedBlockPairExactlyOnce() {
    for (int blocks = 2; blocks <= 9; blocks++) {
      EngineFunctions.BlockPlan plan = EngineFunctions.BlockPlan.of(java.util.Collections.nCopies(blocks, 1), 2, true);
      int[] load = new int[blocks];
      for (int i = 0; i < blocks; i++) {
        assertEquals(true, plan.needs(i, i));
        for (int j = i + 1; j < blocks; j++) {
          assertEquals(1, (plan.needs(i, j) ? 1 : 0) + (plan.needs(j, i) ? 1 : 0), blocks + ": " + i + "," + j);
          load[plan.needs(i, j) ? i : j]++;
        }
      }
      for (int l : load) {
        assertEquals((blocks - 1) / 2.0, l, 0.5, "balanced: every block is the query side of about half its pairs");
      }
    }
  }

  static List<FactorBlock> pack(float[][] v, int blockSize) {
    List<FactorBlock> out = new ArrayList<>();
    int d = v[0].length;
    for (int from = 0; from < v.length; from += blockSize) {
      int to = Math.min(v.length, from + blockSize);
      String[] ids = new String[to - from];
      long[] orders = new long[to - from];
      float[] data = new float[(to - from) * d];
      for (int i = from; i < to; i++) {
        ids[i - from] = "i" + i;
        orders[i - from] = i;
        System.arraycopy(v[i], 0, data, (i - from) * d, d);
      }
      out.add(new FactorBlock(ids, orders, data, d));
    }
    return out;
  }
}
