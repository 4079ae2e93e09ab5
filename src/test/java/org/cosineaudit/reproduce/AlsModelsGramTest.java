package org.cosineaudit.reproduce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** The user Gram matrix of the reproduction's ALS models, summed in partition order. */
class AlsModelsGramTest {

  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType));

  @Test
  void gramIsPTransposePWhateverThePartitionsAndEmptyGivesZeros() {
    SparkSession spark = SparkTestSession.get();
    float[][] p = {{1, 2}, {3, -1}, {0.5f, 4}, {-2, 0}, {1, 1}};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      rows.add(RowFactory.create("u" + i, p[i]));
    }
    // by hand: sum of f f^T = [[1+9+0.25+4+1, 2-3+2+0+1], [., 4+1+16+0+1]]
    double[] expected = {15.25, 2, 2, 22};
    for (int parts : new int[] {1, 3, 7}) {
      Dataset<Row> users = spark.createDataFrame(rows, SCHEMA).repartition(parts);
      assertArrayEquals(expected, AlsModels.userGram(users, 2), 1e-12, parts + " partitions");
      assertArrayEquals(AlsModels.userGram(users, 2), AlsModels.userGram(users, 2), 0.0, "repeatable");
    }
    Dataset<Row> none = spark.createDataFrame(new ArrayList<Row>(), SCHEMA);
    assertEquals(4, AlsModels.userGram(none, 2).length);
    assertArrayEquals(new double[4], AlsModels.userGram(none, 2), 0.0);
  }
}
