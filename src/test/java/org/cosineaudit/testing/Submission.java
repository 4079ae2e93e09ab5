package org.cosineaudit.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One job run through {@code ./submit.sh} in its own driver JVM (the way users run it), with the
 * test-built application jar ({@link ApplicationJar}). stdout and stderr go to one log file.
 * {@code submit.sh} ends in {@code exec java}, so the process is the driver JVM itself:
 * {@link #killDriver()} is a real {@code kill -9} of the driver.
 */
public final class Submission {

  /** Spark settings every test submission uses: small executors, no driver UI (no port clashes). */
  public static final List<String> TEST_CONF = List.of(
      "spark.ui.enabled=false",
      "spark.executor.memory=1g",
      "spark.sql.shuffle.partitions=4",
      "spark.default.parallelism=4");

  /** Drivers still running when the test JVM exits (a test that died) are killed then. */
  private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
        "kill-test-drivers"));
  }

  private final Process process;
  private final Path log;
  private final List<String> command;
  private final int driverPort;

  private Submission(Process process, Path log, List<String> command, int driverPort) {
    this.process = process;
    this.log = log;
    this.command = command;
    this.driverPort = driverPort;
  }

  /**
   * Starts {@code ./submit.sh --master MASTER [--conf k=v]... JOB ARGS}.
   *
   * @param extraConf Spark settings added after {@link #TEST_CONF}
   */
  public static Submission start(String master, Path log, List<String> extraConf, String job, List<String> args) {
    Path project = SparkTestSession.projectDir();
    List<String> cmd = new ArrayList<>();
    cmd.add(project.resolve("submit.sh").toString());
    cmd.add("--master");
    cmd.add(master);
    List<String> conf = new ArrayList<>(TEST_CONF);
    // a known driver port: executors name it on their command line (--driver-url), which tells
    // this run's executors from those of an earlier, killed driver that are still shutting down
    int driverPort = freePort();
    conf.add("spark.driver.port=" + driverPort);
    conf.addAll(extraConf);
    for (String c : conf) {
      cmd.add("--conf");
      cmd.add(c);
    }
    cmd.add(job);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true);
    try {
      Files.createDirectories(log.getParent());
      pb.redirectOutput(log.toFile());
      Map<String, String> env = pb.environment();
      env.remove("SPARK_HOME"); // always this project's Spark, never an installed one
      env.put("COSINE_AUDIT_JAR", ApplicationJar.get().toString());
      env.put("COSINE_AUDIT_CLASSPATH_FILE", ApplicationJar.sparkClasspathFile().toString());
      env.put("COSINE_AUDIT_DRIVER_MEMORY", "1g");
      env.put("SPARK_LOCAL_IP", "127.0.0.1");
      Process p = pb.start();
      RUNNING.add(p);
      p.onExit().thenRun(() -> RUNNING.remove(p));
      return new Submission(p, log, cmd, driverPort);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + cmd + ": " + e.getMessage(), e);
    }
  }

  /** Waits for the driver to exit; on timeout kills it and fails with the log's tail. */
  public int await(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killDriver();
        throw new AssertionError("no exit within " + timeout + ": " + String.join(" ", command)
            + "\n--- last lines of " + log + ":\n" + tail(40));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killDriver();
      throw new IllegalStateException(e);
    }
  }

  /** Runs to the end and fails, with the log's tail, unless the exit code is 0. */
  public void awaitSuccess(Duration timeout) {
    int code = await(timeout);
    if (code != 0) {
      throw new AssertionError("exit code " + code + ": " + String.join(" ", command)
          + "\n--- last lines of " + log + ":\n" + tail(40));
    }
  }

  /** SIGKILL to the driver JVM (no shutdown hooks run), then waits until it is gone. */
  public void killDriver() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** The driver's console output so far. */
  public String output() {
    try {
      // lenient decoding: the driver may be in the middle of writing a multi-byte character
      return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + log + ": " + e.getMessage(), e);
    }
  }

  public String tail(int lines) {
    String[] all = output().split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
  }

  public Path log() {
    return log;
  }

  /** The driver's RPC port ({@code spark.driver.port}). */
  public int driverPort() {
    return driverPort;
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot find a free port on 127.0.0.1: " + e.getMessage(), e);
    }
  }
}
