package org.cosineaudit.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;

/**
 * {@code generate}: the paper's synthetic interactions ({@link PaperSimulation}) plus the
 * ground-truth {@code items} table (item, cluster, popularity).
 */
public final class GenerateJob implements Job<GenerateJob.Config> {

  /** Tables written, relative to the run directory. */
  public static final String INTERACTIONS = "interactions";
  public static final String ITEMS = "items";

  public static final StructType INTERACTIONS_SCHEMA = new StructType()
      .add("user", DataTypes.StringType, false)
      .add("item", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType, false)
      .add("timestamp", DataTypes.LongType, true);

  public static final StructType ITEMS_SCHEMA = new StructType()
      .add("item", DataTypes.StringType, false)
      .add("cluster", DataTypes.IntegerType, false)
      .add("popularity", DataTypes.DoubleType, false);

  /** Validated configuration. */
  public record Config(PaperSimulation.Params params, int partitions, OutputSpec output) {}

  /** What was generated. */
  public record Result(String interactionsPath, String itemsPath, long interactions, int users, int items) {}

  static final List<OptionSpec> SIMULATION_OPTIONS = List.of(
      OptionSpec.integer("users", 20_000, 1, 100_000_000, "number of users"),
      OptionSpec.integer("items", 1_000, 2, 100_000_000, "number of items"),
      OptionSpec.integer("clusters", 5, 1, 1_000_000, "number of item clusters"),
      OptionSpec.longInt("seed", 0L, Long.MIN_VALUE, Long.MAX_VALUE, "random seed; same seed, same data"),
      OptionSpec.real("beta-min", 0.25, 1e-6, 100.0, "lower bound of the per-cluster popularity exponent"),
      OptionSpec.real("beta-max", 1.5, 1e-6, 100.0, "upper bound of the per-cluster popularity exponent"),
      OptionSpec.real("user-beta", 0.5, 1e-6, 100.0, "power-law exponent of the number of items per user"),
      OptionSpec.integer("min-items-per-user", 1, 1, 100_000_000, "smallest number of items per user"),
      OptionSpec.real("concentration", 1.0, 1e-6, 1e6, "Dirichlet concentration of users' cluster preferences"));

  /** The simulation's options, for jobs that generate data themselves (reproduce, demo). */
  public static List<OptionSpec> simulationOptions() {
    return SIMULATION_OPTIONS;
  }

  /** Reads the simulation parameters from settings that include {@link #simulationOptions()}. */
  public static PaperSimulation.Params params(Settings s) {
    try {
      return new PaperSimulation.Params(s.integer("users"), s.integer("items"), s.integer("clusters"),
          s.longInt("seed"), s.real("beta-min"), s.real("beta-max"), s.real("user-beta"),
          s.integer("min-items-per-user"), s.real("concentration"));
    } catch (IllegalArgumentException e) {
      throw new org.cosineaudit.config.ConfigException(e.getMessage());
    }
  }

  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "generate the paper's synthetic interactions and ground-truth item clusters";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> own = new ArrayList<>(SIMULATION_OPTIONS);
    own.add(OptionSpec.integer("partitions", 0, 0, 100_000, "partitions of the user range (0: Spark's default parallelism)"));
    return CommonOptions.with("out/generate", own);
  }

  @Override
  public Config configure(Settings s) {
    return new Config(params(s), s.integer("partitions"), CommonOptions.outputSpec(s));
  }

  @Override
  public OutputSpec output(Config config) {
    return config.output();
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) {
    Result r = execute(spark, config.params(), config.partitions(), out);
    return Outcome.ok(List.of(String.format("generate: %,d interactions of %,d users on %,d items in %d clusters",
        r.interactions(), r.users(), r.items(), config.params().clusters())));
  }

  /** Generates and writes both tables into {@code out}; usable from other jobs. */
  public static Result execute(SparkSession spark, PaperSimulation.Params params, int partitions, RunOutput out) {
    PaperSimulation sim = new PaperSimulation(params);
    out.manifest().detail("simulation", params);
    long interactions;
    try (var stage = out.stage("generate")) {
      List<Row> itemRows = new ArrayList<>(params.items());
      for (int i = 0; i < params.items(); i++) {
        itemRows.add(RowFactory.create(Integer.toString(i), sim.clusterOf(i), sim.popularity(i)));
      }
      out.writeTable(ITEMS, spark.createDataFrame(itemRows, ITEMS_SCHEMA));
      int parts = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
      Broadcast<PaperSimulation> simB = spark.sparkContext().broadcast(sim,
          scala.reflect.ClassTag$.MODULE$.apply(PaperSimulation.class));
      Dataset<Row> rows = spark.range(0, params.users(), 1, parts)
          .as(Encoders.LONG())
          .mapPartitions(new UserSampler(simB), Encoders.row(INTERACTIONS_SCHEMA));
      interactions = out.writeTable(INTERACTIONS, rows);
      out.manifest().count("interactions", interactions);
      out.manifest().count("users", params.users());
      out.manifest().count("items", params.items());
    }
    return new Result(out.path(INTERACTIONS), out.path(ITEMS), interactions, params.users(), params.items());
  }

  /** Samples the interactions of a partition of users; one row per (user, item), value 1. */
  static final class UserSampler implements MapPartitionsFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<PaperSimulation> sim;

    UserSampler(Broadcast<PaperSimulation> sim) {
      this.sim = sim;
    }

    @Override
    public Iterator<Row> call(Iterator<Long> users) {
      PaperSimulation s = sim.value();
      return new Iterator<>() {
        private long user;
        private int[] items = new int[0];
        private int next;

        @Override
        public boolean hasNext() {
          while (next >= items.length && users.hasNext()) {
            user = users.next();
            items = s.sampleUser(user);
            next = 0;
          }
          return next < items.length;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return RowFactory.create(Long.toString(user), Integer.toString(items[next++]), 1.0, null);
        }
      };
    }
  }
}
