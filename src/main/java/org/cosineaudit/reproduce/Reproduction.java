package org.cosineaudit.reproduce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.train.ClosedFormModels;
import org.cosineaudit.train.ClosedFormModels.Rescaling;
import org.cosineaudit.train.InteractionMatrix;
import org.cosineaudit.train.ItemSpectrum;
import org.cosineaudit.train.LinearAutoencoder;

/**
 * The reproduction as a library call ({@link #execute}), so {@code demo} can compose it.
 *
 * <p>Stages: data (generate or copy the input into the run folder) -> X on the executors ->
 * spectrum of X^T X -> closed-form models and their factor tables -> figures -> claims.
 */
public final class Reproduction {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Reproduction.class);

  /** Relative paths inside the run folder. */
  public static final String CLAIMS = "claims.json";
  public static final String FACTORS = "factors";

  /** Every closed-form model gets both: cosine (the claim) and score-cosine (the remedy). */
  static final List<Measure> BOTH_MEASURES = List.of(Measure.COSINE, Measure.SCORE_COSINE);
  /** Users sampled for the prediction check of claim 1 (a hash of the id picks them). */
  static final long PREDICTION_USERS = 2_000;
  /** Seed of the random rotation of claim 3 (fixed: the claim holds for any rotation). */
  static final long ROTATION_SEED = 20240308L;
  /** Exact identities are checked in double precision; rounding stays far below this. */
  static final double EXACT = 1e-9;

  /**
   * What a reproduction produced.
   *
   * @param claims every claim, measured or skipped
   * @param summaryLines the claims table and where things are, for the console
   */
  public record Result(List<Claim> claims, List<String> summaryLines) {
    public boolean allPassed() {
      return claims.stream().noneMatch(c -> c.status().equals("fail"));
    }
  }

  /**
   * A closed-form model and the Gram of its user factors {@code G = (X A)^T (X A)} (k x k),
   * which defines its score-space cosine.
   */
  record ClosedForm(String id, String title, LinearAutoencoder model, double[] scoreGram) {}

  private Reproduction() {}

  /** Runs the reproduction into {@code out}. */
  public static Result execute(SparkSession spark, ReproduceJob.Config c, RunOutput out) {
    Inputs.Loaded data;
    try (var s = out.stage("data")) {
      data = Inputs.load(spark, c, out);
    }
    InteractionMatrix.Indexed x;
    try (var s = out.stage("matrix")) {
      x = InteractionMatrix.build(spark, data.interactions());
    }
    try {
      return analyse(spark, c, out, data, x);
    } finally {
      x.release();
    }
  }

  private static Result analyse(SparkSession spark, ReproduceJob.Config c, RunOutput out, Inputs.Loaded data,
      InteractionMatrix.Indexed x) {
    out.manifest().count("users", x.users());
    out.manifest().count("items", x.items());
    out.manifest().count("nonzeros", x.interactions());
    InteractionMatrix.Spectrum sp;
    try (var s = out.stage("spectrum")) {
      sp = InteractionMatrix.spectrum(x, c.rank(), c.denseGramLimit());
    }
    ItemSpectrum spectrum = sp.spectrum();
    if (spectrum.components() < c.rank()) {
      throw new InputException(String.format(Locale.ROOT, "rank %d exceeds the %d components X^T X has (%d items); "
          + "lower --rank", c.rank(), spectrum.components(), x.items()));
    }
    out.manifest().detail("spectrum", Map.of("method", sp.method().name().toLowerCase(Locale.ROOT),
        "components", spectrum.components(), "seconds", sp.seconds(),
        "top_singular_values", topSingularValues(spectrum, Math.min(10, spectrum.components()))));

    Map<String, ClosedForm> models = new LinkedHashMap<>();
    for (Rescaling r : Rescaling.values()) {
      add(models, spectrum, r.id(), r.title(), ClosedFormModels.eq1(spectrum, c.rank(), c.lambdaEq1(), r));
    }
    LinearAutoencoder eq2 = ClosedFormModels.eq2(spectrum, c.rank(), c.lambdaEq2());
    add(models, spectrum, Variants.EQ2, "Eq. 2 (unique up to rotation)", eq2);
    add(models, spectrum, Variants.EQ2_ROTATED, "Eq. 2, rotated by a random R",
        eq2.rotate(ClosedFormModels.randomRotation(c.rank(), ROTATION_SEED)));
    Map<String, ClosedForm> eq1Sweep = new LinkedHashMap<>();
    for (double lam : c.lambdasEq1()) {
      add(eq1Sweep, spectrum, Variants.lambdaId("eq1-symmetric", lam), "Eq. 1, D = I, lambda = " + Claim.format(lam),
          ClosedFormModels.eq1(spectrum, c.rank(), lam, Rescaling.SYMMETRIC));
    }
    Map<String, ClosedForm> eq2Sweep = new LinkedHashMap<>();
    for (double lam : c.lambdasEq2()) {
      add(eq2Sweep, spectrum, Variants.lambdaId(Variants.EQ2, lam), "Eq. 2, lambda = " + Claim.format(lam),
          ClosedFormModels.eq2(spectrum, c.rank(), lam));
    }
    out.manifest().detail("eq2_effective_rank", ClosedFormModels.eq2EffectiveRank(spectrum, c.rank(),
        c.lambdaEq2()));
    String eq2Warning = eq2Warning(spectrum, c.rank(), c.lambdaEq2());
    if (eq2Warning != null) {
      LOG.warn("reproduce: {}", eq2Warning);
      out.manifest().detail("eq2_warning", eq2Warning);
    }

    try (var s = out.stage("factors")) {
      // the main models only: the sweeps are cheap to recompute from the spectrum and would
      // multiply the output (and the run time) by the sweep length
      for (ClosedForm m : models.values()) {
        out.writeTable(FACTORS + "/" + m.id() + "/item_factors",
            InteractionMatrix.itemFactors(spark, x.itemIds(), m.model()));
        out.writeTable(FACTORS + "/" + m.id() + "/user_factors", InteractionMatrix.userFactors(spark, x, m.model()));
      }
    }

    List<FigureItems.Item> all = Inputs.itemsOf(x, data.items());
    List<FigureItems.Item> shown = FigureItems.select(all, c.figureItems());
    boolean clusters = data.items() != null;
    int[] sel = shown.stream().mapToInt(FigureItems.Item::index).toArray();
    out.manifest().detail("figure_items", shown.size());

    // item-item matrices over the figure's items (all items at the paper's size)
    Map<String, double[]> cosine = new LinkedHashMap<>();
    Map<String, double[]> scoreCosine = new LinkedHashMap<>();
    for (Map<String, ClosedForm> group : List.of(models, eq1Sweep, eq2Sweep)) {
      for (ClosedForm m : group.values()) {
        cosine.put(m.id(), SimilarityMatrix.cosine(m.model().b(), m.model().rank(), sel, sel));
        scoreCosine.put(m.id(), SimilarityMatrix.scoreCosine(m.model().b(), m.model().rank(), m.scoreGram(), sel,
            sel));
      }
    }
    double[] fullRank = null;
    if (spectrum.complete()) {
      LinearAutoencoder full = ClosedFormModels.eq1(spectrum, x.items(), c.lambdaEq1(), Rescaling.B_EQUALS_V);
      fullRank = SimilarityMatrix.cosine(full.b(), full.rank(), sel, sel);
    }

    try (var s = out.stage("figures")) {
      Figures.write(out, shown, clusters, models, eq1Sweep, eq2Sweep, cosine, scoreCosine, fullRank);
    }

    NeighbourTables neighbours = new NeighbourTables(spark, out, c.k());
    try (var s = out.stage("neighbours")) {
      for (ClosedForm m : models.values()) {
        neighbours.add(m.id(), Tables.read(spark, out.path(FACTORS + "/" + m.id() + "/item_factors")),
            Tables.read(spark, out.path(FACTORS + "/" + m.id() + "/user_factors")), BOTH_MEASURES);
      }
      for (Map<String, ClosedForm> sweep : List.of(eq1Sweep, eq2Sweep)) {
        for (ClosedForm m : sweep.values()) {
          neighbours.add(m.id(), InteractionMatrix.itemFactors(spark, x.itemIds(), m.model()), null,
              List.of(Measure.COSINE));
        }
      }
    }
    List<AlsModels.Model> als;
    try (var s = out.stage("als")) {
      als = AlsModels.train(spark, c, out);
    }
    for (AlsModels.Model m : als) { // written by the sweep: als/models/<id>/neighbours/<measure>
      for (Measure measure : BOTH_MEASURES) {
        neighbours.register(m.variant(), measure, m.neighbours(measure));
      }
    }
    out.manifest().detail("neighbours", neighbours.facts());
    try (var s = out.stage("als-figures")) {
      int[] pos = new int[shown.size()];
      for (int i = 0; i < pos.length; i++) {
        pos[i] = i;
      }
      Map<String, String> titles = new LinkedHashMap<>();
      Map<String, double[]> alsCosine = new LinkedHashMap<>();
      Map<String, double[]> alsScore = new LinkedHashMap<>();
      for (AlsModels.Model m : als) {
        double[] b = shownRows(m.items(), shown, c.rank());
        titles.put(m.variant(), String.format(Locale.ROOT, "Spark ALS, alpha = %s, reg = %s",
            Variants.number(m.alpha()), Variants.number(m.reg())));
        alsCosine.put(m.variant(), SimilarityMatrix.cosine(b, c.rank(), pos, pos));
        alsScore.put(m.variant(), SimilarityMatrix.scoreCosine(b, c.rank(), AlsModels.userGram(m.users(), c.rank()),
            pos, pos));
      }
      Figures.writeAls(out, shown, clusters, titles, alsCosine, alsScore);
    }

    List<Claim> claims = new ArrayList<>();
    try (var s = out.stage("claims")) {
      List<String[]> pairs = new ArrayList<>();
      List<String[]> samePairs = new ArrayList<>(); // the "unchanged" claims 3c and 4b, also tested up to ties
      List<String> eq1 = ClaimChecks.eq1Ids();
      for (int i = 0; i < eq1.size(); i++) {
        for (int j = i + 1; j < eq1.size(); j++) {
          pairs.add(new String[] {NeighbourClaims.cos(eq1.get(i)), NeighbourClaims.cos(eq1.get(j))});
        }
        if (i > 0) {
          pairs.add(new String[] {NeighbourClaims.score(eq1.get(0)), NeighbourClaims.score(eq1.get(i))});
          samePairs.add(pairs.get(pairs.size() - 1));
        }
      }
      pairs.add(new String[] {NeighbourClaims.cos(Variants.EQ2), NeighbourClaims.cos(Variants.EQ2_ROTATED)});
      samePairs.add(pairs.get(pairs.size() - 1));
      pairs.add(new String[] {NeighbourClaims.score(Variants.EQ2), NeighbourClaims.score(Variants.EQ2_ROTATED)});
      for (String id : eq2Sweep.keySet()) {
        pairs.add(new String[] {NeighbourClaims.cos(Variants.EQ2), NeighbourClaims.cos(id)});
      }
      for (String id : eq1Sweep.keySet()) {
        pairs.add(new String[] {NeighbourClaims.cos(Rescaling.SYMMETRIC.id()), NeighbourClaims.cos(id)});
      }
      for (AlsModels.Model[] p : AlsModels.pairs(als)) {
        pairs.add(new String[] {NeighbourClaims.cos(p[0].variant()), NeighbourClaims.cos(p[1].variant())});
        pairs.add(new String[] {NeighbourClaims.score(p[0].variant()), NeighbourClaims.score(p[1].variant())});
      }
      if (als.size() == 1) { // still report its cluster precision
        pairs.add(new String[] {NeighbourClaims.cos(Variants.EQ2), NeighbourClaims.cos(als.get(0).variant())});
      }
      Dataset<Row> labels = clusters ? data.items().select("item", "cluster") : null;
      NeighbourClaims.Agreement agreement = NeighbourClaims.compare(spark, neighbours, pairs, samePairs, labels,
          clusters ? clusterSizes(all) : null, c.k());
      out.manifest().detail("mean_jaccard", agreement.jaccard());

      claims.add(ClaimChecks.predictionsIdentical(spark, x, models));
      claims.add(ClaimChecks.cosinesDifferAcrossRescalings(cosine));
      claims.add(NeighbourClaims.eq1NeighboursDiffer(agreement));
      claims.add(ClaimChecks.fullRankIdentity(fullRank, sel, x.items(), c.denseGramLimit()));
      claims.add(ClaimChecks.eq2RotationInvariant(cosine));
      claims.add(ClaimChecks.eq2ChangesWithLambda(cosine, eq2Sweep, c.lambdaEq2()));
      claims.add(NeighbourClaims.eq2RotationNeighbours(agreement));
      claims.add(NeighbourClaims.eq2NeighboursChangeWithLambda(agreement, new ArrayList<>(eq2Sweep.keySet()),
          c.lambdasEq2(), c.lambdaEq2()));
      claims.add(ClaimChecks.scoreCosineIdentical(scoreCosine));
      claims.add(NeighbourClaims.scoreCosineNeighboursIdentical(agreement));
      List<Claim> precision = NeighbourClaims.clusterPrecision(agreement, clusters);
      claims.add(precision.get(0));
      claims.add(AlsModels.claim(als, agreement));
      claims.addAll(precision.subList(1, precision.size()));
    }
    out.writeJson(CLAIMS, Map.of("claims", claims.stream().map(Claim::json).toList(),
        "settings", settingsJson(c, x, sp)));

    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "reproduce: %,d users x %,d items, %,d interactions; spectrum by %s",
        x.users(), x.items(), x.interactions(), sp.method().name().toLowerCase(Locale.ROOT)));
    lines.add(String.format(Locale.ROOT, "  %-4s %-7s %-12s %-12s %s", "id", "status", "measured", "threshold",
        "claim"));
    for (Claim claim : claims) {
      lines.add(claim.line());
    }
    long passed = claims.stream().filter(Claim::passed).count();
    long failed = claims.stream().filter(cl -> cl.status().equals("fail")).count();
    long skipped = claims.stream().filter(cl -> cl.status().equals("skipped")).count();
    lines.add(String.format(Locale.ROOT, "reproduce: %d claims pass, %d fail, %d skipped (%d informational rows) -> %s",
        passed, failed, skipped, claims.size() - passed - failed - skipped, out.path(CLAIMS)));
    return new Result(claims, lines);
  }

  private static void add(Map<String, ClosedForm> into, ItemSpectrum s, String id, String title,
      LinearAutoencoder m) {
    into.put(id, new ClosedForm(id, title, m, scoreGram(s, m)));
  }

  /**
   * {@code G = A^T X^T X A = (V_r^T A)^T diag(s^2) (V_r^T A)}: exact because A lies in the span
   * of the known eigenvectors V_r. O(p r k), no pass over X.
   */
  static double[] scoreGram(ItemSpectrum s, LinearAutoencoder m) {
    int p = s.items();
    int r = s.components();
    int k = m.rank();
    double[] proj = new double[r * k]; // V_r^T A
    for (int i = 0; i < p; i++) {
      for (int t = 0; t < r; t++) {
        double v = s.v(i, t);
        if (v == 0) {
          continue;
        }
        for (int c = 0; c < k; c++) {
          proj[t * k + c] += v * m.a()[i * k + c];
        }
      }
    }
    double[] g = new double[k * k];
    for (int t = 0; t < r; t++) {
      double w = s.squaredSingularValues()[t];
      for (int a = 0; a < k; a++) {
        double x = proj[t * k + a] * w;
        if (x == 0) {
          continue;
        }
        for (int b = 0; b < k; b++) {
          g[a * k + b] += x * proj[t * k + b];
        }
      }
    }
    return g;
  }

  /**
   * The item factors of the figure's items, in display order (m x k row-major; an item the
   * model has no factors for, e.g. seen only in held-out data, stays a zero row: cosine 0).
   */
  static double[] shownRows(Dataset<Row> items, List<FigureItems.Item> shown, int k) {
    Map<String, Integer> position = new java.util.HashMap<>();
    for (int i = 0; i < shown.size(); i++) {
      position.put(shown.get(i).id(), i);
    }
    double[] b = new double[shown.size() * k];
    List<Row> rows = items.where(org.apache.spark.sql.functions.col("id").isin(position.keySet().toArray()))
        .collectAsList(); // at most --figure-items rows
    for (Row r : rows) {
      int i = position.get(r.getString(r.fieldIndex("id")));
      List<Float> f = r.getList(r.fieldIndex("features"));
      for (int c = 0; c < k; c++) {
        b[i * k + c] = f.get(c);
      }
    }
    return b;
  }

  private static List<Integer> clusterSizes(List<FigureItems.Item> items) {
    Map<Integer, Integer> sizes = new java.util.TreeMap<>();
    for (FigureItems.Item it : items) {
      sizes.merge(it.cluster(), 1, Integer::sum);
    }
    return new ArrayList<>(sizes.values());
  }

  /**
   * Why the Eq. 2 model is smaller than asked for, or null: Eq. 2 keeps only the dimensions whose
   * singular value exceeds lambda, so on data of another scale than the paper's the default
   * lambda can leave a degenerate model (one dimension: every cosine is 1 or -1).
   */
  static String eq2Warning(ItemSpectrum spectrum, int rank, double lambda) {
    int kept = ClosedFormModels.eq2EffectiveRank(spectrum, rank, lambda);
    int wanted = Math.min(rank, spectrum.components());
    if (kept >= wanted) {
      return null;
    }
    return String.format(Locale.ROOT, "Eq. 2 at --lambda-eq2 %s keeps %d of %d dimensions (singular values %s): "
        + "its neighbours are %s; pass a --lambda-eq2 below s_%d = %s to keep all of them", plain(lambda), kept, wanted,
        topSingularValues(spectrum, Math.min(wanted, 5)).stream().map(Reproduction::plain).toList(),
        kept < 2 ? "all ties (a model of at most one dimension), so the claims on Eq. 2 say nothing"
            : "those of a smaller model", wanted, plain(spectrum.singularValue(wanted - 1)));
  }

  /** A value to 4 significant digits, without trailing zeros ("100", "59.12"). */
  private static String plain(double v) {
    return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
  }

  private static List<Double> topSingularValues(ItemSpectrum s, int n) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(s.singularValue(i));
    }
    return out;
  }

  private static Map<String, Object> settingsJson(ReproduceJob.Config c, InteractionMatrix.Indexed x,
      InteractionMatrix.Spectrum sp) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("users", x.users());
    m.put("items", x.items());
    m.put("interactions", x.interactions());
    m.put("rank", c.rank());
    m.put("lambda_eq1", c.lambdaEq1());
    m.put("lambda_eq2", c.lambdaEq2());
    m.put("k", c.k());
    m.put("spectrum", sp.method().name().toLowerCase(Locale.ROOT));
    return m;
  }
}
