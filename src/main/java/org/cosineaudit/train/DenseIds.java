package org.cosineaudit.train;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.InputException;
import scala.Tuple2;

/**
 * Id maps (contract columns {@code id} string, {@code index} int) for ALS, which needs dense
 * int ids: the distinct ids of a column, sorted, numbered from 0. Sorted so the numbering is a
 * function of the id set alone (not of partitioning), which keeps ALS's block assignment, and so
 * its factors, the same everywhere.
 */
final class DenseIds {

  static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("index", DataTypes.IntegerType, false);

  private DenseIds() {}

  /** The id map of {@code column} of {@code table}; fails when there are more ids than an int holds. */
  static Dataset<Row> of(SparkSession spark, Dataset<Row> table, String column) {
    JavaPairRDD<Row, Long> numbered = table.select(column).distinct().sort(column).javaRDD().zipWithIndex();
    return spark.createDataFrame(numbered.map(new ToIdRow(column)), SCHEMA);
  }

  /** (row with the id, position) -> (id, index). */
  static final class ToIdRow implements Function<Tuple2<Row, Long>, Row> {
    private static final long serialVersionUID = 1L;
    private final String column;

    ToIdRow(String column) {
      this.column = column;
    }

    @Override
    public Row call(Tuple2<Row, Long> t) {
      if (t._2() > Integer.MAX_VALUE) {
        throw new InputException("more than " + Integer.MAX_VALUE + " distinct " + column
            + " ids: ALS needs int ids; split the input or filter rare ids first");
      }
      return RowFactory.create(t._1().getString(0), (int) (long) t._2());
    }
  }
}
