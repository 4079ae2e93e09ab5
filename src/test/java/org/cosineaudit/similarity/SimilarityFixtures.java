package org.cosineaudit.similarity;

import java.util.ArrayList;
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

/** Factor tables and brute-force references for the similarity tests. */
final class SimilarityFixtures {

  static final StructType FLOAT_FACTORS = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, true), true);

  static final StructType DOUBLE_FACTORS = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("features", DataTypes.createArrayType(DataTypes.DoubleType, true), true);

  private SimilarityFixtures() {}

  /** A float factors table from ids and rows. */
  static Dataset<Row> factors(SparkSession spark, String[] ids, double[][] v) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      Float[] f = null;
      if (v[i] != null) {
        f = new Float[v[i].length];
        for (int j = 0; j < f.length; j++) {
          f[j] = (float) v[i][j];
        }
      }
      rows.add(RowFactory.create(ids[i], f));
    }
    return spark.createDataFrame(rows, FLOAT_FACTORS);
  }

  /** A double factors table. */
  static Dataset<Row> doubleFactors(SparkSession spark, String[] ids, double[][] v) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      Double[] f = new Double[v[i].length];
      for (int j = 0; j < f.length; j++) {
        f[j] = v[i][j];
      }
      rows.add(RowFactory.create(ids[i], f));
    }
    return spark.createDataFrame(rows, DOUBLE_FACTORS);
  }

  /** One neighbour as read back. */
  record Hit(String neighbour, double score) {}

  /** item -> neighbours in rank order (checks that ranks are 1..n without gaps). */
  static Map<String, List<Hit>> collect(NeighbourResult r) {
    List<Row> rows = sortedRows(r);
    Map<String, List<Hit>> out = new LinkedHashMap<>();
    for (Row row : rows) {
      List<Hit> list = out.computeIfAbsent(row.getString(0), x -> new ArrayList<>());
      if (row.getInt(1) != list.size() + 1) {
        throw new AssertionError("rank gap for " + row.getString(0) + ": " + row);
      }
      list.add(new Hit(row.getString(2), row.getDouble(3)));
    }
    return out;
  }

  /** All rows, by item then rank (sorted on the driver: small fixtures). */
  static List<Row> sortedRows(NeighbourResult r) {
    List<Row> rows = new ArrayList<>(r.neighbours().collectAsList());
    rows.sort(java.util.Comparator.comparing((Row x) -> x.getString(0)).thenComparingInt(x -> x.getInt(1)));
    return rows;
  }

  static double[][] gaussian(Random rnd, int n, int d) {
    double[][] v = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        v[i][j] = rnd.nextGaussian();
      }
    }
    return v;
  }

  /** Sortable ids: "i0007". */
  static String[] ids(String prefix, int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = String.format("%s%04d", prefix, i);
    }
    return ids;
  }

  /**
   * Exact double-precision scores of every pair under a measure, straight from the definitions.
   *
   * @param users user factors (score-cosine), else null
   */
  static double[][] bruteForceScores(Measure m, double[][] v, double[][] users) {
    int n = v.length;
    int d = v[0].length;
    double[][] x = new double[n][];
    switch (m) {
      case COSINE, DOT -> {
        for (int i = 0; i < n; i++) {
          x[i] = v[i].clone();
        }
      }
      case CENTERED_COSINE -> {
        double[] mean = new double[d];
        for (double[] row : v) {
          for (int j = 0; j < d; j++) {
            mean[j] += row[j] / n;
          }
        }
        for (int i = 0; i < n; i++) {
          x[i] = new double[d];
          for (int j = 0; j < d; j++) {
            x[i][j] = v[i][j] - mean[j];
          }
        }
      }
      case SCORE_COSINE -> {
        // the items' columns of U Vᵀ, literally
        for (int i = 0; i < n; i++) {
          x[i] = new double[users.length];
          for (int u = 0; u < users.length; u++) {
            x[i][u] = dot(users[u], v[i]);
          }
        }
      }
      default -> throw new IllegalStateException();
    }
    double[][] s = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double dotij = dot(x[i], x[j]);
        s[i][j] = m == Measure.DOT ? dotij : dotij / Math.sqrt(dot(x[i], x[i]) * dot(x[j], x[j]));
      }
    }
    return s;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
