package org.cosineaudit.run;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.hadoop.fs.Path;
import org.cosineaudit.io.TableFormat;

/**
 * Where a job writes and what it may do with what is already there.
 *
 * @param path the output directory (any Hadoop path)
 * @param format the table format for everything the run writes
 * @param overwrite replace a non-empty directory
 * @param policy how an existing, non-empty directory is treated without {@code overwrite}
 * @param latestPointer a text file that, once the run completed, names the run's folder (its last
 *     path element) so the newest finished run is easy to find; {@code null} for none. Used by
 *     {@link #dated} outputs: {@code BASE/LATEST} names the newest complete {@code BASE/<time>/}.
 */
public record OutputSpec(String path, TableFormat format, boolean overwrite, ExistingOutput policy,
    String latestPointer) {

  /** The name of the pointer file of {@link #dated} outputs, next to the dated folders. */
  public static final String LATEST = "LATEST";

  /** Folder names of dated runs: UTC, second resolution, sortable as text, no ':' (bad on HDFS/S3). */
  static final DateTimeFormatter RUN_FOLDER = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'")
      .withZone(ZoneOffset.UTC);

  public OutputSpec(String path, TableFormat format, boolean overwrite, ExistingOutput policy) {
    this(path, format, overwrite, policy, null);
  }

  /** What to do when the output directory already holds something. */
  public enum ExistingOutput {
    /** Refuse (the default for every job): never mix two runs in one folder. */
    REFUSE,
    /** Continue a run with the identical configuration (the sweep); refuse a different one. */
    RESUME_SAME_CONFIG,
    /**
     * Render again into the same folder, which belongs to another run ({@code RUN/report}): the job
     * replaces its own files and leaves the rest; nothing is deleted here, and no --overwrite is needed.
     */
    RENDER_IN_PLACE
  }

  public static OutputSpec fresh(String path, TableFormat format, boolean overwrite) {
    return new OutputSpec(path, format, overwrite, ExistingOutput.REFUSE);
  }

  /**
   * A run of a scheduled job that keeps its history: it writes to its own folder
   * {@code base/2026-11-29T01-02-03Z/} (the start time, UTC) and never replaces an earlier
   * run; {@code base/LATEST} is updated after the run completed. Two runs started in the same
   * second: the second is refused (its folder exists), never mixed into the first.
   */
  public static OutputSpec dated(String base, TableFormat format, Instant startedAt) {
    String folder = RUN_FOLDER.format(startedAt);
    return new OutputSpec(new Path(base, folder).toString(), format, false, ExistingOutput.REFUSE,
        new Path(base, LATEST).toString());
  }
}
