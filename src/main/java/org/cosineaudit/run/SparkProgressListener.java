package org.cosineaudit.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of long Spark work on the console, for every job without job code: a listener
 * that tracks active stages ({@link StageProgress}) and a daemon timer that logs, every
 * {@value #DEFAULT_INTERVAL_SECONDS} s, each stage that has run at least that long:
 * <pre>spark stage 14 (collect at BlockedTopK.java:88) [job 6, stage 2 of 2]: 37/200 tasks (18%), 45.0s elapsed, ETA 3m18s</pre>
 * Short stages never appear, so the log is not flooded. Driver-side loops (models of a
 * sweep) report with {@link Progress}; this covers what happens inside one Spark job.
 *
 * <p>Interval: Spark setting {@value #INTERVAL_CONF} in seconds (e.g.
 * {@code ./submit.sh --conf spark.cosineaudit.progress.interval=5 ...}); 0 turns it off.
 * The CLI registers it for every job ({@link #register(SparkSession)}); it stops with the
 * application.
 */
public final class SparkProgressListener extends SparkListener implements AutoCloseable {

  public static final String INTERVAL_CONF = "spark.cosineaudit.progress.interval";
  public static final double DEFAULT_INTERVAL_SECONDS = 15;

  private static final Logger LOG = LoggerFactory.getLogger("org.cosineaudit.progress");

  private final StageProgress progress;
  private final Consumer<String> sink;
  private final ScheduledExecutorService timer;

  /**
   * @param intervalSeconds how often to log, and how long a stage must run before it is logged
   * @param sink where lines go (the progress logger in production, a list in tests)
   */
  public SparkProgressListener(double intervalSeconds, Consumer<String> sink) {
    if (!(intervalSeconds > 0)) {
      throw new IllegalArgumentException("progress interval must be > 0 seconds, got " + intervalSeconds);
    }
    long nanos = (long) (intervalSeconds * 1e9);
    this.progress = new StageProgress(nanos);
    this.sink = sink;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cosine-audit-progress");
      t.setDaemon(true); // never keeps the JVM alive
      return t;
    });
    timer.scheduleAtFixedRate(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Registers a listener on the session's context with the interval from {@value #INTERVAL_CONF};
   * returns null when the interval is 0 (off).
   */
  public static SparkProgressListener register(SparkSession spark) {
    String v = spark.sparkContext().getConf().get(INTERVAL_CONF, Double.toString(DEFAULT_INTERVAL_SECONDS));
    double seconds;
    try {
      seconds = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new org.cosineaudit.config.ConfigException("invalid value for '" + INTERVAL_CONF + "': '" + v
          + "'; expected seconds >= 0 (0 turns progress off)");
    }
    if (seconds <= 0) {
      return null;
    }
    SparkProgressListener l = new SparkProgressListener(seconds, LOG::info);
    spark.sparkContext().addSparkListener(l);
    return l;
  }

  /** Logs the stages running long enough; called by the timer. */
  void tick() {
    try {
      for (String line : progress.report(System.nanoTime())) {
        sink.accept(line);
      }
    } catch (RuntimeException e) {
      LOG.debug("progress report failed", e); // progress must never break a job
    }
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    List<Integer> ids = new ArrayList<>();
    for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(e.stageIds())) {
      ids.add((Integer) id);
    }
    String description = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
    String scope = e.properties() == null ? null : e.properties().getProperty("spark.rdd.scope");
    progress.jobStarted(e.jobId(), ids, description, operation(scope));
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd e) {
    progress.jobEnded(e.jobId());
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    progress.stageSubmitted(e.stageInfo().stageId(), stageName(e.stageInfo().name(), e.stageInfo().details()),
        e.stageInfo().numTasks(), System.nanoTime());
  }

  private static final java.util.regex.Pattern SCOPE_NAME = java.util.regex.Pattern.compile("\"name\":\"([^\"]*)\"");

  /** The operator of a job's RDD scope ({"id":"3","name":"Exchange"} -> Exchange), or null. */
  static String operation(String scope) {
    if (scope == null) {
      return null;
    }
    java.util.regex.Matcher m = SCOPE_NAME.matcher(scope);
    return m.find() ? m.group(1) : null;
  }

  /**
   * A readable stage name. Spark names a stage by its call site, which for Dataset actions run
   * through adaptive execution is a thread-pool frame ("$anonfun$withThreadLocalCaptured$1 at
   * CompletableFuture.java:1768"); the first project frame of the stage's call stack says more.
   */
  static String stageName(String name, String details) {
    if (details != null) {
      for (String line : details.split("\n")) {
        String l = line.trim();
        if (l.startsWith("org.cosineaudit.") && !l.startsWith("org.cosineaudit.run.SparkProgressListener")) {
          int paren = l.indexOf('(');
          String method = paren > 0 ? l.substring(0, paren) : l;
          String[] parts = method.split("\\.");
          String where = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : method;
          String file = paren > 0 && l.endsWith(")") ? l.substring(paren + 1, l.length() - 1) : "";
          String action = name == null || name.contains("withThreadLocalCaptured") ? "" : name.split(" at ")[0] + " in ";
          return action + where + (file.isEmpty() ? "" : " (" + file + ")");
        }
      }
    }
    return name;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    if (e.taskInfo() != null && e.taskInfo().successful()) {
      progress.taskSucceeded(e.stageId());
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted e) {
    progress.stageCompleted(e.stageInfo().stageId());
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd e) {
    close();
  }

  /** Stops the timer (the listener stays registered but silent). */
  @Override
  public void close() {
    timer.shutdownNow();
  }
}
