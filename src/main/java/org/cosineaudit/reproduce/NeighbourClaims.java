package org.cosineaudit.reproduce;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.reproduce.Claim.Comparison;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.stability.NeighbourAgreement;
import org.cosineaudit.stability.PopularityStrata;
import org.cosineaudit.stability.StabilityMetric;
import org.cosineaudit.stability.SummaryRow;
import org.cosineaudit.stability.TiedListEquivalence;

/**
 * The claims about neighbour lists, measured on the written neighbour tables with the
 * project's agreement code ({@link NeighbourAgreement}: one shuffle for every pair) against
 * the ground-truth clusters. Thresholds and why:
 * <ul>
 *   <li>"neighbours differ": mean Jaccard@k below {@value #DIFFER} (one changed neighbour of
 *       ten already gives 9/11 = 0.82 for that item);
 *   <li>"neighbours identical": the share of items whose two lists are equivalent up to ties
 *       ({@link TiedListEquivalence}: at every rank the scores agree within {@value #TIE_TOLERANCE})
 *       at least {@value #SAME}. Not Jaccard@k: factors are stored as float, so two computations of
 *       the same similarity differ by rounding and reorder near-ties, which swaps members at rank
 *       k (on MovieLens, items rated by one user tie above 0.999999 and Jaccard@10 fell to 0.77
 *       with every score within 1e-7). The mean Jaccard@k stays in the claim's detail;
 *   <li>cluster precision "depends on the rescaling": a spread above {@value #PRECISION_SPREAD}
 *       between rescalings that predict identically.
 * </ul>
 */
final class NeighbourClaims {

  static final double DIFFER = 0.9;
  static final double SAME = 0.99;
  /**
   * Largest score difference at one rank that counts as a tie, for scores on the cosine scale
   * ([-1, 1]). The engine stores unit vectors as float and scores them exactly in double, so a
   * stored score is within about 6u of the true cosine (u = 2^-24 = 6.0e-8: float factors, then
   * float unit vectors, each moving the angle and the norm by about u per vector) and two
   * computations of the same cosine within about 12u = 7.2e-7. 1e-6 (about 17u) covers that and
   * stays far below any score gap that changes a neighbour for a reason; a tolerance too small
   * can only make the claim fail, and the largest difference seen is reported next to it.
   */
  static final double TIE_TOLERANCE = 1e-6;
  /**
   * A precision spread beyond float rounding: 0.01 is one neighbour in ten changing cluster for
   * one item in ten; the score-cosine spread is exactly 0 up to rounding.
   */
  static final double PRECISION_SPREAD = 0.01;

  /**
   * Mean Jaccard@k per compared pair, mean cluster precision@k per table, and the tie-aware
   * equivalence of the pairs expected to be identical.
   */
  record Agreement(int k, Map<String, Double> jaccard, Map<String, Double> precision, double chance,
      Map<String, TiedListEquivalence.Result> equivalence) {
    double jaccard(String a, String b) {
      return pair(jaccard, a, b);
    }

    TiedListEquivalence.Result equivalence(String a, String b) {
      return pair(equivalence, a, b);
    }

    private static <T> T pair(Map<String, T> byPair, String a, String b) {
      T v = byPair.get(a + " | " + b);
      if (v == null) {
        v = byPair.get(b + " | " + a);
      }
      if (v == null) {
        throw new IllegalStateException("pair " + a + " | " + b + " was not compared; compared: " + byPair.keySet());
      }
      return v;
    }
  }

  private NeighbourClaims() {}

