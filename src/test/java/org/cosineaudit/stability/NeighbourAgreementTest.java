package org.cosineaudit.stability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.InputException;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Spark layer against a plain-Java computation of the same metrics on a small fixture. */
class NeighbourAgreementTest {

  static final StructType NEIGHBOURS = new StructType()
      .add("item", DataTypes.StringType, false)
      .add("rank", DataTypes.IntegerType, false)
      .add("neighbour", DataTypes.StringType, false)
      .add("score", DataTypes.DoubleType, false);

  static final int ITEMS = 40;
  static final int K = 6;

  static SparkSession spark;
  /** All three pairs, with popularity deciles and labels: computed once for the class (Spark jobs are slow). */
  static NeighbourAgreement.Result result;
  static Dataset<Row> deciles;
  /** table -> item -> ranked neighbours (and scores). */
  static Map<String, Map<String, String[]>> lists = new LinkedHashMap<>();
  static Map<String, Map<String, double[]>> scores = new LinkedHashMap<>();

  @BeforeAll
  static void fixture() {
    spark = SparkTestSession.get();
    Random rnd = new Random(7);
    Map<String, String[]> a = new LinkedHashMap<>();
    Map<String, String[]> b = new LinkedHashMap<>();
    Map<String, String[]> c = new LinkedHashMap<>();
    for (int i = 0; i < ITEMS; i++) {
      String item = "i" + i;
      List<String> pool = new ArrayList<>();
      for (int j = 0; j < ITEMS; j++) {
        if (j != i) {
          pool.add("i" + j);
        }
      }
      Collections.shuffle(pool, rnd);
      String[] la = pool.subList(0, K).toArray(new String[0]);
      // b: a's list with a swap and, for some items, a replaced tail; shorter lists for a few items
      String[] lb = la.clone();
      int s = rnd.nextInt(K - 1);
      String tmp = lb[s];
      lb[s] = lb[s + 1];
      lb[s + 1] = tmp;
      if (i % 3 == 0) {
        lb[K - 1] = pool.get(K + 1);
        lb[K - 2] = pool.get(K + 2);
      }
      if (i % 7 == 0) {
        lb = Arrays.copyOf(lb, K - 2);
      }
      Collections.shuffle(pool, rnd);
      String[] lc = pool.subList(0, K).toArray(new String[0]);
      if (i != ITEMS - 1) { // the last item only in a: counted, not dropped
        b.put(item, lb);
      }
      if (i != ITEMS - 2) { // the second to last item missing from a
        a.put(item, la);
      }
      c.put(item, lc);
    }
    lists.put("a", a);
    lists.put("b", b);
    lists.put("c", c);
    for (var e : lists.entrySet()) {
      Map<String, double[]> sc = new HashMap<>();
      for (var l : e.getValue().entrySet()) {
        double[] v = new double[l.getValue().length];
        double x = 1;
        for (int r = 0; r < v.length; r++) {
          x -= 0.01 + rnd.nextDouble() * 0.1;
          v[r] = x;
        }
        sc.put(l.getKey(), v);
      }
      scores.put(e.getKey(), sc);
    }
    // popularity = item number; 40 items -> 4 per decile; i0..i3 in decile 1. Clusters: odd / even.
    List<Row> pop = new ArrayList<>();
    List<Row> labels = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      pop.add(RowFactory.create("i" + i, (double) i));
      labels.add(RowFactory.create("i" + i, i % 2));
    }
    deciles = PopularityStrata.deciles(spark, spark.createDataFrame(pop, new StructType()
        .add("item", DataTypes.StringType).add("popularity", DataTypes.DoubleType)));
    Dataset<Row> clusters = spark.createDataFrame(labels, new StructType().add("item", DataTypes.StringType)
        .add("cluster", DataTypes.IntegerType));
    result = NeighbourAgreement.compare(spark, tables(), NeighbourAgreement.allPairs(3), deciles, clusters, options(1));
  }

  @AfterAll
  static void release() {
    result.release();
  }

  static Dataset<Row> table(String name) {
    List<Row> rows = new ArrayList<>();
    for (var e : lists.get(name).entrySet()) {
      double[] sc = scores.get(name).get(e.getKey());
      for (int r = 0; r < e.getValue().length; r++) {
        rows.add(RowFactory.create(e.getKey(), r + 1, e.getValue()[r], sc[r]));
      }
    }
    return spark.createDataFrame(rows, NEIGHBOURS);
  }

  static List<NeighbourAgreement.NamedTable> tables() {
    return List.of(new NeighbourAgreement.NamedTable("a", table("a")),
        new NeighbourAgreement.NamedTable("b", table("b")), new NeighbourAgreement.NamedTable("c", table("c")));
  }

  static NeighbourAgreement.Options options(long seed) {
    return new NeighbourAgreement.Options(0, 0.9, 0.5, 100, seed, 10_000);
  }

  @Test
  void perItemMetricsAndSummaryMatchPlainJava() {
    NeighbourAgreement.Result r = result;
    {
      assertEquals(K, r.k(), "k defaults to the tables' largest rank");
      Map<String, Row> got = new HashMap<>();
      for (Row row : r.items().collectAsList()) {
        got.put(row.getString(0) + "/" + row.getString(1) + "/" + row.getString(2), row);
      }
      Map<String, List<Double>> expectedValues = new HashMap<>();
      int compared = 0;
      for (String[] pair : new String[][] {{"a", "b"}, {"a", "c"}, {"b", "c"}}) {
        for (var e : lists.get(pair[0]).entrySet()) {
          String[] other = lists.get(pair[1]).get(e.getKey());
          if (other == null) {
            continue;
          }
          RankMetrics.ListAgreement m = RankMetrics.compare(e.getValue(), scores.get(pair[0]).get(e.getKey()), other,
              scores.get(pair[1]).get(e.getKey()), K, 0.9, 0.5);
          Row row = got.get(pair[0] + "/" + pair[1] + "/" + e.getKey());
          assertEquals(m.jaccard(), row.getDouble(row.fieldIndex("jaccard")), 1e-12);
          assertEquals(m.rboExt(), row.getDouble(row.fieldIndex("rbo_ext")), 1e-12);
          assertEquals(m.rboResidual(), row.getDouble(row.fieldIndex("rbo_residual")), 1e-12);
          assertEquals(m.kendall(), row.getDouble(row.fieldIndex("kendall")), 1e-12);
          assertEquals(m.footrule(), row.getDouble(row.fieldIndex("footrule")), 1e-12);
          if (Double.isNaN(m.scoreSpearman())) {
            assertTrue(row.isNullAt(row.fieldIndex("score_spearman")));
          } else {
            assertEquals(m.scoreSpearman(), row.getDouble(row.fieldIndex("score_spearman")), 1e-12);
          }
          expectedValues.computeIfAbsent(pair[0] + "/" + pair[1], x -> new ArrayList<>()).add(m.rboExt());
          compared++;
        }
      }
      assertEquals(compared, got.size());
      // a lacks i38, b lacks i39: a-b shares 38 items, one only in a, one only in b
      NeighbourAgreement.PairCount ab = r.counts().get(0);
      assertEquals(new NeighbourAgreement.PairCount("a", "b", ITEMS - 2, 1, 1), ab);
      assertEquals(2, r.unmatched().where("a = 'a' AND b = 'b'").count());
      assertEquals("b", r.unmatched().where("a = 'a' AND b = 'b' AND item = 'i39'").first().getString(3));

      for (SummaryRow s : r.summary()) {
        if (!s.metric().equals("rbo_ext")) {
          continue;
        }
        assertTrue(s.nItems() == 0 || s.ciLow() <= s.mean() && s.mean() <= s.ciHigh(), s.toString());
        assertTrue(s.ciLow() < s.mean() && s.mean() < s.ciHigh(), s.toString());
        if (!s.stratum().equals("all")) {
          continue;
        }
        double[] v = expectedValues.get(s.a() + "/" + s.b()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        assertEquals(v.length, s.nItems());
        // the mean is accumulated in fixed point with resolution 2^-28
        assertEquals(Arrays.stream(v).average().orElseThrow(), s.mean(), 1e-8);
        assertEquals(lowerPercentile(v, 0.5), s.median(), 1e-12);
        assertEquals(lowerPercentile(v, 0.1), s.p10(), 1e-12);
        assertEquals(lowerPercentile(v, 0.9), s.p90(), 1e-12);
      }
      // the ordered pair with a swap is far more similar than the independent one
      double abMean = mean(r.summary(), "a", "b", "rbo_ext");
      double acMean = mean(r.summary(), "a", "c", "rbo_ext");
      assertTrue(abMean > 0.6 && acMean < 0.3, abMean + " vs " + acMean);
    }
  }

  /** The smallest value with at least a share q of the values at or below it (Spark's percentile_approx, exact for small n). */
  static double lowerPercentile(double[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, i)];
  }

  static double mean(List<SummaryRow> rows, String a, String b, String metric) {
    return rows.stream().filter(s -> s.a().equals(a) && s.b().equals(b) && s.metric().equals(metric)
        && s.stratum().equals("all")).findFirst().orElseThrow().mean();
  }

  @Test
  void bootstrapIsReproducibleForASeedAndIndependentOfPartitioning() {
    List<StabilityMetric> metrics = result.metrics();
    AgreementSummary.Settings same = new AgreementSummary.Settings(100, 1, 10_000);
    List<SummaryRow> again = AgreementSummary.summarize(result.items().repartition(3), metrics, true, same);
    assertEquals(result.summary(), again, "same seed, other partitioning: identical summary");
    List<SummaryRow> other = AgreementSummary.summarize(result.items(), metrics, true,
        new AgreementSummary.Settings(100, 2, 10_000));
    assertNotEquals(result.summary(), other, "another seed draws other replicates");
    for (int i = 0; i < other.size(); i++) {
      assertEquals(result.summary().get(i).mean(), other.get(i).mean(), 0.0, "the mean does not depend on the seed");
    }
  }

  @Test
  void popularityDecilesSplitItemsAndLabelsGiveClusterPrecision() {
    assertEquals(1, deciles.where("item = 'i3'").first().getInt(1));
    assertEquals(2, deciles.where("item = 'i4'").first().getInt(1));
    assertEquals(10, deciles.where("item = 'i39'").first().getInt(1));
    NeighbourAgreement.Result r = result;
    long all = r.summary().stream().filter(s -> s.a().equals("a") && s.b().equals("c") && s.metric().equals("jaccard")
        && s.stratum().equals("all")).findFirst().orElseThrow().nItems();
    long strata = r.summary().stream().filter(s -> s.a().equals("a") && s.b().equals("c") && s.metric().equals("jaccard")
        && !s.stratum().equals("all")).mapToLong(SummaryRow::nItems).sum();
    assertEquals(ITEMS - 1, all);
    assertEquals(all, strata);
    assertTrue(r.summary().stream().anyMatch(s -> s.stratum().equals("popularity_d10")));
    // cluster precision of i0 in table a: share of its neighbours with an even number
    String[] la = lists.get("a").get("i0");
    long even = Arrays.stream(la).filter(n -> Integer.parseInt(n.substring(1)) % 2 == 0).count();
    Row i0 = r.items().where("item = 'i0' AND a = 'a' AND b = 'c'").first();
    assertEquals((double) even / la.length, i0.getDouble(i0.fieldIndex("cluster_precision_a")), 1e-12);
    assertEquals(1, i0.getInt(i0.fieldIndex("popularity_decile")));
  }

  @Test
  void duplicateRankIsReportedNamingTableAndItem() {
    List<Row> rows = List.of(RowFactory.create("x", 1, "y", 0.9), RowFactory.create("x", 1, "z", 0.8));
    Dataset<Row> bad = spark.createDataFrame(rows, NEIGHBOURS);
    Exception e = assertThrows(Exception.class, () -> NeighbourAgreement.compare(spark, bad, table("a"),
        options(1)).release());
    Throwable t = e;
    while (!(t instanceof InputException) && t.getCause() != null) {
      t = t.getCause();
    }
    assertTrue(t instanceof InputException, e.toString());
    assertTrue(t.getMessage().contains("'x'") && t.getMessage().contains("rank 1"), t.getMessage());
  }

  @Test
  void missingColumnIsReportedBeforeAnySparkWork() {
    Dataset<Row> bad = table("a").drop("score");
    InputException e = assertThrows(InputException.class, () -> NeighbourAgreement.compare(spark, bad, table("b"),
        options(1)));
    assertTrue(e.getMessage().contains("'score'"), e.getMessage());
  }
}
