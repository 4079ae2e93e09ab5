package org.cosineaudit.stability;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.InputException;
import org.cosineaudit.similarity.EngineOptions;
import org.cosineaudit.similarity.ItemNeighbours;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.similarity.NeighbourResult;

/**
 * The paper's gauge freedom, measured on one model: transforms of the factors that leave
 * every prediction U V^T unchanged, and what they do to item neighbours.
 *
 * <ul>
 *   <li>{@code rescale}: U D, V D^-1 with D = diag(exp(spread * z)), z standard normal
 *       (log-normal scales; spread 1 gives factors of about e^±1 per dimension). Cosine
 *       neighbours move; score-space cosine (which uses G = U^T U) must not.</li>
 *   <li>{@code rotate}: U R, V R with R a random orthogonal matrix (Gram-Schmidt of a
 *       Gaussian matrix). Predictions, cosine and score-cosine are all unchanged.</li>
 * </ul>
 * Reported: the largest change of a prediction over a seeded sample of users x items (it must
 * stay at rounding level: ~1e-6 relative with float factors), and the neighbour agreement of
 * each transformed model with the original, for {@code cosine} and {@code score-cosine}.
 */
public final class GaugeCheck {

  private GaugeCheck() {}

  /** Which prediction-preserving transform. */
  public enum Kind {
    RESCALE("rescale"), ROTATE("rotate");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /**
   * Settings.
   *
   * @param draws transforms of each kind
   * @param spread standard deviation of the log of the rescaling factors
   * @param seed seed of the transforms and of the prediction sample
   * @param k neighbours per item
   * @param sample users and items sampled for the prediction check (sample x sample pairs)
   */
  public record Settings(int draws, double spread, long seed, int k, int sample, EngineOptions engine,
      NeighbourAgreement.Options agreement) {}

  /**
   * One transform: user factors map to {@code x * userMatrix}, item factors to {@code x * itemMatrix}
   * (row vectors; d x d row-major), with userMatrix * itemMatrix^T = I.
   */
  public record Transform(String name, Kind kind, double[] userMatrix, double[] itemMatrix, int dim) {}

  /** The prediction check of one transform. */
  public record PredictionChange(String transform, String kind, long pairs, double maxAbsChange,
      double maxAbsPrediction) {
    public double relativeChange() {
      return maxAbsPrediction == 0 ? 0 : maxAbsChange / maxAbsPrediction;
    }
  }

  /** What the check found; {@code agreement} rows have a = "MEASURE/original", b = "MEASURE/TRANSFORM". */
  public record Result(List<Transform> transforms, List<PredictionChange> predictions, List<SummaryRow> agreement) {}

  public static final StructType PREDICTIONS_SCHEMA = new StructType()
      .add("transform", DataTypes.StringType, false)
      .add("kind", DataTypes.StringType, false)
      .add("sampled_pairs", DataTypes.LongType, false)
      .add("max_abs_change", DataTypes.DoubleType, false)
      .add("max_abs_prediction", DataTypes.DoubleType, false)
      .add("relative_change", DataTypes.DoubleType, false);

  public static final StructType AGREEMENT_SCHEMA = new StructType()
      .add("measure", DataTypes.StringType, false)
      .add("transform", DataTypes.StringType, false)
      .add("metric", DataTypes.StringType, false)
      .add("n_items", DataTypes.LongType, false)
      .add("mean", DataTypes.DoubleType, true)
      .add("p10", DataTypes.DoubleType, true)
      .add("ci_low", DataTypes.DoubleType, true)
      .add("ci_high", DataTypes.DoubleType, true);

  /** The measures compared: the one the gauge moves and the one it must not. */
  static final List<Measure> MEASURES = List.of(Measure.COSINE, Measure.SCORE_COSINE);

  /** Draws {@code draws} rescalings and {@code draws} rotations of dimension {@code dim}. */
  public static List<Transform> transforms(int dim, int draws, double spread, long seed) {
    Random rnd = new Random(seed);
    List<Transform> out = new ArrayList<>();
    for (int t = 1; t <= draws; t++) {
      double[] d = new double[dim * dim];
      double[] inv = new double[dim * dim];
      for (int i = 0; i < dim; i++) {
        double s = Math.exp(spread * rnd.nextGaussian());
        d[i * dim + i] = s;
        inv[i * dim + i] = 1 / s;
      }
      out.add(new Transform("rescale-" + t, Kind.RESCALE, d, inv, dim));
    }
    for (int t = 1; t <= draws; t++) {
      double[] r = randomOrthogonal(dim, rnd);
      out.add(new Transform("rotate-" + t, Kind.ROTATE, r, r, dim));
    }
    return out;
  }

