package org.cosineaudit.stability;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.InputException;
import scala.Tuple2;

/**
 * Item popularity deciles, the strata of the stability summary.
 *
 * <p>Decile 1 holds the least popular tenth of the items, 10 the most popular. Items are
 * ranked by (popularity, item id) — the id breaks the many ties among rare items
 * deterministically — so every decile holds a tenth of the items (plus or minus one), unlike
 * value-based cut points, which would lump all items with one interaction into one stratum.
 * The ranking is a distributed sort; nothing per item reaches the driver.
 */
public final class PopularityStrata {

  /** Stratum of every item. */
  public static final String ALL = "all";
  /** Stratum of items of the neighbour tables that the popularity table does not list. */
  public static final String UNKNOWN = "popularity_unknown";

  public static final StructType DECILE_SCHEMA = new StructType()
      .add("item", DataTypes.StringType, false)
      .add("popularity_decile", DataTypes.IntegerType, false);

  private PopularityStrata() {}

  /** Stratum name of a decile: {@code popularity_d01} .. {@code popularity_d10}; null -> {@link #UNKNOWN}. */
  public static String stratum(Integer decile) {
    return decile == null ? UNKNOWN : String.format("popularity_d%02d", decile);
  }

  /**
   * Reads item popularity from a table: {@code id, count} (counts per item), an
   * interactions table ({@code user, item, ...}: rows per item), or a table with an
   * {@code item} column and the given {@code column} (e.g. the {@code popularity} column of
   * the generator's {@code items} table).
   *
   * @param column the popularity column, or null to detect one of the first two shapes
   * @return columns {@code item} string, {@code popularity} double
   */
  public static Dataset<Row> read(SparkSession spark, String path, String column) {
    Dataset<Row> t = Tables.read(spark, path);
    List<String> cols = Arrays.asList(t.columns());
    if (column != null) {
      String id = cols.contains("item") ? "item" : "id";
      require(cols, path, id, column);
      return complete(t, path, id, column);
    }
    if (cols.contains("id") && cols.contains("count")) {
      return complete(t, path, "id", "count");
    }
    if (cols.contains("user") && cols.contains("item")) {
      return complete(t.groupBy(col("item")).count(), path, "item", "count");
    }
    throw new InputException("popularity table " + path + " has columns " + cols + "; expected 'id, count', an "
        + "interactions table (user, item, ...), or pass --popularity-column to name the column to use");
  }

  /**
   * Column {@code id} as {@code item} and {@code value} as {@code popularity}; a row without an id
   * or without a number is an error naming the first ones, not a row left out.
   */
  private static Dataset<Row> complete(Dataset<Row> t, String path, String id, String value) {
    return Tables.itemValues(t, "popularity table " + path, id, value, DataTypes.DoubleType, "popularity",
        "a number");
  }

  private static void require(List<String> cols, String path, String... names) {
    for (String n : names) {
      if (!cols.contains(n)) {
        throw new InputException("popularity table " + path + " has no column '" + n + "' (columns: " + cols + ")");
      }
    }
  }

  /**
   * Decile of every item of a popularity table ({@code item}, {@code popularity}); an item
   * listed twice keeps its largest popularity.
   *
   * @return {@code item}, {@code popularity_decile} (1..10)
   */
  public static Dataset<Row> deciles(SparkSession spark, Dataset<Row> popularity) {
    Dataset<Row> perItem = popularity.groupBy("item").agg(org.apache.spark.sql.functions.max("popularity").as("popularity"))
        .orderBy(col("popularity").asc(), col("item").asc());
    org.apache.spark.api.java.JavaPairRDD<Row, Long> ranked = perItem.javaRDD().zipWithIndex();
    long n = ranked.count();
    JavaRDD<Row> rows = ranked.map(new ToDecile(n));
    // persisted: the sort and numbering would otherwise run again in every plan that joins it
    return spark.createDataFrame(rows, DECILE_SCHEMA).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
  }

  /** Position in the popularity order -> decile. */
  static final class ToDecile implements org.apache.spark.api.java.function.Function<Tuple2<Row, Long>, Row> {
    private static final long serialVersionUID = 1L;
    private final long n;

    ToDecile(long n) {
      this.n = n;
    }

    @Override
    public Row call(Tuple2<Row, Long> t) {
      return RowFactory.create(t._1().getString(0), decile(t._2(), n));
    }
  }

  /** 1-based decile of the item at 0-based position {@code index} of {@code n} (ascending popularity). */
  static int decile(long index, long n) {
    return (int) (index * 10 / n) + 1;
  }
}
