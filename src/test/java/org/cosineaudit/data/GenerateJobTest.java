package org.cosineaudit.data;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateJobTest {

  @TempDir Path dir;

  private GenerateJob.Result generate(String name, int partitions) {
    SparkSession spark = SparkTestSession.get();
    GenerateJob job = new GenerateJob();
    Settings s = Settings.of("generate", job.options(), Map.of("users", "300", "items", "60", "clusters", "3",
        "seed", "5", "output", dir.resolve(name).toString()));
    RunOutput out = RunOutput.open(spark, "generate", s,
        OutputSpec.fresh(dir.resolve(name).toString(), TableFormat.PARQUET, false), s.values());
    return GenerateJob.execute(spark, GenerateJob.params(s), partitions, out);
  }

  @Test
  void identicalDataForAnyPartitioningMatchingTheKernel() {
    GenerateJob.Result one = generate("one", 1);
    GenerateJob.Result three = generate("three", 3);
    SparkSession spark = SparkTestSession.get();
    List<Row> a = Tables.read(spark, one.interactionsPath()).orderBy(col("user"), col("item")).collectAsList();
    List<Row> b = Tables.read(spark, three.interactionsPath()).orderBy(col("user"), col("item")).collectAsList();
    assertEquals(a, b);
    assertEquals(one.interactions(), a.size());

    // the table holds exactly the kernel's samples
    PaperSimulation sim = new PaperSimulation(new PaperSimulation.Params(300, 60, 3, 5, 0.25, 1.5, 0.5, 1, 1.0));
    long expected = 0;
    for (long u = 0; u < 300; u++) {
      expected += sim.sampleUser(u).length;
    }
    assertEquals(expected, one.interactions());
    Dataset<Row> items = Tables.read(spark, one.itemsPath());
    assertEquals(60, items.count());
    Row item7 = items.filter(col("item").equalTo("7")).first();
    assertEquals(sim.clusterOf(7), item7.getInt(item7.fieldIndex("cluster")));
  }
}
