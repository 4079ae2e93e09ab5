package org.cosineaudit.run;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of long work on the console: "stage: 12/40 block pairs (30%), 1m02s elapsed, ETA 2m25s".
 * Logs at most every {@code interval} seconds (and at the end) so long runs don't flood the log.
 * Thread-safe.
 */
public final class Progress {

  private static final Logger LOG = LoggerFactory.getLogger("org.cosineaudit.progress");

  private final String stage;
  private final long total;
  private final String unit;
  private final long intervalNanos;
  private final long start = System.nanoTime();
  /** Work done before this run (a resumed job): counted as done, but not in the ETA's rate. */
  private final long before;
  private long done;
  private long lastLog = start;

  public Progress(String stage, long total, String unit, double intervalSeconds) {
    this(stage, total, unit, intervalSeconds, 0);
  }

  private Progress(String stage, long total, String unit, double intervalSeconds, long before) {
    this.stage = stage;
    this.total = total;
    this.unit = unit;
    this.intervalNanos = (long) (intervalSeconds * 1e9);
    this.before = before;
    this.done = before;
  }

  public static Progress start(String stage, long total, String unit) {
    return start(stage, total, unit, 0);
  }

  /**
   * Progress of work of which {@code before} units were done by an earlier run: "3/5 models" counts
   * them, the ETA only follows this run's pace.
   */
  public static Progress start(String stage, long total, String unit, long before) {
    Progress p = new Progress(stage, total, unit, 10, before);
    LOG.info(p.line(before > 0 ? before + " done by an earlier run" : null));
    return p;
  }

  /** Adds {@code n} units of finished work; logs when the interval passed or all is done. */
  public synchronized void advance(long n, String detail) {
    done += n;
    long now = System.nanoTime();
    if (done >= total || now - lastLog >= intervalNanos) {
      lastLog = now;
      LOG.info(line(detail));
    }
  }

  public void advance(long n) {
    advance(n, null);
  }

  public synchronized long done() {
    return done;
  }

  synchronized String line(String detail) {
    double elapsed = (System.nanoTime() - start) / 1e9;
    StringBuilder sb = new StringBuilder();
    sb.append(stage).append(": ").append(done).append('/').append(total).append(' ').append(unit);
    if (total > 0) {
      sb.append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total));
    }
    sb.append(", ").append(duration(elapsed)).append(" elapsed");
    if (done > before && done < total) {
      sb.append(", ETA ").append(duration(elapsed / (done - before) * (total - done)));
    }
    if (detail != null) {
      sb.append(" - ").append(detail);
    }
    return sb.toString();
  }

  /** "2.3s", "1m02s", "1h05m". */
  public static String duration(double seconds) {
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1fs", seconds);
    }
    long s = Math.round(seconds);
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
