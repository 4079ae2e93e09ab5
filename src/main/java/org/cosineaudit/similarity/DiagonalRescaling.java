package org.cosineaudit.similarity;

import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A gauge transform: user factors U -> U D and item factors V -> V D^-1 for a positive diagonal
 * D. Every prediction U Vᵀ stays the same (up to float rounding), yet item-item cosine changes
 * (the paper's point); score-cosine does not.
 *
 * @param scale the diagonal of D, one positive factor per component
 */
public record DiagonalRescaling(double[] scale) {

  /** Factors contract with float components, as written by every stage. */
  static final StructType FACTORS = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  public DiagonalRescaling {
    scale = scale.clone();
    for (double s : scale) {
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("rescaling factors must be finite and > 0, got " + s);
      }
    }
  }

  /**
   * A seeded random D: log(d_j) ~ N(0, spread²), independently per component. Spread 1 puts
   * about 95% of the factors within [e^-2, e^2].
   */
  public static DiagonalRescaling random(int dimension, double spread, long seed) {
    Random r = new Random(seed);
    double[] s = new double[dimension];
    for (int j = 0; j < dimension; j++) {
      s[j] = Math.exp(spread * r.nextGaussian());
    }
    return new DiagonalRescaling(s);
  }

  /** U D: user factors ({@code id, features}) with component j multiplied by d_j. */
  public Dataset<Row> users(Dataset<Row> userFactors) {
    return apply(userFactors, scale);
  }

  /** V D^-1: item factors ({@code id, features}) with component j divided by d_j. */
  public Dataset<Row> items(Dataset<Row> itemFactors) {
    double[] inv = new double[scale.length];
    for (int j = 0; j < inv.length; j++) {
      inv[j] = 1.0 / scale[j];
    }
    return apply(itemFactors, inv);
  }

  private static Dataset<Row> apply(Dataset<Row> factors, double[] multipliers) {
    return ItemNeighbours.standardize(factors, "factors to rescale")
        .map(new ScaleComponents(multipliers), Encoders.row(FACTORS));
  }

  /** Multiplies component j by m_j; a vector of another length is a caller's error, named by id. */
  static final class ScaleComponents implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final double[] m;

    ScaleComponents(double[] m) {
      this.m = m;
    }

    @Override
    public Row call(Row r) {
      List<Object> xs = r.getList(1);
      if (xs.size() != m.length) {
        throw new IllegalArgumentException("vector '" + r.getString(0) + "' has " + xs.size()
            + " components, the rescaling " + m.length);
      }
      float[] out = new float[m.length];
      for (int j = 0; j < m.length; j++) {
        Object x = xs.get(j);
        out[j] = x == null ? Float.NaN : (float) (((Number) x).doubleValue() * m[j]);
      }
      return RowFactory.create(r.getString(0), out);
    }
  }
}
