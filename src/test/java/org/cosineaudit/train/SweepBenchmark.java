package org.cosineaudit.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.cli.Main;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.Ingested;
import org.cosineaudit.data.Ingestion;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;

/**
 * Benchmark of the sweep (not a test; excluded from {@code mvn test}; run with
 * {@code bench/sweep.sh}, results in docs/benchmarks/sweep.md). In one process, on the paper's
 * synthetic data: the sum of bare {@code ALS.fit} times for the grid (on the already split and
 * indexed training data) against the whole sweep (ingestion, split, training, metrics, writing
 * factors and the index), sequential and with {@code --parallelism 2}. The bare fits run before and
 * after the sweeps, and their mean is the baseline (the machine's speed drifts). Prints a Markdown table.
 *
 * <p>Arguments: {@code [users=20000] [items=1000] [regs=0.01,0.1,1] [rank=16] [maxIter=10] [measures=none]}.
 */
public final class SweepBenchmark {

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int items = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    String regs = args.length > 2 ? args[2] : "0.01,0.1,1";
    String rank = args.length > 3 ? args[3] : "16";
    String maxIter = args.length > 4 ? args[4] : "10";
    String measures = args.length > 5 ? args[5] : "none";
    SparkSession spark = SparkTestSession.get();
    Path tmp = SparkTestSession.tempDir("sweep-bench");
    String input = SweepFixtures.synthetic(tmp, users, items, 5);
    Map<String, String> base = new LinkedHashMap<>(Map.of("input", input, "input-format", "parquet",
        "feedback", "implicit", "alpha", "1", "rank", rank, "reg", regs, "max-iter", maxIter,
        "user-blocks", "2", "item-blocks", "2", "measures", measures));

    // bare ALS.fit on the split the sweep uses, after one warm-up fit (JIT, first Spark jobs)
    Settings bareSettings = SweepJob.settings(SweepFixtures.with(base, "output", tmp.resolve("bare").toString()));
    SweepJob.Config config = new SweepJob().configure(bareSettings);
    RunOutput scratch = RunOutput.open(spark, "sweep", bareSettings, config.output(), Map.of());
    Ingested in = Ingestion.read(spark, config.input(), scratch);
    RegularizationSweep.Prepared data = RegularizationSweep.prepare(in.interactions(), in.userIds(), in.itemIds(),
        config.plan());
    List<ModelSpec> specs = config.plan().grid().specs();
    AlsTrainer.release(AlsTrainer.fit(data.train(), specs.get(0), config.plan().als()));
    // bare fits before and after the sweeps: the machine's speed drifts by 10-20% over minutes
    // (a virtual machine), so the baseline is the mean of both and the drift is printed
    List<Double> bareBefore = bareFits(data, specs, config);
    long interactions = data.trainRows() + data.testRows();
    data.release(); // the sweeps run with nothing else cached
    in.release();

    double sequential = timeSweep(spark, SweepFixtures.with(base, "output", tmp.resolve("seq").toString()));
    double parallel = timeSweep(spark, SweepFixtures.with(base, "output", tmp.resolve("par").toString(),
        "parallelism", "2"));

    in = Ingestion.read(spark, config.input(), scratch);
    data = RegularizationSweep.prepare(in.interactions(), in.userIds(), in.itemIds(), config.plan());
    List<Double> bareAfter = bareFits(data, specs, config);
    data.release();
    in.release();
    double before = sum(bareBefore);
    double after = sum(bareAfter);
    double bareSum = (before + after) / 2;

    System.out.println();
    System.out.printf(Locale.ROOT, "## sweep benchmark: %,d interactions (%,d users x %,d items), implicit, rank %s, "
        + "%s iterations, reg %s, measures %s, %s%n%n", interactions, users, items, rank, maxIter, regs, measures,
        spark.sparkContext().master());
    System.out.println("| what | seconds | vs bare ALS.fit |");
    System.out.println("|---|---:|---:|");
    System.out.printf(Locale.ROOT, "| bare ALS.fit, sum over %d models, before the sweeps %s | %.1f | |%n",
        bareBefore.size(), seconds(bareBefore), before);
    System.out.printf(Locale.ROOT, "| bare ALS.fit, sum over %d models, after the sweeps %s | %.1f | |%n",
        bareAfter.size(), seconds(bareAfter), after);
    System.out.printf(Locale.ROOT, "| bare ALS.fit, mean of both (drift %+.0f%%) | %.1f | 1.00 |%n",
        100 * (after - before) / before, bareSum);
    System.out.printf(Locale.ROOT, "| sweep, --parallelism 1 (total) | %.1f | %.2f (overhead %+.0f%%) |%n",
        sequential, sequential / bareSum, 100 * (sequential - bareSum) / bareSum);
    System.out.printf(Locale.ROOT, "| sweep, --parallelism 2 (total) | %.1f | %.2f (overhead %+.0f%%; %.2fx faster "
        + "than sequential) |%n", parallel, parallel / bareSum, 100 * (parallel - bareSum) / bareSum,
        sequential / parallel);
    System.out.printf(Locale.ROOT, "%nload average at the end: %s%n",
        java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
  }

  /** Seconds of one bare {@code ALS.fit} per model, on the split the sweep uses. */
  private static List<Double> bareFits(RegularizationSweep.Prepared data, List<ModelSpec> specs,
      SweepJob.Config config) {
    List<Double> bare = new ArrayList<>();
    for (ModelSpec s : specs) {
      long t0 = System.nanoTime();
      ALSModel m = AlsTrainer.fit(data.train(), s, config.plan().als());
      bare.add((System.nanoTime() - t0) / 1e9);
      AlsTrainer.release(m);
    }
    return bare;
  }

  private static double sum(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).sum();
  }

  private static String seconds(List<Double> values) {
    return values.stream().map(b -> String.format(Locale.ROOT, "%.1f", b)).toList().toString();
  }

  /** Wall-clock seconds of one whole sweep run, as the CLI runs it. */
  static double timeSweep(SparkSession spark, Map<String, String> values) throws Exception {
    long t0 = System.nanoTime();
    Settings s = SweepJob.settings(values);
    SweepJob.Config c = new SweepJob().configure(s);
    RunOutput out = RunOutput.open(spark, "sweep", s, c.output(), Main.resultConfig(s));
    SweepJob.execute(spark, c, out);
    out.complete(Outcome.ok(List.of()));
    return (System.nanoTime() - t0) / 1e9;
  }

  private SweepBenchmark() {}

}
