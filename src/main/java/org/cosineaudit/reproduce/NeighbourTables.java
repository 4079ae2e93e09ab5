package org.cosineaudit.reproduce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.similarity.EngineOptions;
import org.cosineaudit.similarity.ItemNeighbours;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.similarity.NeighbourResult;

/**
 * The neighbour tables of a reproduction, {@code neighbours/<variant>/<measure>/}, computed by
 * the project's exact top-k engine ({@link ItemNeighbours}) and read back from disk for the
 * claims, so the claims measure exactly what the run folder holds.
 */
final class NeighbourTables {

  static final String DIR = "neighbours";

  /** Written tables by name ({@code <variant>/<measure>}), in the order written. */
  private final Map<String, String> written = new LinkedHashMap<>();
  private final Map<String, Object> facts = new LinkedHashMap<>();
  private final SparkSession spark;
  private final RunOutput out;
  private final int k;

  NeighbourTables(SparkSession spark, RunOutput out, int k) {
    this.spark = spark;
    this.out = out;
    this.k = k;
  }

  static String name(String variant, Measure m) {
    return variant + "/" + m.id();
  }

  /**
   * Computes and writes the tables of one variant.
   *
   * @param users user factors, needed for {@link Measure#SCORE_COSINE}; may be null otherwise
   */
  void add(String variant, Dataset<Row> items, Dataset<Row> users, List<Measure> measures) {
    try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(spark, items, users, EngineOptions.defaults(),
        "item factors of " + variant, "user factors of " + variant)) {
      for (Measure m : measures) {
        try (NeighbourResult r = p.compute(m, k)) {
          String name = name(variant, m);
          out.writeTable(DIR + "/" + name, r.neighbours());
          written.put(name, out.path(DIR + "/" + name));
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("zero_norm_count", r.zeroNormCount());
          s.put("scored_items", r.scoredItems());
          if (r.scoreSpaceFactor() != null) {
            s.put("score_space_factor", r.scoreSpaceFactor());
          }
          facts.put(name, s);
        }
      }
    }
  }

  /** Registers a table another stage wrote (the sweep's per-model tables) under {@code <variant>/<measure>}. */
  void register(String variant, Measure m, String path) {
    written.put(name(variant, m), path);
  }

  /** The table {@code <variant>/<measure>} as written. */
  Dataset<Row> read(String name) {
    String path = written.get(name);
    if (path == null) {
      throw new IllegalStateException("no neighbour table " + name + "; written: " + written.keySet());
    }
    return Tables.read(spark, path);
  }

  boolean has(String name) {
    return written.containsKey(name);
  }

  List<String> names() {
    return new ArrayList<>(written.keySet());
  }

  /** Per-table engine facts (zero-norm vectors excluded, score-space factorization) for the manifest. */
  Map<String, Object> facts() {
    return facts;
  }
}
