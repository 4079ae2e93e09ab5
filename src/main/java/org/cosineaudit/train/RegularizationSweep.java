package org.cosineaudit.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.data.HeldOutSplit;
import org.cosineaudit.data.Ingested;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.Progress;
import org.cosineaudit.similarity.EngineOptions;
import org.cosineaudit.similarity.ItemNeighbours;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.similarity.NeighbourResult;
import org.cosineaudit.run.RunOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains every model of a {@link TrainingGrid} with Spark ALS on one held-out split, evaluates
 * it and persists it; resumable model by model.
 *
 * <p>Layout under the run directory: {@code models/<model-id>/user_factors},
 * {@code item_factors}, {@code neighbours/<measure>} (through {@link ItemNeighbours}),
 * {@code model.json} (parameters, metrics, neighbour summaries, counts, timings) and
 * {@code _COMPLETE}, written last; then the {@code model_index} table (one row per model). A model
 * folder without its marker was interrupted: it is deleted and trained again; a model with its
 * marker is kept as it is. Together with the run's configuration check
 * ({@link org.cosineaudit.run.OutputSpec.ExistingOutput#RESUME_SAME_CONFIG}) this makes a rerun
 * give the same results as an uninterrupted run.
 */
public final class RegularizationSweep {

  public static final String MODELS = "models";
  public static final String MODEL_INDEX = "model_index";
  public static final String USER_FACTORS = "user_factors";
  public static final String ITEM_FACTORS = "item_factors";
  public static final String MODEL_JSON = "model.json";
  public static final String NEIGHBOURS = "neighbours";

  /** Metric columns of the model index, in order (null where a metric does not apply). */
  public static final List<String> INDEX_METRICS = List.of("rmse", "mae", "precision_at_k", "recall_at_k",
      "ndcg_at_k", "map_at_k", "coverage_at_k", "test_users", "scored_test_rows");

  public static final StructType INDEX_SCHEMA = indexSchema();

  private static final Logger LOG = LoggerFactory.getLogger(RegularizationSweep.class);

  /**
   * What a sweep does besides the grid.
   *
   * @param grid the models
   * @param als block counts, storage and checkpointing
   * @param splitMode how held-out interactions are chosen
   * @param holdoutFraction share of each user's interactions held out, in [0, 1); 0: no metrics
   * @param splitSeed seed of the random split
   * @param metricsK k of the ranking metrics and coverage
   * @param parallelism models trained at the same time (Spark runs their jobs concurrently)
   * @param measures neighbour tables written per model (empty: none)
   * @param k neighbours per item in those tables
   */
  public record Plan(TrainingGrid grid, AlsSettings als, HeldOutSplit.Mode splitMode, double holdoutFraction,
      long splitSeed, int metricsK, int parallelism, List<Measure> measures, int k) {
    public Plan {
      measures = List.copyOf(measures);
      if (holdoutFraction < 0 || holdoutFraction >= 1) {
        throw new IllegalArgumentException("holdout fraction must be in [0, 1), got " + holdoutFraction);
      }
      if (metricsK < 1 || k < 1 || parallelism < 1) {
        throw new IllegalArgumentException("metrics k, k and parallelism must be >= 1, got " + metricsK + ", " + k
            + ", " + parallelism);
      }
    }
  }

  /**
   * What a sweep did.
   *
   * @param modelIds every model of the grid, in grid order
   * @param trained models trained by this run
   * @param kept models already complete from an earlier run, in grid order
   * @param splitMode the split actually used (null when nothing had to be trained)
   */
  public record Result(List<String> modelIds, int trained, List<String> kept, long trainRows, long testRows,
      HeldOutSplit.Mode splitMode, String indexPath) {

    public Result {
      modelIds = List.copyOf(modelIds);
      kept = List.copyOf(kept);
    }

    /** How many models were kept from an earlier run. */
    public int skipped() {
      return kept.size();
    }
  }

  private RegularizationSweep() {}

  /** The folder of a model, relative to the run directory. */
  public static String modelDir(String modelId) {
    return MODELS + "/" + modelId;
  }

  /**
   * Runs the sweep on ingested interactions (original string ids, their id maps).
   */
  public static Result run(SparkSession spark, Ingested in, Plan plan, RunOutput out) throws IOException {
    Dataset<Row> userIds = in.userIds();
    Dataset<Row> itemIds = in.itemIds();
    List<ModelSpec> specs = plan.grid().specs();
    List<ModelSpec> pending = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (ModelSpec s : specs) {
      String dir = out.path(modelDir(s.id()));
      if (RunOutput.isComplete(spark, dir)) {
        kept.add(s.id());
        continue;
      }
      Path p = new Path(dir);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(p)) {
        LOG.info("sweep: model {} was interrupted; training it again", s.id());
        fs.delete(p, true);
      }
      pending.add(s);
    }
    if (!kept.isEmpty()) {
      LOG.info("sweep: {} of {} models are complete from an earlier run; skipping them", kept.size(), specs.size());
      out.manifest().detail("models_kept", kept);
    }
    out.manifest().count("models", specs.size());
    out.manifest().count("models_trained", pending.size());
    out.manifest().count("models_skipped", kept.size());

    long trainRows = 0;
    long testRows = 0;
    HeldOutSplit.Mode used = null;
    if (!pending.isEmpty()) {
      Prepared data;
      try (var stage = out.stage("split")) {
        data = prepare(in, plan);
      }
      trainRows = data.trainRows();
      testRows = data.testRows();
      used = data.mode();
      try {
        out.manifest().count("train_rows", trainRows);
        out.manifest().count("test_rows", testRows);
        out.manifest().count("train_items", data.trainItems());
        out.manifest().detail("split", Map.of("mode", used.id(), "fraction", plan.holdoutFraction(),
            "seed", plan.splitSeed()));
        if (plan.als().checkpointDir() != null) {
          spark.sparkContext().setCheckpointDir(plan.als().checkpointDir());
        }
        try (var stage = out.stage("train")) {
          trainAll(spark, pending, specs.size(), data, userIds, itemIds, plan, out);
        }
      } finally {
        data.release();
      }
    }
    String indexPath;
    try (var stage = out.stage("index")) {
      out.writeTable(MODEL_INDEX, index(spark, specs, out));
      indexPath = out.path(MODEL_INDEX);
    }
    List<String> ids = new ArrayList<>();
    specs.forEach(s -> ids.add(s.id()));
    return new Result(ids, pending.size(), kept, trainRows, testRows, used, indexPath);
  }

  /**
   * The split, indexed and cached once for all models: {@code train} is a view of one cached table
   * ({@code cached}), which the held-out side is built from too. The held-out users' item lists ({@link AlsEvaluation.HeldOut}) are built in
   * the background while the first model trains (ALS leaves part of the cores idle between its
   * many short stages); {@link #heldOut} waits for them, and is only needed once a model is
   * evaluated.
   */
  record Prepared(Dataset<Row> train, Dataset<Row> cached, long trainRows, long testRows, long trainItems, Future<AlsEvaluation.HeldOut> pendingHeldOut, HeldOutSplit.Mode mode) {

    /** The held-out side; waits until it is built, and fails with what building it failed with. */
    AlsEvaluation.HeldOut heldOut() {
      try {
        return pendingHeldOut.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("preparing the held-out users failed: " + e.getCause().getMessage(),
            e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while preparing the held-out users", e);
      }
    }

    /**
     * Releases the cached table both sides read. Waits for the held-out lists even when
     * interrupted (the interrupt is kept for the caller): the background build reads that table
     * and caches its own lists, so releasing under it would make it recompute them and leave its
     * lists cached.
     */
    void release() {
      boolean interrupted = false;
      try {
        while (true) {
          try {
            pendingHeldOut.get().release();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (ExecutionException e) {
            // nothing of it is cached; whoever waited for it has the error, and if nobody did
            // (training failed first), it is logged here
            LOG.warn("sweep: preparing the held-out users failed: {}", e.getCause().toString());
            break;
          }
        }
      } finally {
        cached.unpersist(false);
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * Marks the held-out rows (one window per user over all interactions), indexes them with one
   * join per id map, and caches them once, as {@link AlsTrainer#prepare} gives them to ALS, with
   * the mark as a fourth column: the training side is that table's unmarked rows, in its order
   * (ALS sees the same rows in the same order as from a table of its own: the order is total, as
   * ingestion leaves one row per (user, item) pair), the held-out side its marked rows. One cache
   * and one pass over the marked rows, not a cache of the marked rows and one per side. Fails
   * before any model is trained when the item factors would be too large to evaluate
   * ({@link AlsEvaluation#requireBroadcastable}); the held-out users' lists are then built in the
   * background (see {@link Prepared}).
   */
  static Prepared prepare(Ingested in, Plan plan) {
    HeldOutSplit.Mode used = HeldOutSplit.resolve(in.usableTimestamps(), plan.splitMode());
    Column mark = col(HeldOutSplit.TEST);
    int partitions = Math.max(plan.als().userBlocks(), plan.als().itemBlocks());
    Dataset<Row> cached = AlsTrainer.prepare(
        indexed(HeldOutSplit.mark(in.interactions(), used, plan.holdoutFraction(), plan.splitSeed()),
            in.userIds(), in.itemIds(), mark), partitions, mark)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> train;
    Dataset<Row> test;
    long trainRows;
    long testRows;
    long trainItems;
    try {
      Column[] side = {col(AlsTrainer.USER), col(AlsTrainer.ITEM), col(AlsTrainer.VALUE)};
      train = cached.where(not(mark)).select(side);
      test = cached.where(mark).select(side);
      // one pass counts both sides and fills the cache
      Row sizes = cached.agg(count(lit(1)), count(when(mark, lit(1)))).head();
      testRows = sizes.getLong(1);
      trainRows = sizes.getLong(0) - testRows;
      trainItems = AlsEvaluation.HeldOut.distinctItems(train);
      if (testRows > 0) {
        // fail before the first model is trained, not while evaluating it
        AlsEvaluation.requireBroadcastable(trainItems,
            plan.grid().specs().stream().mapToInt(ModelSpec::rank).max().orElse(1));
      }
    } catch (RuntimeException e) {
      cached.unpersist(false);
      throw e;
    }
    // a thread of its own: it inherits this thread's Spark job description, and ends with its work
    FutureTask<AlsEvaluation.HeldOut> heldOut = new FutureTask<>(() -> AlsEvaluation.HeldOut.of(train, test,
        plan.grid().feedback(), testRows, trainItems));
    Thread t = new Thread(heldOut, "sweep-held-out");
    t.setDaemon(true);
    t.start();
    return new Prepared(train, cached, trainRows, testRows, trainItems, heldOut, used);
  }

  /**
   * Interactions with dense int ids ({@link AlsTrainer#USER}, {@link AlsTrainer#ITEM}, value as
   * float) and {@code extra} columns of {@code interactions}.
   */
  static Dataset<Row> indexed(Dataset<Row> interactions, Dataset<Row> userIds, Dataset<Row> itemIds,
      Column... extra) {
    Dataset<Row> u = userIds.select(col("id").as("_user"), col("index").as(AlsTrainer.USER));
    Dataset<Row> i = itemIds.select(col("id").as("_item"), col("index").as(AlsTrainer.ITEM));
    return interactions
        .join(u, interactions.col("user").equalTo(u.col("_user")))
        .join(i, interactions.col("item").equalTo(i.col("_item")))
        .select(AlsTrainer.columns(col("value"), extra));
  }

  /**
   * Trains the pending models. With {@code parallelism} 1 the models are trained one after the
   * other, and each model's evaluation and writing run while the next model trains: ALS leaves
   * part of the cores idle between its many short stages, and that work fills them. At most two
   * models are held at once (one training, one finishing). With {@code parallelism} N > 1, N
   * models are trained, evaluated and written at the same time.
   */
  private static void trainAll(SparkSession spark, List<ModelSpec> pending, int models, Prepared data,
      Dataset<Row> userIds, Dataset<Row> itemIds, Plan plan, RunOutput out) throws IOException {
    Progress progress = Progress.start("sweep", models, "models", models - pending.size());
    int threads = Math.min(plan.parallelism(), pending.size());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
      Thread t = new Thread(r, "sweep-model");
      t.setDaemon(true);
      return t;
    });
    try {
      if (threads <= 1) {
        Future<?> finishing = null;
        for (int n = 0; n < pending.size(); n++) {
          if (finishing != null && finishing.isDone()) {
            await(finishing); // the previous model failed already: stop before training the next one
          }
          Trained trained;
          try {
            trained = fit(spark, pending.get(n), n + 1, pending.size(), data, plan);
          } catch (RuntimeException e) {
            // let the previous model finish (and get its marker) before failing
            try {
              await(finishing);
            } catch (IOException | RuntimeException other) {
              e.addSuppressed(other);
            }
            throw e;
          }
          try {
            await(finishing);
          } catch (IOException | RuntimeException e) {
            AlsTrainer.release(trained.model());
            throw e;
          }
          finishing = pool.submit(() -> {
            finish(spark, trained, data, userIds, itemIds, plan, out, progress);
            return null;
          });
        }
        await(finishing);
        return;
      }
      List<Future<?>> futures = new ArrayList<>();
      for (int n = 0; n < pending.size(); n++) {
        ModelSpec spec = pending.get(n);
        int position = n + 1;
        futures.add(pool.submit(() -> {
          finish(spark, fit(spark, spec, position, pending.size(), data, plan), data, userIds, itemIds, plan, out,
              progress);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        await(f);
      }
    } finally {
      // stops the others on failure; their folders have no marker, so a rerun trains them again
      pool.shutdownNow();
    }
  }

  /** Waits for {@code f} (null: nothing to wait for) and rethrows what it failed with. */
  private static void await(Future<?> f) throws IOException {
    if (f == null) {
      return;
    }
    try {
      f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    }
  }

  /** A fitted model waiting to be evaluated and written. */
  record Trained(ModelSpec spec, ALSModel model, long startNanos, long fitNanos) {}

  /** Fits one model (its factors stay cached until {@link #finish} releases them). */
  static Trained fit(SparkSession spark, ModelSpec spec, int position, int total, Prepared data, Plan plan) {
    if (data.pendingHeldOut().isDone()) {
      data.heldOut(); // throws when building it failed: no model could be evaluated, so none is trained
    }
    spark.sparkContext().setJobDescription("sweep " + spec.id());
    LOG.info("sweep: training {} ({} of {}): rank {}, reg {}, alpha {}, seed {}", spec.id(), position, total,
        spec.rank(), ModelSpec.number(spec.reg()), ModelSpec.number(spec.alpha()), spec.seed());
    long t0 = System.nanoTime();
    ALSModel model = AlsTrainer.fit(data.train(), spec, plan.als());
    return new Trained(spec, model, t0, System.nanoTime() - t0);
  }

  /**
   * Evaluates and writes one fitted model, then releases its factors; the marker is the last
   * thing written.
   */
  static void finish(SparkSession spark, Trained trained, Prepared data, Dataset<Row> userIds, Dataset<Row> itemIds,
      Plan plan, RunOutput out, Progress progress) {
    ModelSpec spec = trained.spec();
    ALSModel model = trained.model();
    String id = spec.id();
    String dir = modelDir(id);
    spark.sparkContext().setJobDescription("sweep " + id + " (evaluate, write)");
    double trainSeconds = trained.fitNanos() / 1e9;
    try {
      long t1 = System.nanoTime();
      Map<String, Double> metrics = AlsEvaluation.evaluate(model, spec.feedback(), data.heldOut(), plan.metricsK());
      long t2 = System.nanoTime();
      Double scored = metrics.get("scored_test_rows");
      if (scored != null && scored < data.testRows()) {
        LOG.warn("sweep: {}: {} of {} held-out ratings have no prediction (their user or item is not in the "
            + "training side, or its factors are not finite); RMSE and MAE are over the other {} (scored_test_rows)",
            id, data.testRows() - scored.longValue(), data.testRows(), scored.longValue());
      }
      long users = out.writeTable(dir + "/" + USER_FACTORS, AlsTrainer.withOriginalIds(model.userFactors(), userIds));
      long items = out.writeTable(dir + "/" + ITEM_FACTORS, AlsTrainer.withOriginalIds(model.itemFactors(), itemIds));
      long t3 = System.nanoTime();
      Map<String, Object> neighbours = neighbours(spark, dir, plan, out);
      long t4 = System.nanoTime();
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("model_id", id);
      json.put("feedback", spec.feedback().id());
      json.put("rank", spec.rank());
      json.put("reg", spec.reg());
      json.put("alpha", spec.alpha());
      json.put("seed", spec.seed());
      json.put("nonnegative", spec.nonnegative());
      json.put("max_iter", spec.maxIter());
      json.put("iterations", spec.maxIter()); // Spark ALS has no early stop: it runs every iteration
      json.put("train_seconds", trainSeconds);
      json.put("user_blocks", plan.als().userBlocks());
      json.put("item_blocks", plan.als().itemBlocks());
      json.put("split", Map.of("mode", data.mode().id(), "fraction", plan.holdoutFraction(), "seed",
          plan.splitSeed()));
      json.put("metrics_k", plan.metricsK());
      json.put("metrics", metrics);
      json.put("counts", Map.of("train_rows", data.trainRows(), "test_rows", data.testRows(), "user_factors", users,
          "item_factors", items));
      // wall seconds of each step; a step that overlapped another model's work (parallelism, or the
      // sequential pipeline: evaluation and writing of one model run while the next one trains)
      // shares the cores with it
      Map<String, Double> seconds = new LinkedHashMap<>();
      seconds.put("train", trainSeconds);
      seconds.put("evaluate", (t2 - t1) / 1e9);
      seconds.put("write", (t3 - t2) / 1e9);
      seconds.put("neighbours", (t4 - t3) / 1e9);
      json.put("neighbours", neighbours);
      json.put("seconds", seconds);
      json.put("spark_version", spark.version());
      out.writeJson(dir + "/" + MODEL_JSON, json);
      out.writeText(dir + "/" + RunOutput.COMPLETE_MARKER, "");
      progress.advance(1, id + " " + summary(metrics) + String.format(Locale.ROOT, " (train %s, total %s)",
          Progress.duration(trainSeconds), Progress.duration((System.nanoTime() - trained.startNanos()) / 1e9)));
    } finally {
      AlsTrainer.release(model);
    }
  }

  /**
   * Writes {@code <dir>/neighbours/<measure>} for each measure of the plan from the factors just
   * written (read back, so the tables describe what is on disk); returns each measure's summary.
   */
  static Map<String, Object> neighbours(SparkSession spark, String dir, Plan plan, RunOutput out) {
    Map<String, Object> summaries = new LinkedHashMap<>();
    if (plan.measures().isEmpty()) {
      return summaries;
    }
    String itemsPath = out.path(dir + "/" + ITEM_FACTORS);
    String usersPath = out.path(dir + "/" + USER_FACTORS);
    boolean needsUsers = plan.measures().stream().anyMatch(Measure::needsUserFactors);
    try (ItemNeighbours.Prepared prepared = ItemNeighbours.prepare(spark, Tables.read(spark, itemsPath),
        needsUsers ? Tables.read(spark, usersPath) : null, EngineOptions.defaults(), itemsPath, usersPath)) {
      for (Measure m : plan.measures()) {
        try (NeighbourResult r = prepared.compute(m, plan.k())) {
          out.writeTable(dir + "/" + NEIGHBOURS + "/" + m.id(), r.neighbours());
          summaries.put(m.id(), r.summary());
        }
      }
    }
    return summaries;
  }

  /** "rmse 0.871" or "ndcg@k 0.213, coverage 0.41". */
  static String summary(Map<String, Double> m) {
    StringBuilder sb = new StringBuilder();
    for (String key : List.of("rmse", "ndcg_at_k", "coverage_at_k")) {
      Double v = m.get(key);
      if (v != null) {
        sb.append(sb.length() == 0 ? "" : ", ").append(key).append(' ')
            .append(String.format(Locale.ROOT, "%.4f", v));
      }
    }
    return sb.length() == 0 ? "(no held-out data)" : sb.toString();
  }

  /**
   * The index of every model of the grid, read back from the model.json files on disk. Results
   * only: a resumed sweep writes the same table as an uninterrupted one (which models a run kept
   * from an earlier one is in its manifest, {@code models_kept}).
   */
  static Dataset<Row> index(SparkSession spark, List<ModelSpec> specs, RunOutput out) {
    List<Row> rows = new ArrayList<>();
    for (ModelSpec s : specs) {
      JsonNode j = Factorization.readJson(spark, new Path(out.path(modelDir(s.id()) + "/" + MODEL_JSON)));
      List<Object> values = new ArrayList<>(List.of(s.id(), s.feedback().id(), s.rank(), s.reg(), s.alpha(), s.seed(),
          s.nonnegative(), s.maxIter()));
      JsonNode metrics = j.get("metrics");
      for (String m : INDEX_METRICS) {
        values.add(metrics.has(m) ? metrics.get(m).asDouble() : null);
      }
      values.add(modelDir(s.id()));
      rows.add(RowFactory.create(values.toArray()));
    }
    return spark.createDataFrame(rows, INDEX_SCHEMA).coalesce(1);
  }

  private static StructType indexSchema() {
    StructType t = new StructType()
        .add("model_id", DataTypes.StringType, false)
        .add("feedback", DataTypes.StringType, false)
        .add("rank", DataTypes.IntegerType, false)
        .add("reg", DataTypes.DoubleType, false)
        .add("alpha", DataTypes.DoubleType, false)
        .add("seed", DataTypes.LongType, false)
        .add("nonnegative", DataTypes.BooleanType, false)
        .add("max_iter", DataTypes.IntegerType, false);
    for (String m : INDEX_METRICS) {
      t = t.add(m, DataTypes.DoubleType, true);
    }
    // no timings and no run status here: the index holds results only (same configuration, same
    // table); times are in model.json, which models a run kept in its manifest
    return t.add("path", DataTypes.StringType, false);
  }
}
