package org.cosineaudit.reproduce;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.InteractionInput;
import org.cosineaudit.reproduce.Claim.Comparison;
import org.cosineaudit.run.OrderedMerge;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.train.Factorization;
import org.cosineaudit.train.RegularizationSweep;
import org.cosineaudit.train.SweepJob;

/**
 * Spark ALS on the same interactions, through the project's sweep ({@link SweepJob#execute}):
 * implicit feedback, one model per (alpha, reg), held-out accuracy per model. Its output is
 * a nested run {@code als/} (model index, factors, model.json per model).
 */
final class AlsModels {

  /** Folder of the nested sweep run. */
  static final String DIR = "als";
  /** Two models have "nearly equal accuracy" within this relative difference. */
  static final double ACCURACY_TOLERANCE = 0.05;
  /** Held-out metrics the claim reads, in order of preference. */
  static final List<String> ACCURACY_METRICS = List.of("ndcg_at_k", "recall_at_k", "precision_at_k");

  /** One trained model: its variant name ({@code als-<model id>}), parameters, metrics and factors. */
  record Model(String variant, String modelId, double reg, double alpha, Map<String, Double> metrics,
      Dataset<Row> items, Dataset<Row> users, String dir) {
    /** Where the sweep wrote this model's neighbour table for a measure. */
    String neighbours(org.cosineaudit.similarity.Measure m) {
      return dir + "/" + RegularizationSweep.NEIGHBOURS + "/" + m.id();
    }

    double accuracy() {
      for (String m : ACCURACY_METRICS) {
        Double v = metrics.get(m);
        if (v != null && !v.isNaN()) {
          return v;
        }
      }
      return Double.NaN;
    }

    String accuracyMetric() {
      for (String m : ACCURACY_METRICS) {
        Double v = metrics.get(m);
        if (v != null && !v.isNaN()) {
          return m;
        }
      }
      return "none";
    }
  }

  private AlsModels() {}

  /** Trains the grid into {@code out/als} and returns every model. */
  static List<Model> train(SparkSession spark, ReproduceJob.Config c, RunOutput out) {
    Map<String, String> v = new HashMap<>(InteractionInput.forProjectTable(
        out.path(org.cosineaudit.data.GenerateJob.INTERACTIONS), out.format()));
    // the sweep writes the neighbour tables of its models; the claims read them from there
    v.put("measures", "cosine,score-cosine");
    v.put("k", Integer.toString(c.k()));
    v.put("format", out.format().id());
    v.put("rank", Integer.toString(c.rank()));
    v.put("reg", join(c.alsRegs()));
    v.put("alpha", join(c.alsAlphas()));
    v.put("seeds", Long.toString(c.simulation().seed() == (int) c.simulation().seed() ? c.simulation().seed() : 0));
    v.put("max-iter", Integer.toString(c.alsIterations()));
    v.put("holdout", "random");
    v.put("holdout-fraction", Double.toString(c.holdoutFraction()));
    v.put("split-seed", Long.toString(c.simulation().seed()));
    v.put("metrics-k", Integer.toString(c.k()));
    v.put("output", out.path(DIR));
    Settings s = SweepJob.settings(v);
    SweepJob.Config sc = new SweepJob().configure(s);
    RunOutput child = out.child(DIR, "sweep", s, s.values());
    RegularizationSweep.Result r;
    try {
      r = SweepJob.execute(spark, sc, child);
    } catch (IOException e) {
      throw new IllegalStateException("ALS sweep failed writing " + child.root() + ": " + e.getMessage(), e);
    }
    child.complete(Outcome.ok(List.of()));
    List<Model> models = new ArrayList<>();
    for (String id : r.modelIds()) {
      Factorization f = Factorization.read(spark, child.root(), id);
      String variant = id.startsWith("als") ? id : "als-" + id; // sweep ids already say "als-..."
      models.add(new Model(variant, id, f.params().reg(), f.params().alpha(), f.metrics(), f.itemFactors(),
          f.userFactors(), child.path(RegularizationSweep.modelDir(id))));
    }
    return models;
  }

