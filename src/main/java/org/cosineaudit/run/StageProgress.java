package org.cosineaudit.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What Spark is doing now, kept from listener events: active stages with their tasks done
 * out of total. Plain Java and thread-safe (events arrive on Spark's listener thread, reports
 * are asked for by a timer). Time is passed in, so the logic is testable without waiting.
 *
 * <p>Only stages that have run for at least {@code minAgeNanos} are reported: short stages,
 * which are most of them, never reach the log.
 */
public final class StageProgress {

  /** Stages listed per report at most; the rest are counted. */
  static final int MAX_LINES = 4;

  private record Job(int id, int stages, String description, String operation) {}

  private static final class Stage {
    final int id;
    final String name;
    final int total;
    final long start;
    int done;
    Job job;
    int position;

    Stage(int id, String name, int total, long start) {
      this.id = id;
      this.name = name;
      this.total = total;
      this.start = start;
    }
  }

  private final long minAgeNanos;
  private final Map<Integer, Stage> active = new TreeMap<>();
  private final Map<Integer, Job> jobOfStage = new TreeMap<>();
  private final Map<Integer, Integer> positionOfStage = new TreeMap<>();

  public StageProgress(long minAgeNanos) {
    this.minAgeNanos = minAgeNanos;
  }

  /**
   * A job and the ids of its stages (in order).
   *
   * @param description the job description (set by {@code RunOutput.stage}), or null
   * @param operation the SQL operator that started it ("Exchange", "collect"), or null; names
   *     stages whose own name is only a thread-pool call site
   */
  public synchronized void jobStarted(int jobId, List<Integer> stageIds, String description, String operation) {
    Job j = new Job(jobId, stageIds.size(), description, operation);
    for (int i = 0; i < stageIds.size(); i++) {
      jobOfStage.put(stageIds.get(i), j);
      positionOfStage.put(stageIds.get(i), i + 1);
    }
  }

  public synchronized void jobEnded(int jobId) {
    jobOfStage.values().removeIf(j -> j.id() == jobId);
    positionOfStage.keySet().retainAll(jobOfStage.keySet());
  }

  public synchronized void stageSubmitted(int stageId, String name, int tasks, long now) {
    Job job = jobOfStage.get(stageId);
    boolean poolFrame = name == null || name.contains("withThreadLocalCaptured");
    String readable = poolFrame ? (job != null && job.operation() != null ? job.operation() : "query stage") : name;
    Stage s = new Stage(stageId, readable, tasks, now);
    s.job = job;
    s.position = positionOfStage.getOrDefault(stageId, 0);
    active.put(stageId, s);
  }

  /** A task of the stage finished successfully. */
  public synchronized void taskSucceeded(int stageId) {
    Stage s = active.get(stageId);
    if (s != null && s.done < s.total) {
      s.done++; // speculative copies never push it past the total
    }
  }

  public synchronized void stageCompleted(int stageId) {
    active.remove(stageId);
  }

  public synchronized int activeStages() {
    return active.size();
  }

  /** One line per stage running for at least the minimum age; empty when there is none. */
  public synchronized List<String> report(long now) {
    List<String> lines = new ArrayList<>();
    int skipped = 0;
    for (Stage s : active.values()) {
      if (now - s.start < minAgeNanos) {
        continue;
      }
      if (lines.size() >= MAX_LINES) {
        skipped++;
        continue;
      }
      lines.add(line(s, now));
    }
    if (skipped > 0) {
      lines.add("... and " + skipped + " more running Spark stages");
    }
    return lines;
  }

  private static String line(Stage s, long now) {
    double elapsed = (now - s.start) / 1e9;
    StringBuilder sb = new StringBuilder("spark stage ").append(s.id).append(" (").append(s.name).append(')');
    if (s.job != null) {
      sb.append(" [job ").append(s.job.id());
      if (s.position > 0 && s.job.stages() > 1) {
        sb.append(", stage ").append(s.position).append(" of ").append(s.job.stages());
      }
      if (s.job.description() != null && !s.job.description().isBlank()) {
        sb.append(": ").append(s.job.description());
      }
      sb.append(']');
    }
    sb.append(": ").append(s.done).append('/').append(s.total).append(" tasks");
    if (s.total > 0) {
      sb.append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * s.done / s.total));
    }
    sb.append(", ").append(Progress.duration(elapsed)).append(" elapsed");
    if (s.done > 0 && s.done < s.total) {
      sb.append(", ETA ").append(Progress.duration(elapsed / s.done * (s.total - s.done)));
    } else if (s.done == 0) {
      sb.append(", no task finished yet");
    }
    return sb.toString();
  }
}
