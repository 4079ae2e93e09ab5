package org.cosineaudit.similarity;

import static org.cosineaudit.similarity.SimilarityFixtures.collect;
import static org.cosineaudit.similarity.SimilarityFixtures.factors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.run.InputException;
import org.cosineaudit.similarity.SimilarityFixtures.Hit;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/**
 * The engine on Spark: hand-computed 4-item cases for every measure, brute force on random
 * data, score-space invariance, tie order, bad input.
 */
class ItemNeighboursTest {

  private static final SparkSession SPARK = SparkTestSession.get();
  // a = (1,0), b = (1,1), c = (0,2), d = (-1,0): every score below is worked out by hand
  private static final String[] IDS = {"a", "b", "c", "d"};
  private static final double[][] V = {{1, 0}, {1, 1}, {0, 2}, {-1, 0}};
  private static final double R2 = Math.sqrt(2);
  private static final double R5 = Math.sqrt(5);
  /** Scores of float inputs, rescored in double: agree with the exact values to float precision. */
  private static final double EPS = 1e-6;

  /**
   * Every item's three neighbours under each measure, hand-computed and in rank order (equal
   * scores: smaller id first); a k gets the first min(k, 3) of them.
   */
  private static Map<Measure, Map<String, Object[]>> handComputed() {
    Map<Measure, Map<String, Object[]>> m = new EnumMap<>(Measure.class);
    // cosine: a·b = 1/√2, a·c = 0, a·d = -1, b·c = 2/(√2·2) = 1/√2, b·d = -1/√2, c·d = 0
    m.put(Measure.COSINE, Map.of(
        "a", new Object[] {"b", 1 / R2, "c", 0, "d", -1},
        "b", new Object[] {"a", 1 / R2, "c", 1 / R2, "d", -1 / R2}, // tie -> smaller id first
        "c", new Object[] {"b", 1 / R2, "a", 0, "d", 0},            // a and d tie at 0 -> a
        "d", new Object[] {"c", 0, "b", -1 / R2, "a", -1}));
    // dot: a·b = 1, a·c = 0, a·d = -1, b·c = 2, b·d = -1, c·d = 0
    m.put(Measure.DOT, Map.of(
        "a", new Object[] {"b", 1, "c", 0, "d", -1},
        "b", new Object[] {"c", 2, "a", 1, "d", -1},
        "c", new Object[] {"b", 2, "a", 0, "d", 0},
        "d", new Object[] {"c", 0, "a", -1, "b", -1}));
    // centered: mean (1/4, 3/4); 4(v - mean) = a (3,-3), b (3,1), c (-1,5), d (-5,-3)
    // a·b = 6/(√18·√10) = 1/√5, a·c = -18/(√18·√26) = -3/√13, a·d = -6/(√18·√34) = -1/√17,
    // b·c = 2/(√10·√26) = 1/√65, b·d = -18/(√10·√34), c·d = -10/(√26·√34)
    m.put(Measure.CENTERED_COSINE, Map.of(
        "a", new Object[] {"b", 1 / R5, "d", -1 / Math.sqrt(17), "c", -3 / Math.sqrt(13)},
        "b", new Object[] {"a", 1 / R5, "c", 1 / Math.sqrt(65), "d", -18 / Math.sqrt(340)},
        "c", new Object[] {"b", 1 / Math.sqrt(65), "d", -10 / Math.sqrt(884), "a", -3 / Math.sqrt(13)},
        "d", new Object[] {"a", -1 / Math.sqrt(17), "c", -10 / Math.sqrt(884), "b", -18 / Math.sqrt(340)}));
    // score-cosine with users (1,0) and (0,2): G = diag(1, 4), L = diag(1, 2);
    // V L: a (1,0), b (1,2), c (0,4), d (-1,0)
    // a·b = 1/√5, a·c = 0, a·d = -1, b·c = 8/(√5·4) = 2/√5, b·d = -1/√5, c·d = 0
    m.put(Measure.SCORE_COSINE, Map.of(
        "a", new Object[] {"b", 1 / R5, "c", 0, "d", -1},
        "b", new Object[] {"c", 2 / R5, "a", 1 / R5, "d", -1 / R5},
        "c", new Object[] {"b", 2 / R5, "a", 0, "d", 0},
        "d", new Object[] {"c", 0, "b", -1 / R5, "a", -1}));
    return m;
  }