  /** Gram-Schmidt (twice, for orthogonality to rounding) of a Gaussian matrix's rows. */
  static double[] randomOrthogonal(int d, Random rnd) {
    double[] q = new double[d * d];
    for (int i = 0; i < q.length; i++) {
      q[i] = rnd.nextGaussian();
    }
    for (int i = 0; i < d; i++) {
      for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < i; j++) {
          double dot = 0;
          for (int c = 0; c < d; c++) {
            dot += q[i * d + c] * q[j * d + c];
          }
          for (int c = 0; c < d; c++) {
            q[i * d + c] -= dot * q[j * d + c];
          }
        }
      }
      double norm = 0;
      for (int c = 0; c < d; c++) {
        norm += q[i * d + c] * q[i * d + c];
      }
      norm = Math.sqrt(norm);
      for (int c = 0; c < d; c++) {
        q[i * d + c] /= norm;
      }
    }
    return q;
  }

  /** Runs the check. Factors: {@code id, features}. */
  public static Result run(SparkSession spark, Dataset<Row> userFactors, Dataset<Row> itemFactors, Settings s) {
    Dataset<Row> users = ItemNeighbours.standardize(userFactors, "user factors");
    Dataset<Row> items = ItemNeighbours.standardize(itemFactors, "item factors");
    Row first = items.select("features").first();
    if (first == null) {
      throw new InputException("item factors are empty: nothing to check");
    }
    int dim = first.getList(0).size();
    List<Transform> transforms = transforms(dim, s.draws(), s.spread(), s.seed());

    List<PredictionChange> predictions = predictionChanges(users, items, transforms, s);

    List<NeighbourAgreement.NamedTable> tables = new ArrayList<>();
    List<NeighbourResult> results = new ArrayList<>();
    try {
      addNeighbours(spark, "original", items, users, s, tables, results);
      for (Transform t : transforms) {
        addNeighbours(spark, t.name(), transform(items, t.itemMatrix(), dim), transform(users, t.userMatrix(), dim), s,
            tables, results);
      }
      List<int[]> pairs = new ArrayList<>();
      int perSet = MEASURES.size();
      for (int t = 1; t <= transforms.size(); t++) {
        for (int m = 0; m < perSet; m++) {
          pairs.add(new int[] {m, t * perSet + m});
        }
      }
      NeighbourAgreement.Result agreement = NeighbourAgreement.compare(spark, tables, pairs, null, null,
          s.agreement().withK(s.k()));
      try {
        return new Result(transforms, predictions, agreement.summary());
      } finally {
        agreement.release();
      }
    } finally {
      results.forEach(NeighbourResult::close);
    }
  }

  private static void addNeighbours(SparkSession spark, String name, Dataset<Row> items, Dataset<Row> users,
      Settings s, List<NeighbourAgreement.NamedTable> tables, List<NeighbourResult> results) {
    try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(spark, items, users, s.engine(), "item factors (" + name
        + ")", "user factors (" + name + ")")) {
      for (Measure m : MEASURES) {
        NeighbourResult r = p.compute(m, s.k());
        results.add(r);
        tables.add(new NeighbourAgreement.NamedTable(m.id() + "/" + name, r.neighbours()));
      }
    }
  }

  /**
   * Factors ({@code id, features} as {@link ItemNeighbours#standardize} gives them) times a d x d
   * matrix (row-major), on the executors; e.g. the item side of a {@link #transforms} entry.
   */
  public static Dataset<Row> transform(Dataset<Row> factors, double[] matrix, int dim) {
    return factors.map(new ApplyMatrix(matrix, dim), Encoders.row(new StructType()
        .add("id", DataTypes.StringType, false)
        .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), true)));
  }

  /** Row vector times matrix. */
  static final class ApplyMatrix implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final double[] matrix;
    private final int dim;

    ApplyMatrix(double[] matrix, int dim) {
      this.matrix = matrix;
      this.dim = dim;
    }

    @Override
    public Row call(Row r) {
      if (r.isNullAt(1)) {
        return RowFactory.create(r.getString(0), null);
      }
      List<Object> x = r.getList(1);
      if (x.size() != dim) {
        throw new InputException("embedding '" + r.getString(0) + "' has " + x.size() + " components, expected " + dim);
      }
      double[] v = new double[dim];
      for (int i = 0; i < dim; i++) {
        Object o = x.get(i);
        if (o == null) {
          throw new InputException("embedding '" + r.getString(0) + "' has a missing component at position " + i);
        }
        v[i] = ((Number) o).doubleValue();
      }
      double[] y = times(v, matrix, dim);
      List<Object> boxed = new ArrayList<>(dim);
      for (double c : y) {
        boxed.add(c);
      }
      // a Row's array value must be a Scala Seq for the row encoder
      return RowFactory.create(r.getString(0), scala.jdk.javaapi.CollectionConverters.asScala(boxed).toSeq());
    }
  }

  static double[] times(double[] v, double[] m, int d) {
    double[] out = new double[d];
    for (int i = 0; i < d; i++) {
      double vi = v[i];
      for (int j = 0; j < d; j++) {
        out[j] += vi * m[i * d + j];
      }
    }
    return out;
  }

  /**
   * The prediction check on a seeded sample: the {@code sample} users and items with the
   * smallest hash of (id, seed) — a top-k, not a collect of the tables.
   */
  static List<PredictionChange> predictionChanges(Dataset<Row> users, Dataset<Row> items, List<Transform> transforms,
      Settings s) {
    List<double[]> u = sample(users, s);
    List<double[]> v = sample(items, s);
    List<PredictionChange> out = new ArrayList<>();
    for (Transform t : transforms) {
      double maxChange = 0;
      double maxPrediction = 0;
      List<double[]> ut = new ArrayList<>();
      for (double[] x : u) {
        ut.add(times(x, t.userMatrix(), t.dim()));
      }
      List<double[]> vt = new ArrayList<>();
      for (double[] x : v) {
        vt.add(times(x, t.itemMatrix(), t.dim()));
      }
      for (int i = 0; i < u.size(); i++) {
        for (int j = 0; j < v.size(); j++) {
          double before = dot(u.get(i), v.get(j));
          double after = dot(ut.get(i), vt.get(j));
          maxChange = Math.max(maxChange, Math.abs(after - before));
          maxPrediction = Math.max(maxPrediction, Math.abs(before));
        }
      }
      out.add(new PredictionChange(t.name(), t.kind().id(), (long) u.size() * v.size(), maxChange, maxPrediction));
    }
    return out;
  }

  private static List<double[]> sample(Dataset<Row> factors, Settings s) {
    List<double[]> out = new ArrayList<>();
    for (Row r : factors.orderBy(xxhash64(col("id"), lit(s.seed()))).limit(s.sample()).collectAsList()) {
      List<Object> x = r.getList(1);
      double[] v = new double[x.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = x.get(i) == null ? Double.NaN : ((Number) x.get(i)).doubleValue();
      }
      out.add(v);
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** The agreement rows as a table: measure, transform, metric, n_items, mean, p10, ci_low, ci_high. */
  public static Dataset<Row> agreementTable(SparkSession spark, List<SummaryRow> rows) {
    List<Row> out = new ArrayList<>();
    for (SummaryRow r : rows) {
      String measure = r.a().substring(0, r.a().indexOf('/'));
      String transform = r.b().substring(r.b().indexOf('/') + 1);
      out.add(RowFactory.create(measure, transform, r.metric(), r.nItems(), nullIfNaN(r.mean()), nullIfNaN(r.p10()),
          nullIfNaN(r.ciLow()), nullIfNaN(r.ciHigh())));
    }
    return spark.createDataFrame(out, AGREEMENT_SCHEMA).coalesce(1);
  }

  /** The prediction checks as a table. */
  public static Dataset<Row> predictionTable(SparkSession spark, List<PredictionChange> rows) {
    List<Row> out = new ArrayList<>();
    for (PredictionChange p : rows) {
      out.add(RowFactory.create(p.transform(), p.kind(), p.pairs(), p.maxAbsChange(), p.maxAbsPrediction(),
          p.relativeChange()));
    }
    return spark.createDataFrame(out, PREDICTIONS_SCHEMA).coalesce(1);
  }

  private static Double nullIfNaN(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