  /**
   * Compares the given pairs of written tables.
   *
   * @param samePairs pairs expected to hold the same lists up to ties (the "unchanged" claims),
   *     also tested with {@link TiedListEquivalence} at tolerance {@value #TIE_TOLERANCE}
   * @param labels ground truth {@code item, cluster}, or null (no precision)
   * @param clusterSizes items per ground-truth cluster (for the chance level), or null
   */
  static Agreement compare(SparkSession spark, NeighbourTables tables, List<String[]> pairs,
      List<String[]> samePairs, Dataset<Row> labels, List<Integer> clusterSizes, int k) {
    List<String> names = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    List<NeighbourAgreement.NamedTable> named = new ArrayList<>();
    List<int[]> idx = new ArrayList<>();
    for (String[] pair : pairs) {
      int[] ij = new int[2];
      for (int s = 0; s < 2; s++) {
        String n = pair[s];
        Integer i = index.get(n);
        if (i == null) {
          i = names.size();
          index.put(n, i);
          names.add(n);
          named.add(new NeighbourAgreement.NamedTable(n, tables.read(n)));
        }
        ij[s] = i;
      }
      idx.add(ij);
    }
    // no bootstrap: the claims use the means; intervals are the stability job's business
    NeighbourAgreement.Options options = new NeighbourAgreement.Options(k, 0.9, 0.5, 0, 0L, 10_000);
    NeighbourAgreement.Result r = NeighbourAgreement.compare(spark, named, idx, null, labels, options);
    try {
      Map<String, Double> jaccard = new LinkedHashMap<>();
      Map<String, Double> precision = new LinkedHashMap<>();
      for (SummaryRow row : r.summary()) {
        if (!row.stratum().equals(PopularityStrata.ALL)) {
          continue;
        }
        if (row.metric().equals(StabilityMetric.JACCARD.column())) {
          jaccard.put(row.a() + " | " + row.b(), row.mean());
        } else if (row.metric().equals(StabilityMetric.CLUSTER_PRECISION_A.column())) {
          precision.putIfAbsent(row.a(), row.mean());
        } else if (row.metric().equals(StabilityMetric.CLUSTER_PRECISION_B.column())) {
          precision.putIfAbsent(row.b(), row.mean());
        }
      }
      Map<String, TiedListEquivalence.Result> equivalence = new LinkedHashMap<>();
      for (String[] pair : samePairs) {
        equivalence.put(pair[0] + " | " + pair[1], TiedListEquivalence.compare(
            new NeighbourAgreement.NamedTable(pair[0], tables.read(pair[0])),
            new NeighbourAgreement.NamedTable(pair[1], tables.read(pair[1])), r.k(), TIE_TOLERANCE));
      }
      return new Agreement(r.k(), jaccard, precision, chance(clusterSizes), equivalence);
    } finally {
      r.release();
    }
  }

  /** Precision@k of a random neighbour list: P(two distinct random items share a cluster). */
  static double chance(List<Integer> sizes) {
    if (sizes == null) {
      return Double.NaN;
    }
    double p = 0;
    double same = 0;
    for (int n : sizes) {
      p += n;
      same += (double) n * (n - 1);
    }
    return p > 1 ? same / (p * (p - 1)) : Double.NaN;
  }

  private static double spread(Agreement a, List<String> ids, boolean score, Map<String, Object> detail) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (String id : ids) {
      String name = score ? score(id) : cos(id);
      double p = a.precision().getOrDefault(name, Double.NaN);
      detail.put(name, p);
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    return hi - lo;
  }

  static String cos(String variant) {
    return NeighbourTables.name(variant, Measure.COSINE);
  }

  static String score(String variant) {
    return NeighbourTables.name(variant, Measure.SCORE_COSINE);
  }

  /** 1c: the rescalings' cosine neighbours differ. */
  static Claim eq1NeighboursDiffer(Agreement a) {
    List<String> ids = ClaimChecks.eq1Ids();
    Map<String, Object> detail = new LinkedHashMap<>();
    double smallest = 1;
    for (int i = 0; i < ids.size(); i++) {
      for (int j = i + 1; j < ids.size(); j++) {
        double v = a.jaccard(cos(ids.get(i)), cos(ids.get(j)));
        detail.put(ids.get(i) + " vs " + ids.get(j), v);
        smallest = Math.min(smallest, v);
      }
    }
    // one pair of equally good solutions that disagrees is enough to make "the" cosine neighbours
    // ill-defined; every pair is in the detail
    return Claim.measured("1c", "...so Eq. 1 cosine neighbours differ between rescalings",
        "smallest (over pairs of rescalings) mean Jaccard@" + a.k() + " of cosine neighbours", smallest,
        Comparison.BELOW, DIFFER, detail);
  }

  /** 3c: Eq. 2 neighbours survive a rotation (up to the order of near-ties). */
  static Claim eq2RotationNeighbours(Agreement a) {
    String x = cos(Variants.EQ2);
    String y = cos(Variants.EQ2_ROTATED);
    Map<String, Object> detail = equivalenceDetail(a, x, y);
    return Claim.measured("3c", "Eq. 2 cosine neighbours are unchanged by a random rotation",
        "share of items whose top " + a.k() + " lists, Eq. 2 and Eq. 2 rotated, are equivalent up to ties within "
            + Claim.format(TIE_TOLERANCE), a.equivalence(x, y).share(), Comparison.AT_LEAST, SAME, detail);
  }

