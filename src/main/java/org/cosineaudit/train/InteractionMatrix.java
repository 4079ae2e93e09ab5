package org.cosineaudit.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SingularValueDecomposition;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.Iterators;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interaction matrix X (n users x p items) as one sparse row per user on the executors,
 * and the Spark computations the closed-form models need from it: the spectrum of
 * {@code X^T X} and the user embeddings {@code X A}.
 *
 * <p>Items are numbered 0..p-1 in ascending id order (a function of the id set alone, so
 * results do not depend on partitioning). The item id list (O(p)) lives on the driver; the
 * O(interactions) rows never do.
 */
public final class InteractionMatrix {

  private static final Logger LOG = LoggerFactory.getLogger(InteractionMatrix.class);

  /** Interactions per partition of the cached user rows. */
  static final long ROWS_PER_PARTITION = 1_000_000;

  /** One row per user: {@code user} string, {@code items} array&lt;int&gt; ascending, {@code values} array&lt;double&gt;. */
  public static final StructType ROWS_SCHEMA = new StructType()
      .add("user", DataTypes.StringType, false)
      .add("items", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("values", DataTypes.createArrayType(DataTypes.DoubleType, false), false);

  /** Factors table contract: {@code id} string, {@code features} array&lt;float&gt;. */
  public static final StructType FACTORS_SCHEMA = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  /** How the spectrum was obtained. */
  public enum SpectrumMethod {
    /** Dense p x p Gram by tree aggregation, full eigen-decomposition on the driver (p <= dense limit). */
    DENSE_GRAM,
    /** Truncated SVD by distributed ARPACK (Gram-vector products on the executors); top-k only. */
    TRUNCATED_SVD
  }

  /**
   * X on the executors.
   *
   * @param rows per-user sparse rows ({@link #ROWS_SCHEMA}), persisted; {@link #release()} when done
   * @param itemIds item id of each column, ascending
   * @param users n
   * @param interactions number of non-zero entries
   */
  public record Indexed(Dataset<Row> rows, List<String> itemIds, long users, long interactions) {
    public int items() {
      return itemIds.size();
    }

    public void release() {
      rows.unpersist();
    }
  }

  /** The spectrum and how it was computed. */
  public record Spectrum(ItemSpectrum spectrum, SpectrumMethod method, double seconds) {}

  private InteractionMatrix() {}

  /**
   * Builds X from an interactions table ({@code user}, {@code item}, {@code value}).
   *
   * @throws InputException when a (user, item) pair occurs twice, or a user, item or value is
   *     missing or not finite: the message names the pair and what to do
   */
  public static Indexed build(SparkSession spark, Dataset<Row> interactions) {
    for (String c : List.of("user", "item", "value")) {
      if (!Arrays.asList(interactions.columns()).contains(c)) {
        throw new InputException("interactions lack column '" + c + "' (have " + String.join(", ",
            interactions.columns()) + "); expected user, item, value");
      }
    }
    Dataset<Row> typed = interactions.select(col("user").cast("string").as("user"),
        col("item").cast("string").as("item"), col("value").cast("double").as("value"));
    List<String> itemIds = new ArrayList<>();
    for (Row r : typed.select("item").distinct().collectAsList()) { // O(items), not O(interactions)
      if (r.isNullAt(0)) {
        throw new InputException("interactions hold a row without an item id; drop or fix it (see the ingest job)");
      }
      itemIds.add(r.getString(0));
    }
    itemIds.sort(null);
    if (itemIds.isEmpty()) {
      throw new InputException("interactions are empty: nothing to factorize");
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < itemIds.size(); i++) {
      index.put(itemIds.get(i), i);
    }
    Broadcast<Map<String, Integer>> indexB = spark.sparkContext().broadcast(index,
        scala.reflect.ClassTag$.MODULE$.apply(Map.class));
    // one partition per ~1M interactions (at least the parallelism): the cached rows are reused
    // by every later pass, and the default 200 shuffle partitions would mean 200 tiny files per
    // user table and 200 tasks per pass on small data
    long count = typed.count();
    int partitions = (int) Math.max(spark.sparkContext().defaultParallelism(),
        Math.min(100_000, (count + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION));
    Dataset<Row> rows = typed.repartition(partitions, col("user")).groupBy("user")
        .agg(collect_list(struct(col("item"), col("value"))).as("pairs")) // one list: collect_list skips nulls
        .mapPartitions(new ToSparseRow(indexB), Encoders.row(ROWS_SCHEMA))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Row totals = rows.selectExpr("count(*)", "coalesce(sum(size(items)), 0)").first();
    LOG.info("interaction matrix: {} users x {} items, {} interactions", totals.getLong(0), itemIds.size(),
        totals.getLong(1));
    return new Indexed(rows, List.copyOf(itemIds), totals.getLong(0), totals.getLong(1));
  }

  /**
   * The spectrum of {@code X^T X}: the full one from a dense Gram when {@code p <= denseLimit}
   * (memory p(p+1)/2 doubles per task, O(p^3) eigen-decomposition on the driver), otherwise the
   * top {@code rank} singular pairs by distributed ARPACK (about 2-3 passes over X per
   * component; no p x p matrix anywhere, so p of tens of thousands works).
   */
  public static Spectrum spectrum(Indexed x, int rank, int denseLimit) {
    long start = System.nanoTime();
    int p = x.items();
    RowMatrix matrix = new RowMatrix(x.rows().javaRDD().map(new ToVector(p)).rdd(), x.users(), p);
    ItemSpectrum s;
    SpectrumMethod method;
    if (p <= denseLimit) {
      Matrix gram = matrix.computeGramianMatrix(); // tree aggregation of packed per-user outer products
      s = ItemSpectrum.ofGram(gram.toArray(), p);
      method = SpectrumMethod.DENSE_GRAM;
    } else {
      int k = Math.min(rank, p - 1);
      SingularValueDecomposition<RowMatrix, Matrix> svd = matrix.computeSVD(k, false, 1e-9);
      double[] sv = svd.s().toArray();
      Matrix v = svd.V(); // p x r, column-major
      int r = sv.length;
      double[] rowMajor = new double[p * r];
      for (int i = 0; i < p; i++) {
        for (int c = 0; c < r; c++) {
          rowMajor[i * r + c] = v.apply(i, c);
        }
      }
      s = ItemSpectrum.ofSvd(sv, rowMajor, p);
      method = SpectrumMethod.TRUNCATED_SVD;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info(String.format(Locale.ROOT, "spectrum of X^T X (%s, p=%d): %d components in %.1fs", method, p,
        s.components(), seconds));
    return new Spectrum(s, method, seconds);
  }

  /** User embeddings {@code X A} as a factors table (one row per user), computed on the executors. */
  public static Dataset<Row> userFactors(SparkSession spark, Indexed x, LinearAutoencoder model) {
    Broadcast<LinearAutoencoder> m = spark.sparkContext().broadcast(model,
        scala.reflect.ClassTag$.MODULE$.apply(LinearAutoencoder.class));
    return x.rows().map(new UserFactor(m), Encoders.row(FACTORS_SCHEMA));
  }

  /** Item embeddings (rows of B) as a factors table with the original item ids. O(p k) on the driver. */
  public static Dataset<Row> itemFactors(SparkSession spark, List<String> itemIds, LinearAutoencoder model) {
    List<Row> rows = new ArrayList<>(itemIds.size());
    for (int i = 0; i < itemIds.size(); i++) {
      rows.add(RowFactory.create(itemIds.get(i), model.itemFactor(i)));
    }
    return spark.createDataFrame(rows, FACTORS_SCHEMA);
  }

  /** (user, [(item, value)]) -> sorted sparse row; rejects duplicates and bad values by name. */
  static final class ToSparseRow implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Map<String, Integer>> index;

    ToSparseRow(Broadcast<Map<String, Integer>> index) {
      this.index = index;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> it) {
      Map<String, Integer> idx = index.value();
      return Iterators.mapped(it, r -> sparseRow(r, idx));
    }

    private static Row sparseRow(Row r, Map<String, Integer> idx) {
      if (r.isNullAt(0)) {
        throw new InputException("interactions hold a row without a user id; drop or fix it (see the ingest job)");
      }
      String user = r.getString(0);
      List<Row> pairs = r.getList(1);
      int n = pairs.size();
      String[] items = new String[n];
      double[] values = new double[n];
      long[] packed = new long[n]; // (item index, position) sorted by item index
      for (int j = 0; j < n; j++) {
        Row pair = pairs.get(j);
        items[j] = pair.getString(0);
        if (pair.isNullAt(1) || !Double.isFinite(pair.getDouble(1))) {
          throw new InputException("interaction of user '" + user + "' with item '" + items[j] + "' has value "
              + (pair.isNullAt(1) ? "null" : pair.get(1))
              + "; values must be finite numbers (fix the input or ingest it first)");
        }
        values[j] = pair.getDouble(1);
        packed[j] = ((long) idx.get(items[j]) << 32) | j;
      }
      Arrays.sort(packed);
      int[] cols = new int[n];
      Double[] vals = new Double[n];
      Integer[] boxed = new Integer[n];
      for (int j = 0; j < n; j++) {
        cols[j] = (int) (packed[j] >>> 32);
        if (j > 0 && cols[j] == cols[j - 1]) {
          throw new InputException("interactions hold user '" + user + "' x item '" + items[(int) packed[j]]
              + "' more than once; aggregate duplicates first (ingest --duplicates)");
        }
        boxed[j] = cols[j];
        vals[j] = values[(int) packed[j]];
      }
      return RowFactory.create(user, boxed, vals);
    }
  }

  /** A sparse row's item indices and values ({@link #ROWS_SCHEMA} columns 1 and 2) as primitive arrays. */
  private record SparseEntries(int[] items, double[] values) {
    static SparseEntries of(Row r) {
      List<Integer> items = r.getList(1);
      List<Double> values = r.getList(2);
      int[] idx = new int[items.size()];
      double[] val = new double[items.size()];
      for (int j = 0; j < idx.length; j++) {
        idx[j] = items.get(j);
        val[j] = values.get(j);
      }
      return new SparseEntries(idx, val);
    }
  }

  /** Sparse row -> mllib vector of length p. */
  static final class ToVector implements Function<Row, Vector> {
    private static final long serialVersionUID = 1L;
    private final int p;

    ToVector(int p) {
      this.p = p;
    }

    @Override
    public Vector call(Row r) {
      SparseEntries e = SparseEntries.of(r);
      return Vectors.sparse(p, e.items(), e.values());
    }
  }

  /** Sparse row -> (user, x_u A). */
  static final class UserFactor implements org.apache.spark.api.java.function.MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<LinearAutoencoder> model;

    UserFactor(Broadcast<LinearAutoencoder> model) {
      this.model = model;
    }

    @Override
    public Row call(Row r) {
      SparseEntries e = SparseEntries.of(r);
      double[] f = model.value().userFactor(e.items(), e.values());
      float[] out = new float[f.length];
      for (int c = 0; c < f.length; c++) {
        out[c] = (float) f[c];
      }
      return RowFactory.create(r.getString(0), out);
    }
  }

}
