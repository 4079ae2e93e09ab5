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
import org.cosineaudit.testing.TaskMeter;

/**
 * Benchmark of the sweep (not a test; excluded from {@code mvn test}; run with
 * {@code bench/sweep.sh}, results in docs/benchmarks/sweep.md). In one process, on the paper's
 * synthetic data: the sum of bare {@code ALS.fit} times for the grid (on the already split and
 * indexed training data) against the whole sweep (ingestion, split, training, metrics, writing
 * factors and the index), sequential and with {@code --parallelism 2}.
 *
 * <p>The machine's speed drifts (by up to 50% within minutes on a shared virtual machine), so
 * the runs are interleaved: {@code rounds} rounds of bare fits, then both sweeps (their order
 * alternating from round to round), and bare fits once more at the end. Each sweep is compared
 * with the mean of the bare fits just before and just after it; the verdict is the median over
 * the rounds. Prints a Markdown table, then each mode's median overhead from the unrounded figures,
 * in percent and in seconds (sweep minus baseline: the pipeline's own cost, which does not move
 * with ALS's speed on the host the way the percentage does).
 *
 * <p>Arguments: {@code [users=20000] [items=1000] [regs=0.01,0.1,1] [rank=16] [maxIter=10]
 * [measures=none] [rounds=3]}.
 */
public final class SweepBenchmark {

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int items = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    String regs = args.length > 2 ? args[2] : "0.01,0.1,1";
    String rank = args.length > 3 ? args[3] : "16";
    String maxIter = args.length > 4 ? args[4] : "10";
    String measures = args.length > 5 ? args[5] : "none";
    int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 3;
    // ALS user and item blocks: 2 in every run recorded before session 9; the sweep's default is 4
    String blocks = args.length > 7 ? args[7] : "2";
    SparkSession spark = SparkTestSession.get();
    Path tmp = SparkTestSession.tempDir("sweep-bench");
    String input = SweepFixtures.synthetic(tmp, users, items, 5);
    Map<String, String> base = new LinkedHashMap<>(Map.of("input", input, "input-format", "parquet",
        "feedback", "implicit", "alpha", "1", "rank", rank, "reg", regs, "max-iter", maxIter,
        "user-blocks", blocks, "item-blocks", blocks, "measures", measures));
    Settings bareSettings = SweepJob.settings(SweepFixtures.with(base, "output", tmp.resolve("bare").toString()));
    SweepJob.Config config = new SweepJob().configure(bareSettings);
    RunOutput scratch = RunOutput.open(spark, "sweep", bareSettings, config.output(), Map.of());
    List<ModelSpec> specs = config.plan().grid().specs();