  /**
   * The supporting numbers of an "unchanged" claim for one pair: the tie-aware counts, the
   * largest score difference at one rank, the tolerance, and the plain mean Jaccard@k (which
   * counts reordered near-ties as changes; shown, not judged).
   */
  private static Map<String, Object> equivalenceDetail(Agreement a, String x, String y) {
    TiedListEquivalence.Result e = a.equivalence(x, y);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("items", e.items());
    detail.put("equivalent_items", e.equivalent());
    detail.put("max_score_difference_at_rank", e.maxScoreDifference());
    detail.put("tie_tolerance", TIE_TOLERANCE);
    detail.put("mean_jaccard", a.jaccard(x, y));
    return detail;
  }

  /** 3d: Eq. 2 neighbours move with lambda. */
  static Claim eq2NeighboursChangeWithLambda(Agreement a, List<String> sweepIds, List<Double> lambdas,
      double paperLambda) {
    Map<String, Object> detail = new LinkedHashMap<>();
    double smallest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < sweepIds.size(); i++) {
      if (lambdas.get(i) == paperLambda) {
        continue; // the same model; agreement 1 says nothing
      }
      double v = a.jaccard(cos(Variants.EQ2), cos(sweepIds.get(i)));
      detail.put(sweepIds.get(i), v);
      smallest = Math.min(smallest, v);
    }
    String claim = "...and Eq. 2 cosine neighbours change with lambda";
    String measure = "smallest mean Jaccard@" + a.k() + " between lambda = " + Variants.number(paperLambda)
        + " and the sweep";
    if (detail.isEmpty()) {
      return Claim.skipped("3d", claim, measure, "the lambda sweep holds no value other than --lambda-eq2");
    }
    return Claim.measured("3d", claim, measure, smallest, Comparison.BELOW, DIFFER, detail);
  }

  /** 4b: score-cosine neighbours are the same under every rescaling (up to the order of near-ties). */
  static Claim scoreCosineNeighboursIdentical(Agreement a) {
    List<String> ids = ClaimChecks.eq1Ids();
    Map<String, Object> detail = new LinkedHashMap<>();
    double smallest = 1;
    for (int i = 1; i < ids.size(); i++) {
      String x = score(ids.get(0));
      String y = score(ids.get(i));
      detail.put(ids.get(0) + " vs " + ids.get(i), equivalenceDetail(a, x, y));
      smallest = Math.min(smallest, a.equivalence(x, y).share());
    }
    return Claim.measured("4b", "Score-cosine neighbours are identical under every rescaling of Eq. 1",
        "smallest (over rescalings) share of items whose top " + a.k()
            + " score-cosine lists are equivalent up to ties within " + Claim.format(TIE_TOLERANCE), smallest,
        Comparison.AT_LEAST, SAME, detail);
  }

  /**
   * 5: cluster precision@k of every variant against the ground truth (informational rows, next
   * to chance), and the claim it supports: under cosine the answer depends on the arbitrary
   * rescaling D (a spread between rescalings that predict identically), under score-cosine it
   * does not (spread 0 up to float rounding).
   */
  static List<Claim> clusterPrecision(Agreement a, boolean labels) {
    String claim = "Cluster precision@k of Eq. 1 cosine neighbours depends on the arbitrary rescaling D "
        + "(score-cosine: one answer)";
    String measure = "largest - smallest precision@" + a.k() + " over the Eq. 1 rescalings, cosine";
    if (!labels) {
      return List.of(Claim.skipped("5", claim, measure, "no ground truth (generate the data, or give --ground-truth)"));
    }
    List<Claim> out = new ArrayList<>();
    Map<String, Object> detail = new LinkedHashMap<>();
    double cosineSpread = spread(a, ClaimChecks.eq1Ids(), false, detail);
    double scoreSpread = spread(a, ClaimChecks.eq1Ids(), true, detail);
    detail.put("score_cosine_spread", scoreSpread);
    detail.put("chance", a.chance());
    out.add(Claim.measured("5", claim, measure, cosineSpread, Comparison.ABOVE, PRECISION_SPREAD, detail));
    for (Map.Entry<String, Double> e : a.precision().entrySet()) {
      double p = e.getValue();
      // informational: how well each variant's neighbours recover the clusters, next to chance
      out.add(new Claim("5:" + e.getKey(), "cluster precision@" + a.k() + " of " + e.getKey(),
          "mean share of the top " + a.k() + " in the item's cluster (chance " + Claim.format(a.chance()) + ")", p,
          Comparison.ABOVE, a.chance(), p > a.chance() ? "above chance" : "not above chance", Map.of()));
    }
    return out;
  }
}
