package org.cosineaudit.stability;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.cosineaudit.testing.BenchmarkSession;

/**
 * The unit cost behind "1,000,000 items x 20 models (190 pairs)" of docs/stability.md (not a test;
 * excluded from {@code mvn test}). Run: {@code bench/stability.sh}.
 *
 * <p>Writes M synthetic neighbour tables of n items (each item's k neighbours drawn per model from
 * the same 2k candidates in a model-specific order, so pairs overlap about half, as swept models
 * do), reads them back as the job does, and times the whole agreement pass of every pair:
 * one shuffle of the neighbour rows, the per-item comparison of all pairs, the (pair, salt)
 * repartition, counts, and both summary passes with popularity deciles and a 200-replicate
 * bootstrap. Reports wall time and JVM CPU time (driver plus local executor threads, i.e.
 * core-seconds) per (item x pair) — the quantity that extrapolates to other sizes — and that
 * extrapolation for 10^6 items x 190 pairs.
 *
 * <p>Options: {@code --items 100000,200000,400000 --models 5 --k 20 --bootstrap 200 --master local[2]}.
 */
public final class StabilityBenchmark {

  public static void main(String[] args) throws IOException {
    List<Integer> itemCounts = List.of(100_000, 200_000, 400_000);
    int models = 5;
    int k = 20;
    int bootstrap = 200;
    String master = "local[2]";
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--items" -> itemCounts = BenchmarkSession.ints(v);
        case "--models" -> models = Integer.parseInt(v);
        case "--k" -> k = Integer.parseInt(v);
        case "--bootstrap" -> bootstrap = Integer.parseInt(v);
        case "--master" -> master = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SparkSession spark = BenchmarkSession.start("stability-benchmark", master, 8);
    Path dir = Files.createTempDirectory("stability-benchmark");
    int pairs = models * (models - 1) / 2;
    System.out.printf(Locale.ROOT, "# Stability agreement pass: %d models (%d pairs), k = %d, bootstrap %d, %s, "
        + "%d processors, load %s%n%n", models, pairs, k, bootstrap, master,
        Runtime.getRuntime().availableProcessors(), load());
    System.out.println("| items | pairs | item x pair comparisons | wall s | CPU s | CPU µs per item x pair "
        + "| summary rows | jaccard mean (pair 1) |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    List<double[]> unit = new ArrayList<>();
    try {
      for (int n : itemCounts) {
        List<NeighbourAgreement.NamedTable> tables = new ArrayList<>();
        for (int m = 0; m < models; m++) {
          String path = dir.resolve("n" + n + "-m" + m).toString();
          table(spark, n, k, m).write().parquet(path);
          tables.add(new NeighbourAgreement.NamedTable("m" + m, spark.read().parquet(path)));
        }
        Dataset<Row> popularity = spark.range(n).select(col("id").cast(DataTypes.StringType).as("item"),
            pmod(hash(col("id")), lit(1000)).cast(DataTypes.LongType).as("popularity"));
        NeighbourAgreement.Options options = new NeighbourAgreement.Options(k, 0.9, 0.5, bootstrap, 0L, 10_000);
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        Dataset<Row> deciles = PopularityStrata.deciles(spark, popularity);
        NeighbourAgreement.Result r = NeighbourAgreement.compare(spark, tables,
            NeighbourAgreement.allPairs(models), deciles, null, options);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - cpu0) / 1e9;
        double comparisons = (double) n * pairs;
        double jaccard = r.summary().stream().filter(s -> s.metric().equals("jaccard") && s.stratum().equals("all"))
            .findFirst().map(SummaryRow::mean).orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "| %,d | %d | %,.0f | %.1f | %.1f | %.2f | %,d | %.3f |%n", n, pairs,
            comparisons, wall, cpu, cpu * 1e6 / comparisons, r.summary().size(), jaccard);
        unit.add(new double[] {comparisons, cpu, wall});
        r.release();
        deciles.unpersist();
      }
      // marginal cost between the two largest rows: fixed costs (job start-up, JIT, the first
      // shuffle's set-up) cancel out, which the smaller rows are dominated by
      double[] last = unit.get(unit.size() - 1);
      double[] prev = unit.size() > 1 ? unit.get(unit.size() - 2) : new double[] {0, 0, 0};
      double perComparison = (last[1] - prev[1]) / (last[0] - prev[0]);
      double target = 1e6 * 190;
      if (!(perComparison > 0)) {
        System.out.printf(Locale.ROOT, "%nNo marginal cost: the sizes are too small (fixed costs dominate and vary); "
            + "use larger --items, e.g. 200000,400000%n");
        return;
      }
      System.out.printf(Locale.ROOT, "%nMarginal CPU cost between the two largest rows: %.2f µs per item x pair. "
          + "Extrapolated to 1,000,000 items x 190 pairs: %.0f core-seconds = %.1f core-hours (%.1f minutes on "
          + "100 cores at this machine's per-core speed, before shuffle I/O between machines); load at end %s%n",
          perComparison * 1e6, perComparison * target, perComparison * target / 3600,
          perComparison * target / 100 / 60, load());
    } finally {
      spark.stop();
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /**
   * Model {@code m}'s neighbour table: item i's candidates are i+1..i+2k (mod n), ranked by a
   * hash of (model, item, candidate); the first k are its neighbours, scores falling with rank.
   */
  static Dataset<Row> table(SparkSession spark, int n, int k, int m) {
    Dataset<Row> candidates = spark.range(n).select(col("id").as("i"), explode(sequence(lit(1), lit(2 * k))).as("off"))
        .withColumn("h", hash(lit(m), col("i"), col("off")));
    return candidates.withColumn("rank", row_number().over(Window.partitionBy("i").orderBy(col("h"), col("off"))))
        .where(col("rank").leq(k))
        .select(col("i").cast(DataTypes.StringType).as("item"), col("rank"),
            pmod(col("i").plus(col("off")), lit(n)).cast(DataTypes.StringType).as("neighbour"),
            lit(1.0).minus(col("rank").divide(100.0)).as("score"));
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String load() {
    return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
