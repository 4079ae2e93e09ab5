package org.cosineaudit.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.InputException;

/**
 * Writing and reading the tables that pass between stages, and typing the items tables users
 * give ({@link #itemValues}).
 *
 * <p>CSV cannot hold arrays: array columns are written as one field of space-separated
 * numbers and parsed back by {@link #read} when the caller asks for them. CSV is written and read
 * with RFC 4180 quoting ({@code ""} for a quote inside a quoted field, as {@link DelimitedFields}
 * reads it for ingestion and {@link EmbeddingReader}), not Spark's default backslash escape.
 */
public final class Tables {

  /**
   * Columns that {@link #read} keeps as text in CSV, whatever their values look like: the ids of
   * every table this project writes ({@code id} of factor tables, id maps, audit tables;
   * {@code user}, {@code item} of interactions, items and agreement tables; {@code neighbour} of
   * neighbour tables; {@code model_id} of the sweep's model index; {@code a}, {@code b}, the
   * compared models or tables of stability tables); {@code raw}, a rejected line as read; and
   * {@code features}, a factor table's vector as space-separated numbers, which readers split
   * (with rank 1 it would be inferred as one number). Inferred, ids {@code 007}, {@code 07} and
   * {@code 7} would all become the number 7. Matched without case, as Spark resolves column names.
   */
  public static final Set<String> TEXT_COLUMNS = Set.of("id", "user", "item", "neighbour", "model_id", "a", "b",
      "raw", "features");

  private Tables() {}

  /** Writes {@code table} to {@code path} (replacing it) in {@code format}. */
  public static void write(Dataset<Row> table, String path, TableFormat format) {
    switch (format) {
      case PARQUET -> table.write().mode(SaveMode.Overwrite).parquet(path);
      case CSV -> flattenArrays(table).write().mode(SaveMode.Overwrite).option("header", "true")
          .option("escape", "\"").csv(path);
    }
  }

  /** Array columns as space-separated strings, for CSV. */
  public static Dataset<Row> flattenArrays(Dataset<Row> table) {
    Column[] cols = new Column[table.schema().fields().length];
    int i = 0;
    for (StructField f : table.schema().fields()) {
      cols[i++] = f.dataType() instanceof ArrayType
          ? concat_ws(" ", col(f.name()).cast(DataTypes.createArrayType(DataTypes.StringType))).as(f.name())
          : col(f.name());
    }
    return table.select(cols);
  }

  /**
   * Reads a table written by {@link #write}: Parquet when the folder holds Parquet files,
   * otherwise CSV with a header, the {@link #TEXT_COLUMNS} as strings and the other columns typed
   * by inference.
   */
  public static Dataset<Row> read(SparkSession spark, String path) {
    TableFormat format = detect(spark, path);
    return switch (format) {
      case PARQUET -> spark.read().parquet(path);
      case CSV -> readCsv(spark, path);
    };
  }

  /** CSV with the inferred schema, ids turned back to text (one inference pass, then read with that schema). */
  private static Dataset<Row> readCsv(SparkSession spark, String path) {
    Dataset<Row> inferred = csvReader(spark).option("inferSchema", "true").csv(path);
    StructField[] fields = inferred.schema().fields().clone();
    boolean changed = false;
    for (int i = 0; i < fields.length; i++) {
      StructField f = fields[i];
      if (TEXT_COLUMNS.contains(f.name().toLowerCase(Locale.ROOT)) && f.dataType() != DataTypes.StringType) {
        fields[i] = new StructField(f.name(), DataTypes.StringType, f.nullable(), f.metadata());
        changed = true;
      }
    }
    // a cast would not do: 007 has already become 7
    return changed ? csvReader(spark).schema(new StructType(fields)).csv(path) : inferred;
  }

  private static DataFrameReader csvReader(SparkSession spark) {
    return spark.read().option("header", "true").option("escape", "\"");
  }

  /** The format of an existing table folder or file; fails naming the path when there is none. */
  public static TableFormat detect(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new InputException("table " + path + " does not exist");
      }
      FileStatus st = fs.getFileStatus(p);
      if (st.isFile()) {
        return p.getName().endsWith(".parquet") ? TableFormat.PARQUET : TableFormat.CSV;
      }
      boolean csv = false;
      for (FileStatus f : fs.listStatus(p)) {
        String n = f.getPath().getName();
        if (n.endsWith(".parquet")) {
          return TableFormat.PARQUET;
        }
        if (n.endsWith(".csv")) {
          csv = true;
        }
      }
      if (csv) {
        return TableFormat.CSV;
      }
      throw new InputException("table " + path + " holds no .parquet or .csv files");
    } catch (IOException e) {
      throw new InputException("cannot read table " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * An items table's id and one value column, typed: {@code item} (text) and {@code as}
   * ({@code type}, converted with {@code try_cast}). A row without an id, or whose value is missing
   * or does not convert, is an error giving how many there are and the first ones, never a row
   * left out.
   *
   * @param table how the message names the table ("popularity table /data/pop.csv")
   * @param expected what a value must be, for the message ("a number", "an integer")
   */
  public static Dataset<Row> itemValues(Dataset<Row> t, String table, String id, String value, DataType type,
      String as, String expected) {
    Dataset<Row> typed = t.select(col(id).cast(DataTypes.StringType).as("item"), col(value).try_cast(type).as(as),
        col(value).cast(DataTypes.StringType).as("raw"));
    Dataset<Row> bad = typed.where(col("item").isNull().or(col(as).isNull()));
    List<Row> first = bad.orderBy(col("item").asc_nulls_first(), col("raw").asc_nulls_first()).limit(3)
        .collectAsList();
    if (!first.isEmpty()) {
      List<String> shown = new ArrayList<>();
      for (Row r : first) {
        shown.add(id + " " + quotedOrEmpty(r, 0) + ", " + value + " " + quotedOrEmpty(r, 2));
      }
      throw new InputException(table + " has " + bad.count() + " row(s) without an item id or " + expected
          + " in '" + value + "' (first: " + String.join("; ", shown) + "); fill them in or drop them");
    }
    return typed.select("item", as);
  }

  private static String quotedOrEmpty(Row r, int i) {
    return r.isNullAt(i) ? "(empty)" : "'" + r.getString(i) + "'";
  }
}