  @Test
  void handComputedEveryMeasureForKBelowEqualAndAboveItemCount() {
    Dataset<Row> users = factors(SPARK, new String[] {"u1", "u2"}, new double[][] {{1, 0}, {0, 2}});
    Map<Measure, Map<String, Object[]>> expected = handComputed();
    assertEquals(EnumSet.allOf(Measure.class), expected.keySet(), "every measure has its hand-computed case");
    try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(SPARK, factors(SPARK, IDS, V), users,
        EngineOptions.defaults(), "fixture", "users")) {
      for (Measure measure : Measure.values()) {
        // below the 3 others, equal to them, equal to the item count, above it
        for (int k : new int[] {2, 3, 4, 10}) {
          try (NeighbourResult r = p.compute(measure, k)) {
            Map<String, List<Hit>> m = collect(r);
            int kept = Math.min(k, 3);
            for (String id : IDS) {
              assertHits(m.get(id), Arrays.copyOf(expected.get(measure).get(id), 2 * kept));
            }
            assertEquals(kept, r.neighboursPerItem(), measure + " k=" + k);
            assertEquals(4L * kept, r.neighbours().count(), measure + " k=" + k);
            if (measure == Measure.SCORE_COSINE) {
              assertEquals("cholesky", r.scoreSpaceFactor());
            }
          }
        }
      }
    }
  }

  @Test
  void centeredCosineMeanIsTheSameToTheBitForAnyPartitioningAndBlocking() {
    // a shifted cloud (large, nearly equal components): sums in another grouping differ in the last bits
    java.util.Random rnd = new java.util.Random(17);
    int n = 3000;
    int d = 6;
    String[] ids = new String[n];
    double[][] v = new double[n][d];
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      ids[i] = "item" + i;
      for (int j = 0; j < d; j++) {
        v[i][j] = (float) (1000 + rnd.nextGaussian()); // stored as float: the mean below sums the same values
        mean[j] += v[i][j] / n;
      }
    }
    Dataset<Row> items = factors(SPARK, ids, v);
    double[] first = null;
    for (Object[] setup : new Object[][] {{items.coalesce(1), EngineOptions.defaults()},
        {items.repartition(7), new EngineOptions(64, 5, 10)}, {items.repartition(3), new EngineOptions(500, 2, 10)}}) {
      try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(SPARK, (Dataset<Row>) setup[0], null,
          (EngineOptions) setup[1], "fixture", "users")) {
        double[] c = p.centering();
        if (first == null) {
          first = c;
          for (int j = 0; j < d; j++) {
            assertEquals(mean[j], c[j], 1e-9);
          }
        } else {
          org.junit.jupiter.api.Assertions.assertArrayEquals(first, c, 0.0);
        }
      }
    }
  }

  @Test
  void userGramIsTheSameToTheBitForAnySplitOfTheUserTable() {
    java.util.Random rnd = new java.util.Random(23);
    int n = 2500;
    String[] ids = new String[n];
    double[][] v = new double[n][4];
    for (int i = 0; i < n; i++) {
      ids[i] = "u" + i;
      for (int j = 0; j < 4; j++) {
        v[i][j] = 100 + rnd.nextGaussian();
      }
    }
    Dataset<Row> users = factors(SPARK, ids, v);
    double[] one = ItemNeighbours.UserGram.compute(users.coalesce(1), 4, "users").gram();
    double[] seven = ItemNeighbours.UserGram.compute(users.repartition(7), 4, "users").gram();
    org.junit.jupiter.api.Assertions.assertArrayEquals(one, seven, 0.0);
    // non-adjacent duplicates in the input are still found (the fixed partitioning sorts by id)
    String[] dupIds = ids.clone();
    dupIds[n - 1] = "u0";
    InputException dup = assertThrows(InputException.class,
        () -> ItemNeighbours.UserGram.compute(factors(SPARK, dupIds, v).repartition(3), 4, "users"));
    assertTrue(dup.getMessage().startsWith("users: 1 duplicate ids ('u0')"), dup.getMessage());
  }

  @Test
  void zeroVectorIsReportedNotDividedAndKeptForDot() {
    String[] ids = {"a", "b", "c", "z"};
    double[][] v = {{1, 0}, {1, 1}, {0, 2}, {0, 0}};
    try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(SPARK, factors(SPARK, ids, v), null,
        EngineOptions.defaults(), "fixture", "users")) {
      try (NeighbourResult r = p.compute(Measure.COSINE, 5)) {
        assertEquals(List.of("z"), r.zeroNormIds());
        assertEquals(1, r.zeroNormCount());
        assertEquals(3, r.scoredItems());
        Map<String, List<Hit>> m = collect(r);
        assertEquals(3, m.size(), "no row for the zero vector");
        for (List<Hit> hits : m.values()) {
          assertEquals(2, hits.size());
          hits.forEach(h -> assertNotEquals("z", h.neighbour()));
          hits.forEach(h -> assertTrue(Double.isFinite(h.score())));
        }
      }
      try (NeighbourResult r = p.compute(Measure.DOT, 5)) {
        assertEquals(0, r.zeroNormCount());
        assertHits(collect(r).get("z"), "a", 0, "b", 0, "c", 0);
      }
    }
  }

  @Test
  void tiesBrokenByNeighbourIdAscendingWhateverBlockingOrPartitions() {
    // 30 identical vectors given in reverse id order, a query close to them, 110 others
    int n = 142;
    String[] ids = new String[n];
    double[][] v = new double[n][];
    Random rnd = new Random(1);
    for (int i = 0; i < 30; i++) {
      ids[i] = String.format("t%02d", 30 - i);
      v[i] = new double[] {1, 1, 0};
    }
    ids[30] = "q";
    v[30] = new double[] {1, 0.5, 0};
    ids[31] = "far";
    v[31] = new double[] {-1, 0, 0};
    for (int i = 32; i < n; i++) {
      ids[i] = String.format("r%03d", i);
      v[i] = new double[] {rnd.nextGaussian(), rnd.nextGaussian(), 5 + rnd.nextDouble()};
    }
    List<Row> first = null;
    // one block (no shared pairs); several blocks in one task; several blocks over several tasks
    for (EngineOptions o : List.of(EngineOptions.defaults(), new EngineOptions(16, 1, 10),
        new EngineOptions(16, 2, 10))) {
      try (NeighbourResult r = ItemNeighbours.compute(SPARK, factors(SPARK, ids, v), null, Measure.COSINE, 3, o)) {
        assertEquals(List.of("t01", "t02", "t03"), neighbourIds(collect(r).get("q")));
        assertEquals(List.of("t02", "t03", "t04"), neighbourIds(collect(r).get("t01")));
        assertEquals(List.of("t01", "t02", "t03"), neighbourIds(collect(r).get("t30")));
        List<Row> rows = SimilarityFixtures.sortedRows(r);
        if (first == null) {
          first = rows;
        } else {
          assertEquals(first, rows, "identical results (bits included) for " + o);
        }
      }
    }
  }

  @Test
  void topKMatchesBruteForceForEveryMeasureOnRandomData() {
    Random rnd = new Random(11);
    int n = 200;
    int d = 9;
    int k = 10;
    String[] ids = SimilarityFixtures.ids("i", n);
    double[][] v = SimilarityFixtures.gaussian(rnd, n, d);
    for (int i = 0; i < n; i++) {
      v[i][0] += 0.7; // a common offset: centering matters
    }
    double[][] u = SimilarityFixtures.gaussian(rnd, 40, d);
    for (double[] row : u) {
      row[1] *= 3; // non-isotropic users: score space differs from item space
    }
    Dataset<Row> items = SimilarityFixtures.doubleFactors(SPARK, ids, v);
    Dataset<Row> users = SimilarityFixtures.doubleFactors(SPARK, SimilarityFixtures.ids("u", 40), u);
    // small blocks and several tasks: many block pairs per task
    try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(SPARK, items, users, new EngineOptions(32, 3, 10),
        "random", "random users")) {
      for (Measure m : Measure.values()) {
        double[][] exact = SimilarityFixtures.bruteForceScores(m, v, u);
        try (NeighbourResult r = p.compute(m, k)) {
          Map<String, List<Hit>> got = collect(r);
          assertEquals(n, got.size(), m.id());
          for (int i = 0; i < n; i++) {
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < n; j++) {
              if (j != i) {
                order.add(j);
              }
            }
            final int qi = i;
            order.sort((x, y) -> Double.compare(exact[qi][y], exact[qi][x]));
            List<Hit> hits = got.get(ids[i]);
            assertEquals(k, hits.size());
            for (int rank = 0; rank < k; rank++) {
              Hit h = hits.get(rank);
              int j = Integer.parseInt(h.neighbour().substring(1));
              double scale = m == Measure.DOT ? Math.sqrt(exact[i][i] * exact[j][j]) : 1;
              // float inputs of the engine vs double reference: ~1e-7 relative
              assertEquals(exact[i][j], h.score(), 1e-5 * scale, m.id() + " score " + ids[i] + "-" + h.neighbour());
              assertEquals(exact[i][order.get(rank)], h.score(), 1e-5 * scale,
                  m.id() + " rank " + (rank + 1) + " of " + ids[i]);
            }
          }
        }
      }
    }
  }

  @Test
  void scoreCosineIsInvariantUnderRescalingsAndRotationsThatKeepPredictionsButCosineIsNot() {
    Random rnd = new Random(5);
    int n = 120;
    int d = 6;
    int k = 8;
    double[][] v = SimilarityFixtures.gaussian(rnd, n, d);
    double[][] u = SimilarityFixtures.gaussian(rnd, 50, d);
    String[] ids = SimilarityFixtures.ids("i", n);
    String[] uids = SimilarityFixtures.ids("u", 50);
    Map<String, List<Hit>> base;
    Map<String, List<Hit>> baseCos;
    try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(SPARK, SimilarityFixtures.doubleFactors(SPARK, ids, v),
        SimilarityFixtures.doubleFactors(SPARK, uids, u), EngineOptions.defaults(), "V", "U")) {
      try (NeighbourResult r = p.compute(Measure.SCORE_COSINE, k)) {
        base = collect(r);
      }
      try (NeighbourResult r = p.compute(Measure.COSINE, k)) {
        baseCos = collect(r);
      }
    }
    for (int trial = 0; trial < 2; trial++) {
      // U' = U D Q, V' = V D⁻¹ Q with D diagonal in [0.2, 5] and Q orthogonal: U'V'ᵀ = U Vᵀ
      double[] diag = new double[d];
      for (int i = 0; i < d; i++) {
        diag[i] = Math.exp((rnd.nextDouble() * 2 - 1) * Math.log(5));
      }
      double[][] q = trial == 0 ? identity(d) : randomRotation(rnd, d);
      double[][] u2 = transform(u, diag, q, false);
      double[][] v2 = transform(v, diag, q, true);
      try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(SPARK, SimilarityFixtures.doubleFactors(SPARK, ids, v2),
          SimilarityFixtures.doubleFactors(SPARK, uids, u2), EngineOptions.defaults(), "V'", "U'")) {
        try (NeighbourResult r = p.compute(Measure.SCORE_COSINE, k)) {
          Map<String, List<Hit>> got = collect(r);
          for (String id : ids) {
            assertEquals(neighbourIds(base.get(id)), neighbourIds(got.get(id)), "trial " + trial + " item " + id);
            for (int i = 0; i < k; i++) {
              assertEquals(base.get(id).get(i).score(), got.get(id).get(i).score(), 1e-5);
            }
          }
        }
        if (trial == 0) {
          try (NeighbourResult r = p.compute(Measure.COSINE, k)) {
            Map<String, List<Hit>> got = collect(r);
            int changed = 0;
            for (String id : ids) {
              if (!neighbourIds(baseCos.get(id)).equals(neighbourIds(got.get(id)))) {
                changed++;
              }
            }
            assertTrue(changed > n / 2, "a diagonal rescaling should change most cosine lists, changed " + changed);
          }
        }
      }
    }
  }

  @Test
  void badInputIsReportedWithIdsAndCounts() {
    String[] ids = {"a", "b", "c", "d"};
    InputException nan = assertThrows(InputException.class, () -> ItemNeighbours.compute(SPARK,
        factors(SPARK, ids, new double[][] {{1, 0}, {Double.NaN, 1}, {0, Double.POSITIVE_INFINITY}, {1, 1}}), null,
        Measure.COSINE, 2, EngineOptions.defaults()));
    assertTrue(nan.getMessage().contains("2 embeddings have NaN, infinite or missing components ('b', 'c')"),
        nan.getMessage());

    InputException dims = assertThrows(InputException.class, () -> ItemNeighbours.compute(SPARK,
        factors(SPARK, ids, new double[][] {{1, 0}, {1, 1, 1}, {0, 2}, {1, 1}}), null, Measure.COSINE, 2,
        EngineOptions.defaults()));
    assertTrue(dims.getMessage().contains("1 embeddings do not have 2 components (e.g. 'b' has 3)"),
        dims.getMessage());

    InputException dup = assertThrows(InputException.class, () -> ItemNeighbours.compute(SPARK,
        factors(SPARK, new String[] {"a", "b", "a", "c"}, V), null, Measure.COSINE, 2, EngineOptions.defaults()));
    assertTrue(dup.getMessage().contains("1 duplicate ids ('a')"), dup.getMessage());

    InputException empty = assertThrows(InputException.class, () -> ItemNeighbours.prepare(SPARK,
        factors(SPARK, new String[0], new double[0][]), null, EngineOptions.defaults(), "/data/empty.parquet", "u"));
    assertTrue(empty.getMessage().startsWith("/data/empty.parquet holds no embeddings"), empty.getMessage());

    InputException noUsers = assertThrows(InputException.class, () -> ItemNeighbours.compute(SPARK,
        factors(SPARK, IDS, V), null, Measure.SCORE_COSINE, 2, EngineOptions.defaults()));
    assertTrue(noUsers.getMessage().contains("score-cosine needs user factors"), noUsers.getMessage());

    InputException userDims = assertThrows(InputException.class, () -> ItemNeighbours.compute(SPARK,
        factors(SPARK, IDS, V), factors(SPARK, new String[] {"u1", "u2"}, new double[][] {{1, 0, 0}, {0, 1, 0}}),
        Measure.SCORE_COSINE, 2, EngineOptions.defaults()));
    assertTrue(userDims.getMessage().contains("user factors: 2 embeddings do not have 2 components, the dimension of "
        + "the embeddings they go with (e.g. 'u1' has 3, 'u2' has 3); give the factors of the same model"),
        userDims.getMessage());

    InputException userDup = assertThrows(InputException.class, () -> ItemNeighbours.compute(SPARK,
        factors(SPARK, IDS, V), factors(SPARK, new String[] {"u1", "u1"}, new double[][] {{1, 0}, {0, 1}}),
        Measure.SCORE_COSINE, 2, EngineOptions.defaults()));
    assertTrue(userDup.getMessage().startsWith("user factors: 1 duplicate ids ('u1')"), userDup.getMessage());

    assertThrows(IllegalArgumentException.class, () -> ItemNeighbours.compute(SPARK, factors(SPARK, IDS, V), null,
        Measure.COSINE, 0, EngineOptions.defaults()));
  }

  private static List<String> neighbourIds(List<Hit> hits) {
    List<String> out = new ArrayList<>();
    hits.forEach(h -> out.add(h.neighbour()));
    return out;
  }

  /** Asserts neighbours and scores: pairs of (id, score). */
  private static void assertHits(List<Hit> hits, Object... expected) {
    assertEquals(expected.length / 2, hits.size(), hits.toString());
    for (int i = 0; i < expected.length; i += 2) {
      Hit h = hits.get(i / 2);
      assertEquals(expected[i], h.neighbour(), hits.toString());
      assertEquals(((Number) expected[i + 1]).doubleValue(), h.score(), EPS, hits.toString());
    }
  }

  private static double[][] identity(int d) {
    double[][] q = new double[d][d];
    for (int i = 0; i < d; i++) {
      q[i][i] = 1;
    }
    return q;
  }

  /** Gram-Schmidt of a Gaussian matrix: a random orthogonal matrix. */
  private static double[][] randomRotation(Random rnd, int d) {
    double[][] q = SimilarityFixtures.gaussian(rnd, d, d);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) {
        double p = SimilarityFixtures.dot(q[i], q[j]);
        for (int c = 0; c < d; c++) {
          q[i][c] -= p * q[j][c];
        }
      }
      double norm = Math.sqrt(SimilarityFixtures.dot(q[i], q[i]));
      for (int c = 0; c < d; c++) {
        q[i][c] /= norm;
      }
    }
    return q;
  }

  /** rows x diag (or x diag⁻¹), then x Q. */
  private static double[][] transform(double[][] x, double[] diag, double[][] q, boolean inverse) {
    int d = diag.length;
    double[][] out = new double[x.length][d];
    for (int r = 0; r < x.length; r++) {
      for (int c = 0; c < d; c++) {
        double s = 0;
        for (int p = 0; p < d; p++) {
          s += x[r][p] * (inverse ? 1 / diag[p] : diag[p]) * q[p][c];
        }
        out[r][c] = s;
      }
    }
    return out;
  }
}
