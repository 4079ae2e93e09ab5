package org.cosineaudit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV tables read back as written: ids stay text, quotes and commas survive. */
class TablesTest {

  private static final SparkSession SPARK = SparkTestSession.get();

  @TempDir Path dir;

  @Test
  void csvIdColumnsStayTextSoIdsThatLookLikeNumbersStayApart() {
    // a neighbours table whose ids are digit strings: inference alone would make 007, 07 and 7 the number 7
    StructType schema = new StructType().add("item", DataTypes.StringType).add("rank", DataTypes.IntegerType)
        .add("neighbour", DataTypes.StringType).add("score", DataTypes.DoubleType);
    List<Row> rows = List.of(RowFactory.create("007", 1, "07", 0.5), RowFactory.create("07", 1, "7", 0.25),
        RowFactory.create("7", 1, "007", 0.125));
    String path = dir.resolve("neighbours").toString();
    Tables.write(SPARK.createDataFrame(rows, schema), path, TableFormat.CSV);
    Dataset<Row> read = Tables.read(SPARK, path);
    // the other columns are still typed by inference
    assertEquals(schema.toDDL(), read.schema().toDDL());
    assertEquals(List.of("007 1 07 0.5", "07 1 7 0.25", "7 1 007 0.125"), strings(read));
    // the factor tables' id, an id map's id, the model index's model_id
    StructType ids = new StructType().add("id", DataTypes.StringType).add("index", DataTypes.IntegerType)
        .add("model_id", DataTypes.StringType);
    Tables.write(SPARK.createDataFrame(List.of(RowFactory.create("007", 0, "1"), RowFactory.create("7", 1, "01")),
        ids), path, TableFormat.CSV);
    assertEquals(List.of("007 0 1", "7 1 01"), strings(Tables.read(SPARK, path)));
    // rank-1 factors: the vector stays the text readers split, not one inferred number
    Tables.write(SPARK.createDataFrame(List.of(RowFactory.create("1", new Float[] {0.5f})), EmbeddingReader.SCHEMA),
        path, TableFormat.CSV);
    assertEquals("id STRING,features STRING", Tables.read(SPARK, path).schema().toDDL());
  }

  @Test
  void csvIdsWithQuotesAndCommasRoundTrip() {
    StructType schema = new StructType().add("user", DataTypes.StringType).add("item", DataTypes.StringType)
        .add("value", DataTypes.DoubleType);
    List<Row> rows = List.of(RowFactory.create("x\"y", "a,b", 1.0), RowFactory.create("\"q\"", "say \"hi\", bye", 2.0),
        RowFactory.create("back\\slash", "\\\"", 3.0));
    String path = dir.resolve("interactions").toString();
    Tables.write(SPARK.createDataFrame(rows, schema), path, TableFormat.CSV);
    assertEquals(strings(SPARK.createDataFrame(rows, schema)), strings(Tables.read(SPARK, path)));
  }

  /** Each row's fields joined by spaces, sorted. */
  private static List<String> strings(Dataset<Row> d) {
    List<String> out = new ArrayList<>();
    for (Row r : d.collectAsList()) {
      List<String> f = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        f.add(String.valueOf(r.get(i)));
      }
      out.add(String.join(" ", f));
    }
    out.sort(null);
    return out;
  }
}
