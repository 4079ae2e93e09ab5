package org.cosineaudit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.LocalStandaloneCluster;
import org.cosineaudit.testing.RunFolders;
import org.cosineaudit.testing.SparkTestSession;
import org.cosineaudit.testing.Submission;
import org.cosineaudit.train.RegularizationSweep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jobs on a real Spark standalone cluster: a master and two one-core workers on 127.0.0.1,
 * each its own JVM, started by {@code scripts/cluster.sh} from the project's Spark jars; jobs go
 * through {@code ./submit.sh} exactly as a user runs them (driver in its own JVM, executors
 * launched by the workers, the application jar shipped to them by Spark).
 *
 * <p>Skipped, with the reason printed, only when this machine cannot start a cluster.
 */
class StandaloneClusterTest {

  /** A small demo: the whole pipeline in well under a minute per run on 2 cores. */
  static final List<String> DEMO = List.of("--users", "2000", "--items", "100", "--seed", "7");
  /** Guards against a hung run; far above what a run takes on an idle 2-core machine (< 1 min). */
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(8);
  /** Columns that are wall-clock measurements, not results (the sweep's model index). */
  static final Set<String> TIMINGS = Set.of("train_seconds");
  /** A small sweep for the kill tests: three models, a few seconds each. */
  static final List<String> SWEEP = List.of("--feedback", "implicit", "--alpha", "0", "--rank", "8", "--reg", "0.01,0.1,1",
      "--max-iter", "5", "--user-blocks", "2", "--item-blocks", "2");

