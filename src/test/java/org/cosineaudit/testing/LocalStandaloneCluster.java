package org.cosineaudit.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Spark standalone cluster (master + 2 workers, separate JVMs, 127.0.0.1) started with
 * {@code scripts/cluster.sh} for one test class, on free ports and in its own folder under
 * {@code target/cluster-it/}, and stopped by {@link #close()} (and at JVM exit, should a test
 * class die before its {@code @AfterAll}).
 *
 * <p>When the script reports that the cluster cannot start on this machine (exit code 75: a
 * port in use, a daemon that died, workers not registered in time) the calling test class is
 * skipped, with the reason printed; any other failure of the script fails the test.
 */
public final class LocalStandaloneCluster implements AutoCloseable {

  /** The script's exit code for "this environment cannot run a cluster". */
  public static final int EX_ENVIRONMENT = 75;

  private final Path dir;
  private final String masterUrl;
  private final Map<String, String> env;
  private final Thread shutdownHook;
  private boolean closed;

  private LocalStandaloneCluster(Path dir, String masterUrl, Map<String, String> env) {
    this.dir = dir;
    this.masterUrl = masterUrl;
    this.env = env;
    this.shutdownHook = new Thread(this::stopQuietly, "stop-test-cluster");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a cluster of {@code workers} workers with one core and 1.5 GiB each. */
  public static LocalStandaloneCluster start(String name, int workers) {
    Path dir = SparkTestSession.projectDir().resolve("target/cluster-it/" + name).toAbsolutePath();
    int masterPort = freePort();
    int uiPort = freePort();
    Map<String, String> env = Map.of(
        "COSINE_AUDIT_CLUSTER_DIR", dir.toString(),
        "COSINE_AUDIT_MASTER_PORT", Integer.toString(masterPort),
        "COSINE_AUDIT_MASTER_UI_PORT", Integer.toString(uiPort),
        "COSINE_AUDIT_WORKERS", Integer.toString(workers),
        "COSINE_AUDIT_WORKER_CORES", "1",
        "COSINE_AUDIT_WORKER_MEMORY", "1536m",
        "COSINE_AUDIT_CLASSPATH_FILE", ApplicationJar.sparkClasspathFile().toString());
    // daemons left by an earlier test JVM that died without stopping them
    script("stop", env, dir.resolve("stop.log"), 120);
    Result r = script("start", env, dir.resolve("start.log"), 240);
    if (r.code() == EX_ENVIRONMENT) {
      System.err.println("[" + name + "] SKIPPED: no standalone cluster can start here:\n" + r.output());
      Assumptions.abort("no standalone cluster can start on this machine: " + lastLine(r.output()));
    }
    if (r.code() != 0) {
      throw new AssertionError("scripts/cluster.sh start failed with exit code " + r.code() + ":\n" + r.output());
    }
    return new LocalStandaloneCluster(dir, "spark://127.0.0.1:" + masterPort, env);
  }

  public String masterUrl() {
    return masterUrl;
  }

  /** The cluster's folder: spark-home/, logs/, work/ (the executors' folders), pids/. */
  public Path dir() {
    return dir;
  }

  /** The worker daemons' processes. */
  public List<ProcessHandle> workers() {
    List<ProcessHandle> out = new ArrayList<>();
    try (Stream<Path> pids = Files.list(dir.resolve("pids"))) {
      for (Path p : pids.filter(f -> f.getFileName().toString().startsWith("worker-")).sorted().toList()) {
        ProcessHandle.of(Long.parseLong(Files.readString(p).trim())).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** The executor JVMs running now: children of the worker daemons. */
  public List<ProcessHandle> executors() {
    List<ProcessHandle> out = new ArrayList<>();
    for (ProcessHandle w : workers()) {
      w.children().filter(ProcessHandle::isAlive)
          .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
          .forEach(out::add);
    }
    return out;
  }

  /** The executor JVMs running now for the driver listening on {@code driverPort}. */
  public List<ProcessHandle> executorsOf(int driverPort) {
    // --driver-url spark://CoarseGrainedScheduler@HOST:PORT (HOST as the driver advertises itself)
    String port = ":" + driverPort;
    return executors().stream().filter(e -> argument(e, "--driver-url").orElse("").endsWith(port)).toList();
  }

  /** The executor id ("0", "1", ...) from an executor JVM's command line. */
  public static Optional<String> executorId(ProcessHandle executor) {
    return argument(executor, "--executor-id");
  }

  /** The application id ("app-20261129010203-0001") from an executor JVM's command line. */
  public static Optional<String> applicationId(ProcessHandle executor) {
    return argument(executor, "--app-id");
  }

  private static Optional<String> argument(ProcessHandle executor, String name) {
    String[] args = executor.info().arguments().orElse(new String[0]);
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Optional.of(args[i + 1]);
      }
    }
    return Optional.empty();
  }

  /** The stderr log of a running executor JVM (work/worker-N/APP/EXEC/stderr), if it has one yet. */
  public Optional<Path> executorLog(ProcessHandle executor) {
    Optional<String> app = applicationId(executor);
    Optional<String> id = executorId(executor);
    if (app.isEmpty() || id.isEmpty()) {
      return Optional.empty();
    }
    try (Stream<Path> workers = Files.list(dir.resolve("work"))) {
      return workers.map(w -> w.resolve(app.get()).resolve(id.get()).resolve("stderr"))
          .filter(Files::isRegularFile).findFirst();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is running this
    }
    Result r = script("stop", env, dir.resolve("stop.log"), 120);
    if (r.code() != 0) {
      throw new AssertionError("scripts/cluster.sh stop failed with exit code " + r.code() + ":\n" + r.output());
    }
  }

  private void stopQuietly() {
    try {
      close();
    } catch (RuntimeException | AssertionError e) {
      System.err.println("could not stop the test cluster in " + dir + ": " + e.getMessage());
    }
  }

  private record Result(int code, String output) {}

  private static Result script(String command, Map<String, String> env, Path log, int timeoutSeconds) {
    Path script = SparkTestSession.projectDir().resolve("scripts/cluster.sh");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), command)
        .directory(SparkTestSession.projectDir().toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("COSINE_AUDIT_CLUSTER_TIMEOUT", Integer.toString(timeoutSeconds - 30));
    try {
      Files.createDirectories(log.getParent());
      pb.redirectOutput(log.toFile());
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(EX_ENVIRONMENT, "scripts/cluster.sh " + command + " did not finish in " + timeoutSeconds
            + " s\n" + new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      Assumptions.abort("cannot bind a port on 127.0.0.1: " + e.getMessage());
      throw new IllegalStateException(e);
    }
  }
}
