package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