    TaskMeter meter = TaskMeter.attach(spark);
    // one warm-up fit (JIT, first Spark jobs), then: bare, (sequential, parallel) x rounds, bare
    long interactions = bareFits(spark, meter, config, scratch, specs.subList(0, 1)).interactions();
    List<Bare> bare = new ArrayList<>();
    List<Timed[]> sweeps = new ArrayList<>(); // per round: {sequential, parallel}
    bare.add(bareFits(spark, meter, config, scratch, specs));
    for (int r = 0; r < rounds; r++) {
      Timed[] pair = new Timed[2];
      for (int mode : r % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0}) {
        TaskMeter.Reading before = meter.read();
        double wall = timeSweep(spark, SweepFixtures.with(base, "output", tmp.resolve("r" + r + "-" + mode).toString(),
            "parallelism", Integer.toString(mode + 1)));
        pair[mode] = new Timed(wall, meter.read().minus(before).cpuSeconds());
      }
      sweeps.add(pair);
      bare.add(bareFits(spark, meter, config, scratch, specs));
    }

    System.out.println();
    System.out.printf(Locale.ROOT, "## sweep benchmark: %,d interactions (%,d users x %,d items), implicit, rank %s, "
        + "%s iterations, reg %s, measures %s, %s user and item blocks, %s, %d rounds%n%n", interactions, users, items,
        rank, maxIter, regs, measures, blocks, spark.sparkContext().master(), rounds);
    System.out.println("| round | bare ALS.fit before, s | bare after, s | baseline (mean), s | sweep --parallelism 1, s "
        + "| overhead | sweep --parallelism 2, s | overhead | task CPU: bare (mean) / sequential / parallel, s "
        + "| CPU overhead: sequential / parallel |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    double[][] overhead = new double[4][rounds]; // wall sequential, wall parallel, CPU sequential, CPU parallel
    double[][] overheadSeconds = new double[2][rounds]; // sweep minus baseline: sequential, parallel
    for (int r = 0; r < rounds; r++) {
      Bare before = bare.get(r);
      Bare after = bare.get(r + 1);
      double baseline = (before.fits().seconds() + after.fits().seconds()) / 2;
      double baselineCpu = (before.fits().cpuSeconds() + after.fits().cpuSeconds()) / 2;
      Timed[] pair = sweeps.get(r);
      for (int mode = 0; mode < 2; mode++) {
        overhead[mode][r] = pair[mode].seconds() / baseline - 1;
        overheadSeconds[mode][r] = pair[mode].seconds() - baseline;
        overhead[2 + mode][r] = pair[mode].cpuSeconds() / baselineCpu - 1;
      }
      System.out.printf(Locale.ROOT, "| %d%s | %.1f | %.1f | %.1f | %.1f | %+.0f%% | %.1f | %+.0f%% | %.1f / %.1f / %.1f "
          + "| %+.0f%% / %+.0f%% |%n", r + 1, r % 2 == 0 ? "" : " (parallel first)", before.fits().seconds(),
          after.fits().seconds(), baseline, pair[0].seconds(), 100 * overhead[0][r], pair[1].seconds(),
          100 * overhead[1][r], baselineCpu, pair[0].cpuSeconds(), pair[1].cpuSeconds(), 100 * overhead[2][r],
          100 * overhead[3][r]);
    }
    System.out.printf(Locale.ROOT, "| **median** | | | | | **%+.0f%%** | | **%+.0f%%** | | %+.0f%% / %+.0f%% |%n",
        100 * median(overhead[0]), 100 * median(overhead[1]), 100 * median(overhead[2]), 100 * median(overhead[3]));
    System.out.println();
    // the percentages follow ALS's speed on the host as much as the pipeline; the seconds are the
    // pipeline's own cost, and the medians here are taken from unrounded figures
    for (int mode = 0; mode < 2; mode++) {
      System.out.printf(Locale.ROOT, "overhead %s: median %+.1f%% (%s), %.1f s (%s)%n",
          mode == 0 ? "sequential" : "--parallelism 2", 100 * median(overhead[mode]), percents(overhead[mode]),
          median(overheadSeconds[mode]), seconds(java.util.Arrays.stream(overheadSeconds[mode]).boxed().toList()));
    }
    System.out.println("bare ALS.fit seconds per model, each time: " + bare.stream().map(b -> seconds(b.perModel()))
        .toList());
    System.out.printf(Locale.ROOT, "%nload average at the end: %s%n",
        java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
  }

  /** Wall-clock and task CPU seconds of one piece of work. */
  private record Timed(double seconds, double cpuSeconds) {}

  /** Bare {@code ALS.fit} of every model (wall seconds per model), and the number of interactions split. */
  private record Bare(List<Double> perModel, Timed fits, long interactions) {}

  /**
   * Ingests and splits as the sweep does (not timed), then times one bare {@code ALS.fit} per
   * spec on the training side; everything is released again, so the sweeps run with nothing
   * else cached.
   */
  private static Bare bareFits(SparkSession spark, TaskMeter meter, SweepJob.Config config, RunOutput scratch,
      List<ModelSpec> specs) {
    Ingested in = Ingestion.read(spark, config.input(), scratch);
    RegularizationSweep.Prepared data = RegularizationSweep.prepare(in, config.plan());
    try {
      data.heldOut(); // built in the background: let it finish before the fits are timed
      List<Double> seconds = new ArrayList<>();
      TaskMeter.Reading before = meter.read();
      for (ModelSpec s : specs) {
        long t0 = System.nanoTime();
        ALSModel m = AlsTrainer.fit(data.train(), s, config.plan().als());
        seconds.add((System.nanoTime() - t0) / 1e9);
        AlsTrainer.release(m);
      }
      Timed fits = new Timed(seconds.stream().mapToDouble(Double::doubleValue).sum(),
          meter.read().minus(before).cpuSeconds());
      return new Bare(seconds, fits, data.trainRows() + data.testRows());
    } finally {
      data.release();
      in.release();
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String percents(double[] values) {
    return java.util.Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%+.1f%%", 100 * v)).toList()
        .toString();
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