  /** Pairs of models to compare: every two models with the same alpha. */
  static List<Model[]> pairs(List<Model> models) {
    List<Model[]> out = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      for (int j = i + 1; j < models.size(); j++) {
        if (models.get(i).alpha() == models.get(j).alpha()) {
          out.add(new Model[] {models.get(i), models.get(j)});
        }
      }
    }
    return out;
  }

  /**
   * 6: models of nearly equal held-out accuracy (within {@value #ACCURACY_TOLERANCE} relative)
   * that still rank neighbours differently (mean Jaccard@k below {@link NeighbourClaims#DIFFER}).
   * The detail holds accuracy against lambda next to neighbour agreement against lambda.
   */
  static Claim claim(List<Model> models, NeighbourClaims.Agreement a) {
    String claim = "Spark ALS: models of nearly equal held-out accuracy rank cosine neighbours differently";
    String measure = "smallest mean Jaccard@" + a.k() + " between two ALS models (same alpha) whose accuracy "
        + "differs by <= " + Math.round(ACCURACY_TOLERANCE * 100) + "%";
    Map<String, Object> detail = new LinkedHashMap<>();
    List<Map<String, Object>> table = new ArrayList<>();
    for (Model m : models) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("model", m.modelId());
      row.put("alpha", m.alpha());
      row.put("reg", m.reg());
      row.put(m.accuracyMetric(), m.accuracy());
      row.put("cluster_precision", a.precision().get(NeighbourClaims.cos(m.variant())));
      table.add(row);
    }
    detail.put("models", table);
    List<Map<String, Object>> compared = new ArrayList<>();
    double smallest = Double.POSITIVE_INFINITY;
    for (Model[] p : pairs(models)) {
      double j = a.jaccard(NeighbourClaims.cos(p[0].variant()), NeighbourClaims.cos(p[1].variant()));
      double acc0 = p[0].accuracy();
      double acc1 = p[1].accuracy();
      double rel = Math.abs(acc0 - acc1) / Math.max(Math.abs(acc0), Math.abs(acc1));
      boolean near = rel <= ACCURACY_TOLERANCE;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("a", p[0].modelId());
      row.put("b", p[1].modelId());
      row.put("relative_accuracy_difference", rel);
      row.put("mean_jaccard", j);
      row.put("nearly_equal_accuracy", near);
      compared.add(row);
      if (near) {
        smallest = Math.min(smallest, j);
      }
    }
    detail.put("pairs", compared);
    if (Double.isInfinite(smallest)) {
      return new Claim("6", claim, measure, Double.NaN, Comparison.BELOW, NeighbourClaims.DIFFER, "skipped",
          withReason(detail, "no two ALS models (same alpha) have accuracy within "
              + Math.round(ACCURACY_TOLERANCE * 100) + "%; widen --als-reg or add values between"));
    }
    return Claim.measured("6", claim, measure, smallest, Comparison.BELOW, NeighbourClaims.DIFFER, detail);
  }

  /**
   * {@code G = P^T P} (k x k, row-major) of a user factors table, summed on the executors: each
   * partition in row order, then the partitions in partition order ({@link OrderedMerge}; a tree
   * aggregate adds them in task-completion order, which changes the last bits from run to run).
   */
  static double[] userGram(Dataset<Row> users, int k) {
    JavaRDD<double[]> partials = users.select("features").javaRDD().mapPartitions(new PartitionGram(k));
    return OrderedMerge.inPartitionOrder(partials, new OrderedMerge.SumArrays()).orElseGet(() -> new double[k * k]);
  }

  /** The Gram matrix of one partition's rows, added in row order. */
  static final class PartitionGram implements FlatMapFunction<Iterator<Row>, double[]> {
    private static final long serialVersionUID = 1L;
    private final int k;

    PartitionGram(int k) {
      this.k = k;
    }

    @Override
    public Iterator<double[]> call(Iterator<Row> rows) {
      AddOuter add = new AddOuter(k);
      double[] g = new double[k * k];
      while (rows.hasNext()) {
        g = add.call(g, rows.next());
      }
      return List.of(g).iterator();
    }
  }

  /** Adds one user's outer product f f^T to the accumulator. */
  static final class AddOuter implements Function2<double[], Row, double[]> {
    private static final long serialVersionUID = 1L;
    private final int k;

    AddOuter(int k) {
      this.k = k;
    }

    @Override
    public double[] call(double[] g, Row r) {
      List<Float> f = r.getList(0);
      for (int a = 0; a < k; a++) {
        double x = f.get(a);
        for (int b = 0; b < k; b++) {
          g[a * k + b] += x * f.get(b);
        }
      }
      return g;
    }
  }

  private static Map<String, Object> withReason(Map<String, Object> detail, String reason) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reason", reason);
    m.putAll(detail);
    return m;
  }

  private static String join(List<Double> values) {
    List<String> s = new ArrayList<>();
    for (double d : values) {
      s.add(String.format(Locale.ROOT, "%s", d));
    }
    return String.join(",", s);
  }
}
