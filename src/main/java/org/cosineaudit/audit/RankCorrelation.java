package org.cosineaudit.audit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.math.BigInteger;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.Iterators;
import org.cosineaudit.run.PartitionOffsets;

/**
 * Spearman's rank correlation of two double columns, distributed and exact: the same to the bit
 * on every run, however the rows are partitioned.
 *
 * <p>Tied values get their average rank. Ranks are kept doubled (2 x average rank = 2 x values
 * below + count + 1, an integer), and the Pearson correlation of the doubled ranks (the same as of
 * the ranks) is computed from exact integer sums; only the final quotient is rounded. MLlib's
 * {@code Statistics.corr(.., "spearman")} instead merges floating-point partial sums in the order
 * tasks finish, and splits ties that straddle its sort's partitions.
 */
final class RankCorrelation {

  /** Partitions of the distributed numbering of distinct values. */
  private static final int RANK_PARTITIONS = 16;

  private RankCorrelation() {}

  /** Spearman's rho of columns {@code x} and {@code y} of {@code rows}; NaN when either is constant or n < 2. */
  static double spearman(Dataset<Row> rows, String x, String y) {
    Dataset<Row> pairs = rows.select(col(x).as("x"), col(y).as("y")).where(col("x").isNotNull().and(col("y").isNotNull()));
    Dataset<Row> ranked = pairs
        .join(doubledRanks(pairs, "x").withColumnRenamed("value", "x"), "x")
        .join(doubledRanks(pairs, "y").withColumnRenamed("value", "y"), "y");
    Column a = col("rank_x").cast("decimal(38,0)");
    Column b = col("rank_y").cast("decimal(38,0)");
    Row s = ranked.agg(count(lit(1)), sum(a), sum(b), sum(a.multiply(a)), sum(b.multiply(b)), sum(a.multiply(b)))
        .first();
    long n = s.getLong(0);
    if (n < 2) {
      return Double.NaN;
    }
    return pearson(n, big(s, 1), big(s, 2), big(s, 3), big(s, 4), big(s, 5));
  }

  private static BigInteger big(Row r, int i) {
    return r.getDecimal(i).toBigIntegerExact();
  }

  /**
   * Pearson's r from exact sums over n pairs: (n·Sab − Sa·Sb) / sqrt((n·Saa − Sa²)(n·Sbb − Sb²));
   * NaN when either side is constant.
   */
  static double pearson(long n, BigInteger sa, BigInteger sb, BigInteger saa, BigInteger sbb, BigInteger sab) {
    BigInteger bn = BigInteger.valueOf(n);
    BigInteger num = bn.multiply(sab).subtract(sa.multiply(sb));
    BigInteger da = bn.multiply(saa).subtract(sa.multiply(sa));
    BigInteger db = bn.multiply(sbb).subtract(sb.multiply(sb));
    if (da.signum() == 0 || db.signum() == 0) {
      return Double.NaN;
    }
    return num.doubleValue() / (Math.sqrt(da.doubleValue()) * Math.sqrt(db.doubleValue()));
  }

  static final StructType RANKS = new StructType()
      .add("value", DataTypes.DoubleType, false)
      .add("rank", DataTypes.LongType, false);

  /**
   * Each distinct value of {@code column} and its doubled average rank ({@code rank_<column>}):
   * distinct values with their counts, range-partitioned and sorted; {@link PartitionOffsets} sums
   * the counts per partition, and the next pass numbers from those offsets.
   */
  static Dataset<Row> doubledRanks(Dataset<Row> rows, String column) {
    JavaRDD<Row> sorted = rows.groupBy(col(column).as("value")).agg(count(lit(1)).as("n"))
        .repartitionByRange(RANK_PARTITIONS, col("value")).sortWithinPartitions("value")
        .toJavaRDD();
    long[][] offsets = PartitionOffsets.of(sorted, 1, (r, c) -> c[0] += r.getLong(1)).offsets();
    SparkSession spark = rows.sparkSession();
    return spark.createDataFrame(sorted.mapPartitionsWithIndex(new NumberPartition(offsets), true), RANKS)
        .withColumnRenamed("rank", "rank_" + column);
  }

  /** (value, 2 x values before + count + 1) of one sorted partition, from its offset. */
  static final class NumberPartition implements Function2<Integer, Iterator<Row>, Iterator<Row>> {
    private static final long serialVersionUID = 1L;
    /** Per partition, the values in earlier partitions ({@link PartitionOffsets}). */
    private final long[][] offsets;

    NumberPartition(long[][] offsets) {
      this.offsets = offsets;
    }

    @Override
    public Iterator<Row> call(Integer partition, Iterator<Row> it) {
      long[] before = {offsets[partition][0]};
      return Iterators.mapped(it, r -> {
        long n = r.getLong(1);
        long doubled = 2 * before[0] + n + 1;
        before[0] += n;
        return RowFactory.create(r.getDouble(0), doubled);
      });
    }
  }
}
