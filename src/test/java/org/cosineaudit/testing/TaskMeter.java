package org.cosineaudit.testing;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Sums of Spark task metrics over a stretch of work, for benchmarks: task (executor run) time,
 * task CPU time and shuffle bytes written. On a machine whose speed drifts, task CPU time is
 * steadier than wall time.
 */
public final class TaskMeter {

  /** Totals since the meter was attached; subtract two readings for the work in between. */
  public record Reading(long runMillis, long cpuNanos, long shuffleBytes) {
    public double taskSeconds() {
      return runMillis / 1e3;
    }

    public double cpuSeconds() {
      return cpuNanos / 1e9;
    }

    public double shuffleMegabytes() {
      return shuffleBytes / 1e6;
    }

    public Reading minus(Reading earlier) {
      return new Reading(runMillis - earlier.runMillis, cpuNanos - earlier.cpuNanos,
          shuffleBytes - earlier.shuffleBytes);
    }
  }

  private final SparkSession spark;
  private final AtomicLong runMillis = new AtomicLong();
  private final AtomicLong cpuNanos = new AtomicLong();
  private final AtomicLong shuffleBytes = new AtomicLong();

  private TaskMeter(SparkSession spark) {
    this.spark = spark;
  }

  /** A meter counting every task that ends from now on. */
  public static TaskMeter attach(SparkSession spark) {
    TaskMeter meter = new TaskMeter(spark);
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          meter.runMillis.addAndGet(end.taskMetrics().executorRunTime());
          meter.cpuNanos.addAndGet(end.taskMetrics().executorCpuTime());
          meter.shuffleBytes.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
        }
      }
    });
    return meter;
  }

  /** The totals so far, after every event already posted has been counted. */
  public Reading read() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain", e);
    }
    return new Reading(runMillis.get(), cpuNanos.get(), shuffleBytes.get());
  }
}
