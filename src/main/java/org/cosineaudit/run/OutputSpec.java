package org.cosineaudit.run;

import org.cosineaudit.io.TableFormat;

/**
 * Where a job writes and what it may do with what is already there.
 *
 * @param path the output directory (any Hadoop path)
 * @param format the table format for everything the run writes
 * @param overwrite replace a non-empty directory
 * @param policy how an existing, non-empty directory is treated without {@code overwrite}
 */
public record OutputSpec(String path, TableFormat format, boolean overwrite, ExistingOutput policy) {

  /** What to do when the output directory already holds something. */
  public enum ExistingOutput {
    /** Refuse (the default for every job): never mix two runs in one folder. */
    REFUSE,
    /** Continue a run with the identical configuration (the sweep); refuse a different one. */
    RESUME_SAME_CONFIG
  }

  public static OutputSpec fresh(String path, TableFormat format, boolean overwrite) {
    return new OutputSpec(path, format, overwrite, ExistingOutput.REFUSE);
  }
}
