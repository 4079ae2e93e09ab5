package org.cosineaudit.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.Ingested;
import org.cosineaudit.data.Ingestion;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;
import org.cosineaudit.testing.TaskMeter;

/**
 * Benchmark of the sweep's fixed cost before the first model (not a test; run with
 * {@code bench/ingest-split.sh}, results in docs/benchmarks/sweep.md): ingestion and the held-out
 * split of the sweep benchmark's data, repeated in one process after a warm-up round.
 *
 * <p>Arguments: {@code [users=20000] [items=1000] [rounds=3]}.
 */
public final class IngestSplitBenchmark {

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int items = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    SparkSession spark = SparkTestSession.get();
    Path tmp = SparkTestSession.tempDir("ingest-bench");
    String input = SweepFixtures.synthetic(tmp, users, items, 5);
    Map<String, String> base = new LinkedHashMap<>(Map.of("input", input, "input-format", "parquet",
        "feedback", "implicit", "alpha", "1", "rank", "32", "reg", "0.1", "user-blocks", "2", "item-blocks", "2",
        "measures", "none", "output", tmp.resolve("out").toString()));
    Settings settings = SweepJob.settings(base);
    SweepJob.Config config = new SweepJob().configure(settings);
    RunOutput scratch = RunOutput.open(spark, "sweep", settings, config.output(), Map.of());
    TaskMeter meter = TaskMeter.attach(spark);
    System.out.println();
    System.out.println("| round | ingest s | split s | total s | task s | task CPU s | shuffle MB written | train rows | test rows |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    double sumTask = 0;
    double sumCpu = 0;
    double sumIngest = 0;
    double sumSplit = 0;
    for (int round = 0; round <= rounds; round++) {
      TaskMeter.Reading before = meter.read();
      long t0 = System.nanoTime();
      Ingested in = Ingestion.read(spark, config.input(), scratch);
      long t1 = System.nanoTime();
      RegularizationSweep.Prepared data = RegularizationSweep.prepare(in, config.plan());
      data.heldOut(); // built in the background while a sweep trains; here its whole cost counts
      long t2 = System.nanoTime();
      TaskMeter.Reading used = meter.read().minus(before);
      double ingest = (t1 - t0) / 1e9;
      double split = (t2 - t1) / 1e9;
      double task = used.taskSeconds();
      double cpu = used.cpuSeconds();
      double shuffled = used.shuffleMegabytes();
      if (round > 0) {
        sumIngest += ingest;
        sumSplit += split;
        sumTask += task;
        sumCpu += cpu;
      }
      System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %,d | %,d |%n",
          round == 0 ? "warm-up" : round, ingest, split, ingest + split, task, cpu, shuffled, data.trainRows(),
          data.testRows());
      data.release();
      in.release();
    }
    System.out.printf(Locale.ROOT, "| mean of %d | %.2f | %.2f | %.2f | %.1f | %.1f | | | |%n", rounds,
        sumIngest / rounds, sumSplit / rounds, (sumIngest + sumSplit) / rounds, sumTask / rounds, sumCpu / rounds);
  }

  private IngestSplitBenchmark() {}
}
