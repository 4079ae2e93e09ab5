package org.cosineaudit.reproduce;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.train.InteractionMatrix;
import org.cosineaudit.train.LinearAutoencoder;

/**
 * Claim 1's "predictions are identical": the largest absolute difference between the scores
 * {@code x_u A_D B_D^T} of several models, for every item and a deterministic sample of users
 * (a hash of the user id picks about {@code maxUsers}), computed on the executors.
 */
final class PredictionCheck {

  /**
   * @param maxAbsDifference largest |score(model j) - score(model 0)| over users, items, models
   * @param maxAbsScore largest |score| of model 0, for scale
   * @param users users checked
   */
  record Result(double maxAbsDifference, double maxAbsScore, long users) {
    double relative() {
      return maxAbsScore > 0 ? maxAbsDifference / maxAbsScore : maxAbsDifference;
    }
  }

  private static final StructType PART = new StructType()
      .add("diff", DataTypes.DoubleType).add("score", DataTypes.DoubleType).add("users", DataTypes.LongType);

  private PredictionCheck() {}

  static Result compare(SparkSession spark, InteractionMatrix.Indexed x, List<LinearAutoencoder> models,
      long maxUsers) {
    long buckets = Math.max(1, (x.users() + maxUsers - 1) / maxUsers);
    Broadcast<LinearAutoencoder[]> b = spark.sparkContext().broadcast(models.toArray(new LinearAutoencoder[0]),
        scala.reflect.ClassTag$.MODULE$.apply(LinearAutoencoder[].class));
    List<Row> parts = x.rows().where(pmod(xxhash64(col("user")), lit(buckets)).equalTo(0))
        .mapPartitions(new Scores(b), Encoders.row(PART)).collectAsList();
    double diff = 0;
    double score = 0;
    long users = 0;
    for (Row r : parts) {
      diff = Math.max(diff, r.getDouble(0));
      score = Math.max(score, r.getDouble(1));
      users += r.getLong(2);
    }
    return new Result(diff, score, users);
  }

  /** Per partition: one row with the largest difference, the largest score and the user count. */
  static final class Scores implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<LinearAutoencoder[]> models;

    Scores(Broadcast<LinearAutoencoder[]> models) {
      this.models = models;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      LinearAutoencoder[] m = models.value();
      double diff = 0;
      double maxScore = 0;
      long users = 0;
      while (rows.hasNext()) {
        Row r = rows.next();
        List<Integer> items = r.getList(1);
        List<Double> values = r.getList(2);
        int[] idx = new int[items.size()];
        double[] val = new double[idx.length];
        for (int j = 0; j < idx.length; j++) {
          idx[j] = items.get(j);
          val[j] = values.get(j);
        }
        double[][] scores = new double[m.length][];
        for (int t = 0; t < m.length; t++) {
          scores[t] = scores(m[t], m[t].userFactor(idx, val));
        }
        for (int i = 0; i < scores[0].length; i++) {
          maxScore = Math.max(maxScore, Math.abs(scores[0][i]));
          for (int t = 1; t < m.length; t++) {
            diff = Math.max(diff, Math.abs(scores[t][i] - scores[0][i]));
          }
        }
        users++;
      }
      return List.of(RowFactory.create(diff, maxScore, users)).iterator();
    }

    private static double[] scores(LinearAutoencoder m, double[] user) {
      int k = m.rank();
      double[] b = m.b();
      double[] out = new double[m.items()];
      for (int i = 0; i < out.length; i++) {
        double s = 0;
        for (int c = 0; c < k; c++) {
          s += user[c] * b[i * k + c];
        }
        out[i] = s;
      }
      return out;
    }
  }
}