  static LocalStandaloneCluster cluster;
  static Path runs;
  private static Path localDemo;
  private static Path clusterDemo;
  private static Path localSweep;
  private static Path interactions;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = LocalStandaloneCluster.start("StandaloneClusterTest", 2);
    runs = cluster.dir().resolve("runs");
    // outputs of an earlier test run would make a killed run look as if it had written something
    if (Files.exists(runs)) {
      try (var walk = Files.walk(runs)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(runs);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The demo in local mode, run once: the reference. */
  static synchronized Path localDemo() {
    if (localDemo == null) {
      localDemo = runDemo("local[2]", "demo-local");
    }
    return localDemo;
  }

  /** The demo on the cluster, undisturbed, run once. */
  static synchronized Path clusterDemo() {
    if (clusterDemo == null) {
      clusterDemo = runDemo(cluster.masterUrl(), "demo-cluster");
    }
    return clusterDemo;
  }

  private static Path runDemo(String master, String name) {
    Path out = runs.resolve(name);
    Submission s = Submission.start(master, runs.resolve(name + ".log"), List.of(), "demo", demoArgs(out));
    try (RunFolders.Watch watch = new RunFolders.Watch(out)) {
      s.awaitSuccess(RUN_TIMEOUT);
      watch.close();
      assertEquals(List.of(), watch.problems(), "folders marked complete too early in " + out);
    }
    assertTrue(RunOutput.isComplete(SparkTestSession.get(), out.toString()), out + " is not marked complete");
    // the stability stage's gauge check: a rescaling that keeps U V^T moves no score-cosine neighbour
    assertTrue(s.output().contains("demo: gauge score-cosine/rescale-1 vs score-cosine/original: jaccard 1.000"),
        "the demo's stability stage should report score-cosine unchanged by the rescaling:\n" + s.tail(30));
    return out;
  }

  /** The small sweep, uninterrupted, in local mode, on the local demo's ingested interactions: run once. */
  static synchronized Path localSweep() {
    if (localSweep == null) {
      Path out = runs.resolve("sweep-uninterrupted");
      Submission.start("local[2]", runs.resolve("sweep-uninterrupted.log"), List.of(), "sweep", sweepArgs(out))
          .awaitSuccess(RUN_TIMEOUT);
      assertTrue(RunOutput.isComplete(SparkTestSession.get(), out.toString()), out + " is not marked complete");
      localSweep = out;
    }
    return localSweep;
  }

  /** The small sweep's arguments (no --overwrite: a rerun resumes). */
  private static List<String> sweepArgs(Path out) {
    List<String> args = new ArrayList<>(SWEEP);
    args.addAll(List.of("--input", interactions().toString(), "--output", out.toString()));
    return args;
  }

  /** The sweeps' input: a small generated interactions table (local mode), made once. */
  static synchronized Path interactions() {
    if (interactions == null) {
      Path out = runs.resolve("generate");
      List<String> args = new ArrayList<>(DEMO);
      args.addAll(List.of("--output", out.toString(), "--overwrite"));
      Submission.start("local[2]", runs.resolve("generate.log"), List.of(), "generate", args).awaitSuccess(RUN_TIMEOUT);
      interactions = out.resolve("interactions");
    }
    return interactions;
  }

  private static List<String> demoArgs(Path out) {
    List<String> args = new ArrayList<>(DEMO);
    args.addAll(List.of("--output", out.toString(), "--overwrite"));
    return args;
  }

  @Test
  void demoOnTheClusterWritesExactlyTheTablesOfLocalMode() throws IOException {
    Path local = localDemo();
    Path onCluster = clusterDemo();
    RunFolders.assertSameTables(SparkTestSession.get(), local, onCluster, TIMINGS);
    String manifest = Files.readString(onCluster.resolve(RunOutput.MANIFEST));
    assertTrue(manifest.contains("\"master\" : \"" + cluster.masterUrl() + "\""),
        "the cluster run's manifest should name the standalone master: " + manifest);
  }

  @Test
  void executorKilledMidSweepIsReplacedAndTheOutputEqualsAnUndisturbedRun() {
    Path reference = localSweep();
    Path out = runs.resolve("sweep-executor-killed");
    Submission s = Submission.start(cluster.masterUrl(), runs.resolve("sweep-executor-killed.log"), List.of(),
        "sweep", sweepArgs(out));
    Busy killed;
    try (RunFolders.Watch watch = new RunFolders.Watch(out)) {
      // during ALS training: the executor's cached blocks and shuffle outputs are lost with it
      awaitOutput(s, "sweep: training", Duration.ofMinutes(6));
      killed = killExecutorWithRunningTask(s, Duration.ofMinutes(6));
      s.awaitSuccess(RUN_TIMEOUT);
      watch.close();
      assertEquals(List.of(), watch.problems(), "folders marked complete too early in " + out);
    } finally {
      s.killDriver(); // a no-op after a normal exit; never leave a driver behind a failed assertion
    }
    assertTrue(s.output().contains("Lost executor " + killed.executorId()),
        "the driver should have seen executor " + killed.executorId() + " die (" + killed + "):\n" + s.tail(30));
    RunFolders.assertSameTables(SparkTestSession.get(), reference, out, TIMINGS);
  }

  @Test
  void driverKilledMidRunLeavesNoFolderMarkedComplete() {
    Path out = runs.resolve("demo-driver-killed");
    Submission s = Submission.start(cluster.masterUrl(), runs.resolve("demo-driver-killed.log"), List.of(),
        "demo", demoArgs(out));
    try (RunFolders.Watch watch = new RunFolders.Watch(out)) {
      // kill while executors are writing: tasks in flight, nothing committed yet
      runningTask(s, Duration.ofMinutes(6));
      s.killDriver();
      watch.close();
      assertEquals(List.of(), watch.problems(), "folders marked complete while they were not in " + out);
    } finally {
      s.killDriver();
    }
    assertTrue(Files.isRegularFile(out.resolve(RunOutput.RUN_CONFIG)), "the run had started writing into " + out);
    assertFalse(RunOutput.isComplete(SparkTestSession.get(), out.toString()),
        out + " must not look complete after its driver was killed");
    assertFalse(Files.exists(out.resolve(RunOutput.MANIFEST)), "a killed driver wrote no final manifest");
  }

  @Test
  void driverKilledMidSweepRetrainsOnlyTheMissingModelsAndEndsEqualToAnUninterruptedRun() throws IOException {
    Path reference = localSweep();
    Path out = runs.resolve("sweep-driver-killed");
    List<String> args = sweepArgs(out);
    Path models = out.resolve(RegularizationSweep.MODELS);

    Submission first = Submission.start(cluster.masterUrl(), runs.resolve("sweep-killed-1.log"), List.of(), "sweep", args);
    Set<String> doneBeforeKill;
    try (RunFolders.Watch watch = new RunFolders.Watch(out)) {
      long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
      while (RunFolders.completeRuns(models).isEmpty()) {
        assertTrue(first.isAlive(), "the sweep ended before any model was complete:\n" + first.tail(30));
        assertTrue(System.nanoTime() < deadline, "no model complete within 6 minutes:\n" + first.tail(30));
        sleep(100);
      }
      first.killDriver();
      watch.close();
      assertEquals(List.of(), watch.problems(), "folders marked complete while they were not in " + out);
    } finally {
      first.killDriver();
    }
    doneBeforeKill = RunFolders.completeRuns(models);
    assertTrue(doneBeforeKill.size() < 3, "the kill came too late: all models were complete " + doneBeforeKill);
    assertFalse(RunOutput.isComplete(SparkTestSession.get(), out.toString()), "a killed sweep must not look complete");
    java.util.Map<String, byte[]> keptJson = new java.util.TreeMap<>();
    for (String m : doneBeforeKill) {
      keptJson.put(m, Files.readAllBytes(models.resolve(m).resolve(RegularizationSweep.MODEL_JSON)));
    }

    // the same command again: resumes (same configuration), trains only what is missing
    Submission rerun = Submission.start(cluster.masterUrl(), runs.resolve("sweep-killed-2.log"), List.of(), "sweep", args);
    rerun.awaitSuccess(RUN_TIMEOUT);
    assertTrue(RunOutput.isComplete(SparkTestSession.get(), out.toString()), out + " is not complete after the rerun");
    com.fasterxml.jackson.databind.JsonNode manifest =
        org.cosineaudit.io.Manifest.JSON.readTree(out.resolve(RunOutput.MANIFEST).toFile());
    assertEquals(doneBeforeKill.size(), manifest.path("counts").path("models_skipped").asInt(), manifest.toString());
    assertEquals(3 - doneBeforeKill.size(), manifest.path("counts").path("models_trained").asInt(), manifest.toString());
    for (var e : keptJson.entrySet()) {
      assertTrue(java.util.Arrays.equals(e.getValue(), Files.readAllBytes(models.resolve(e.getKey()).resolve(RegularizationSweep.MODEL_JSON))),
          "model " + e.getKey() + " was complete before the kill and must not be trained again");
    }
    Set<String> kept = new java.util.TreeSet<>();
    manifest.path("details").path("models_kept").forEach(id -> kept.add(id.asText()));
    assertEquals(doneBeforeKill, kept, "models the manifest reports as kept");

    // the same tables as an uninterrupted run of the same sweep
    RunFolders.assertSameTables(SparkTestSession.get(), reference, out, new HashSet<>(TIMINGS));
  }

  /** Waits until the driver's console shows {@code text}. */
  private static void awaitOutput(Submission s, String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!s.output().contains(text)) {
      assertTrue(s.isAlive(), "the driver ended before printing '" + text + "':\n" + s.tail(30));
      assertTrue(System.nanoTime() < deadline, "no '" + text + "' within " + timeout + ":\n" + s.tail(30));
      sleep(200);
    }
  }

  /** An executor JVM and the task it was running. */
  record Busy(ProcessHandle process, String executorId, String task, Path log) {}

  private static final Pattern RUNNING = Pattern.compile("Running task (\\S+ in stage \\S+) \\(TID (\\d+)\\)");
  private static final Pattern FINISHED = Pattern.compile("Finished task \\S+ in stage \\S+ \\(TID (\\d+)\\)");

  /** Waits until some executor of the cluster runs a task for this driver; returns it. */
  private static Busy runningTask(Submission s, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!s.isAlive()) {
        throw new AssertionError("the job ended before any executor ran a task:\n" + s.tail(30));
      }
      for (ProcessHandle e : cluster.executorsOf(s.driverPort())) {
        Path log = cluster.executorLog(e).orElse(null);
        String task = log == null ? null : runningTaskIn(log);
        if (task != null && e.isAlive()) {
          return new Busy(e, LocalStandaloneCluster.executorId(e).orElseThrow(), task, log);
        }
      }
      sleep(100);
    }
    throw new AssertionError("no executor ran a task within " + timeout + ":\n" + s.tail(30));
  }

  /** Kills (SIGKILL) an executor JVM while it runs a task of the driver's job. */
  private static Busy killExecutorWithRunningTask(Submission s, Duration timeout) {
    Busy b = runningTask(s, timeout);
    assertTrue(b.process().destroyForcibly(), "could not send SIGKILL to executor " + b);
    b.process().onExit().join();
    return b;
  }

  /** A task the log says started and has not finished, or null. */
  private static String runningTaskIn(Path log) {
    String text;
    try {
      text = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
    Set<String> finished = new HashSet<>();
    Matcher f = FINISHED.matcher(text);
    while (f.find()) {
      finished.add(f.group(1));
    }
    Matcher r = RUNNING.matcher(text);
    String running = null;
    while (r.find()) {
      if (!finished.contains(r.group(2))) {
        running = r.group(1) + " (TID " + r.group(2) + ")";
      }
    }
    return running;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
