package org.cosineaudit.similarity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.EmbeddingReader;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;

/**
 * {@code similarity}: exact top-k neighbours of every item, for one or more measures, from
 * embeddings in Parquet, CSV or word2vec/GloVe text ({@link EmbeddingReader}).
 * Writes {@code neighbours/<measure>/} ({@link ItemNeighbours#SCHEMA}) and, in the manifest's
 * details under {@code similarity}, per measure: items, zero-norm ids, BLAS, timings.
 */
public final class SimilarityJob implements Job<SimilarityJob.Config> {

  /** Folder of the neighbour tables, relative to the run directory. */
  public static final String NEIGHBOURS = "neighbours";

  /**
   * Validated configuration.
   *
   * @param embeddings item embeddings path
   * @param userEmbeddings user embeddings path, or null (required for score-cosine)
   * @param k neighbours per item
   * @param measures measures, in the order given
   * @param engine engine tuning
   */
  public record Config(String embeddings, String userEmbeddings, int k, List<Measure> measures,
      EngineOptions engine, OutputSpec output) {}

  /** One measure's outcome: where its table is and the engine's summary. */
  public record MeasureResult(Measure measure, String path, long rows, Map<String, Object> summary) {}

  @Override
  public String name() {
    return "similarity";
  }

  @Override
  public String summary() {
    return "exact top-k item neighbours (cosine, dot, score-cosine, centered-cosine) of embeddings";
  }

  @Override
  public List<OptionSpec> options() {
    return CommonOptions.with("out/similarity", List.of(
        OptionSpec.requiredPath("embeddings", "item embeddings: Parquet (id, features), CSV with header "
            + "id,f0,...,f{d-1} or id,features (space-separated numbers), or word2vec/GloVe text"),
        OptionSpec.path("user-embeddings", null, "user embeddings (same formats); needed by score-cosine"),
        OptionSpec.integer("k", 20, 1, 100_000, "neighbours per item (all other items when k >= items - 1)"),
        OptionSpec.choices("measure", "cosine", Measure.IDS, "similarity measures, comma-separated"),
        OptionSpec.integer("block-size", EngineOptions.DEFAULT_BLOCK_SIZE, 16, 1 << 20,
            "item vectors per packed block (task memory ~ 256 x block-size floats plus the query rows)"),
        OptionSpec.integer("partitions", 0, 0, 100_000,
            "scoring tasks (0: Spark's default parallelism, more for very many items)")));
  }

  @Override
  public Config configure(Settings s) {
    List<Measure> measures = new ArrayList<>();
    for (String m : s.list("measure")) {
      Measure parsed = Measure.parse(m);
      if (!measures.contains(parsed)) {
        measures.add(parsed);
      }
    }
    String users = s.optional("user-embeddings").orElse(null);
    if (measures.contains(Measure.SCORE_COSINE) && users == null) {
      throw new ConfigException("measure score-cosine needs --user-embeddings (the U of U Vᵀ); give it, or drop "
          + "score-cosine from --measure");
    }
    EngineOptions engine = new EngineOptions(s.integer("block-size"), s.integer("partitions"),
        EngineOptions.DEFAULT_MAX_REPORTED_IDS);
    return new Config(s.string("embeddings"), users, s.integer("k"), List.copyOf(measures), engine,
        CommonOptions.outputSpec(s));
  }

  @Override
  public OutputSpec output(Config config) {
    return config.output();
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) {
    out.recordInput("embeddings", config.embeddings());
    if (config.userEmbeddings() != null) {
      out.recordInput("user-embeddings", config.userEmbeddings());
    }
    Dataset<Row> items;
    Dataset<Row> users = null;
    try (var stage = out.stage("read")) {
      items = EmbeddingReader.read(spark, config.embeddings());
      if (config.userEmbeddings() != null) {
        users = EmbeddingReader.read(spark, config.userEmbeddings());
      }
    }
    List<MeasureResult> results = execute(spark, items, users, config.measures(), config.k(), config.engine(), out,
        config.embeddings(), config.userEmbeddings());
    List<String> lines = new ArrayList<>();
    for (MeasureResult r : results) {
      Map<String, Object> s = r.summary();
      lines.add(String.format("similarity %s: %,d items x %s, %s neighbours each -> %s (%s zero-norm excluded)",
          r.measure().id(), (Long) s.get("scored_items"), s.get("dimension"), s.get("neighbours_per_item"),
          r.path(), s.get("zero_norm_count")));
    }
    return Outcome.ok(lines);
  }

  /**
   * Computes and writes {@code neighbours/<measure>} for every measure into {@code out} and
   * records each measure's summary in the manifest; usable from other jobs (sweep, demo).
   *
   * @param users user factors or null (required for score-cosine)
   * @param itemsLabel names the item embeddings in error messages (a path)
   * @param usersLabel names the user embeddings in error messages, or null
   */
  public static List<MeasureResult> execute(SparkSession spark, Dataset<Row> items, Dataset<Row> users,
      List<Measure> measures, int k, EngineOptions engine, RunOutput out, String itemsLabel, String usersLabel) {
    List<MeasureResult> results = new ArrayList<>();
    Map<String, Object> details = new LinkedHashMap<>();
    try (ItemNeighbours.Prepared prepared = prepare(spark, items, users, engine, out, itemsLabel, usersLabel)) {
      out.manifest().count("items", prepared.items());
      out.manifest().count("dimension", prepared.dimension());
      for (Measure m : measures) {
        String relative = NEIGHBOURS + "/" + m.id();
        try (var stage = out.stage("neighbours " + m.id());
            NeighbourResult r = prepared.compute(m, k)) {
          long rows = out.writeTable(relative, r.neighbours());
          Map<String, Object> summary = r.summary();
          details.put(m.id(), summary);
          out.manifest().detail("similarity", details);
          results.add(new MeasureResult(m, out.path(relative), rows, summary));
        }
      }
    }
    return results;
  }

  private static ItemNeighbours.Prepared prepare(SparkSession spark, Dataset<Row> items, Dataset<Row> users,
      EngineOptions engine, RunOutput out, String itemsLabel, String usersLabel) {
    try (var stage = out.stage("validate")) {
      return ItemNeighbours.prepare(spark, items, users, engine, itemsLabel,
          usersLabel == null ? "user factors" : usersLabel);
    }
  }
}
