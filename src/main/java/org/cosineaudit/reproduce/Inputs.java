package org.cosineaudit.reproduce;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.cosineaudit.data.GenerateJob;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.train.InteractionMatrix;

/**
 * The data a reproduction uses, written into its own output first ({@code interactions},
 * {@code items}) and read back from there, so every number in {@code claims.json} can be
 * recomputed from the run folder alone.
 */
final class Inputs {

  /**
   * @param interactions contract interactions as written to the run folder
   * @param items ground truth ({@code item, cluster, popularity}) as written, or null
   * @param source "generated" or the input path
   */
  record Loaded(Dataset<Row> interactions, Dataset<Row> items, String source) {}

  private Inputs() {}

  static Loaded load(SparkSession spark, ReproduceJob.Config c, RunOutput out) {
    if (c.generates()) {
      GenerateJob.execute(spark, c.simulation(), 0, out);
      return new Loaded(Tables.read(spark, out.path(GenerateJob.INTERACTIONS)),
          Tables.read(spark, out.path(GenerateJob.ITEMS)), "generated");
    }
    out.recordInput("interactions", c.input());
    Dataset<Row> in = Tables.read(spark, c.input());
    List<String> cols = Arrays.asList(in.columns());
    for (String need : List.of("user", "item", "value")) {
      if (!cols.contains(need)) {
        throw new InputException("interactions " + c.input() + " lack column '" + need + "' (have " + cols
            + "); give a table with user, item, value (the ingest job writes one)");
      }
    }
    Column ts = cols.contains("timestamp") ? col("timestamp").cast(DataTypes.LongType)
        : lit(null).cast(DataTypes.LongType);
    long written = out.writeTable(GenerateJob.INTERACTIONS, in.select(col("user").cast("string").as("user"),
        col("item").cast("string").as("item"), col("value").cast("double").as("value"), ts.as("timestamp")));
    out.manifest().count("interactions", written);
    Dataset<Row> items = null;
    if (c.items() != null) {
      out.recordInput("items", c.items());
      Dataset<Row> gt = Tables.read(spark, c.items());
      List<String> gcols = Arrays.asList(gt.columns());
      if (!gcols.contains("item") || !gcols.contains("cluster")) {
        throw new InputException("ground truth " + c.items() + " needs columns item and cluster (have " + gcols
            + "); popularity is optional");
      }
      Column pop = gcols.contains("popularity") ? col("popularity").cast(DataTypes.DoubleType)
          : lit(null).cast(DataTypes.DoubleType);
      out.writeTable(GenerateJob.ITEMS, gt.select(col("item").cast("string").as("item"),
          col("cluster").cast(DataTypes.IntegerType).as("cluster"), pop.as("popularity")));
      items = Tables.read(spark, out.path(GenerateJob.ITEMS));
    }
    return new Loaded(Tables.read(spark, out.path(GenerateJob.INTERACTIONS)), items, c.input());
  }

  /**
   * The figure's view of every column of X: ground-truth cluster and popularity when known;
   * otherwise cluster 0 and the observed interaction count as popularity. O(items) on the driver.
   *
   * @throws InputException when an item of the interactions has no ground-truth row
   */
  static List<FigureItems.Item> itemsOf(InteractionMatrix.Indexed x, Dataset<Row> groundTruth) {
    List<String> ids = x.itemIds();
    Map<String, Row> truth = new HashMap<>();
    if (groundTruth != null) {
      for (Row r : groundTruth.select("item", "cluster", "popularity").collectAsList()) {
        if (r.isNullAt(0) || r.isNullAt(1)) {
          throw new InputException("ground truth has a row without item or cluster: " + r + "; fix or drop it");
        }
        if (truth.put(r.getString(0), r) != null) {
          throw new InputException("ground truth lists item '" + r.getString(0) + "' twice; keep one row per item");
        }
      }
    }
    Map<Integer, Long> counts = new HashMap<>();
    boolean needCounts = groundTruth == null || truth.values().stream().anyMatch(r -> r.isNullAt(2));
    if (needCounts) {
      for (Row r : x.rows().selectExpr("explode(items) as i").groupBy("i").count().collectAsList()) {
        counts.put(r.getInt(0), r.getLong(1));
      }
    }
    List<FigureItems.Item> out = new ArrayList<>(ids.size());
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Row t = truth.get(ids.get(i));
      if (groundTruth != null && t == null) {
        missing.add(ids.get(i));
        continue;
      }
      int cluster = t == null ? 0 : t.getInt(1);
      double pop = t != null && !t.isNullAt(2) ? t.getDouble(2) : counts.getOrDefault(i, 0L);
      out.add(new FigureItems.Item(i, ids.get(i), cluster, pop));
    }
    if (!missing.isEmpty()) {
      throw new InputException(missing.size() + " items of the interactions have no ground-truth row, e.g. '"
          + String.join("', '", missing.subList(0, Math.min(5, missing.size())))
          + "'; give an items table covering every item, or drop --items");
    }
    return out;
  }
}
