package org.cosineaudit.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.split;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.cosineaudit.data.Feedback;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.RunOutput;

/**
 * One trained factorization: user and item factors (factors table contract: {@code id} string,
 * {@code features} array&lt;float&gt;), the parameters that produced it and its held-out metrics.
 * The common currency between training (the sweep, closed-form models) and the stages after it.
 *
 * @param modelId the model's id (see {@link ModelSpec#id()})
 * @param userFactors one row per user seen in training
 * @param itemFactors one row per item seen in training
 * @param params the ALS parameters
 * @param metrics held-out metrics by name (see {@link AlsEvaluation}); may be empty
 */
public record Factorization(String modelId, Dataset<Row> userFactors, Dataset<Row> itemFactors, ModelSpec params,
    Map<String, Double> metrics) {

  public Factorization {
    metrics = Map.copyOf(metrics);
  }

  /**
   * Reads a completed model of a sweep output ({@code SWEEP/models/<modelId>/}). Fails with an
   * {@link InputException} when the model has no completion marker (it was interrupted).
   */
  public static Factorization read(SparkSession spark, String sweepDir, String modelId) {
    String dir = new Path(new Path(sweepDir, RegularizationSweep.MODELS), modelId).toString();
    if (!RunOutput.isComplete(spark, dir)) {
      throw new InputException("model " + modelId + " in " + sweepDir + " is not complete (no "
          + RunOutput.COMPLETE_MARKER + "); rerun the sweep with the same configuration to finish it");
    }
    JsonNode json = readJson(spark, new Path(dir, RegularizationSweep.MODEL_JSON));
    ModelSpec spec = new ModelSpec(Feedback.valueOf(json.get("feedback").asText().toUpperCase(java.util.Locale.ROOT)),
        json.get("rank").asInt(), json.get("reg").asDouble(), json.get("alpha").asDouble(), json.get("seed").asLong(),
        json.get("nonnegative").asBoolean(), json.get("max_iter").asInt());
    Map<String, Double> metrics = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = json.get("metrics").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      metrics.put(e.getKey(), e.getValue().asDouble());
    }
    return new Factorization(modelId, readFactors(spark, dir + "/" + RegularizationSweep.USER_FACTORS),
        readFactors(spark, dir + "/" + RegularizationSweep.ITEM_FACTORS), spec, metrics);
  }

  /** A factors table as written by the sweep, Parquet or CSV (space-separated features). */
  static Dataset<Row> readFactors(SparkSession spark, String path) {
    Dataset<Row> t = Tables.read(spark, path);
    if (t.schema().apply("features").dataType() instanceof ArrayType) {
      return t.select(col("id").cast("string"), col("features").cast("array<float>"));
    }
    return t.select(col("id").cast("string"),
        split(col("features"), " ").cast(DataTypes.createArrayType(DataTypes.FloatType)).as("features"));
  }

  static JsonNode readJson(SparkSession spark, Path p) {
    try (InputStream in = p.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(p)) {
      return Manifest.JSON.readTree(in);
    } catch (IOException e) {
      throw new InputException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }
}
