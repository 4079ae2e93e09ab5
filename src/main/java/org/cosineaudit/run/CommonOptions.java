package org.cosineaudit.run;

import java.util.ArrayList;
import java.util.List;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.TableFormat;

/** The options every job that writes has: {@code --output}, {@code --format}, {@code --overwrite}. */
public final class CommonOptions {

  public static final String OUTPUT = "output";
  public static final String FORMAT = "format";
  public static final String OVERWRITE = "overwrite";

  private CommonOptions() {}

  /** The common options, with the job's default output directory, followed by the job's own. */
  public static List<OptionSpec> with(String defaultOutput, List<OptionSpec> own) {
    List<OptionSpec> all = new ArrayList<>(own);
    all.add(OptionSpec.path(OUTPUT, defaultOutput, "output directory (local path, hdfs://, s3a://)"));
    all.add(OptionSpec.choice(FORMAT, "parquet", TableFormat.NAMES, "table format of every output table"));
    all.add(OptionSpec.flag(OVERWRITE, "replace a non-empty output directory"));
    return List.copyOf(all);
  }

  /**
   * The output options of a job whose runs each get a dated folder under {@code --output}
   * ({@link OutputSpec#dated}): {@code --output} and {@code --format}; no {@code --overwrite},
   * since such runs never replace one another.
   */
  public static List<OptionSpec> withDatedOutput(String defaultOutput, List<OptionSpec> own) {
    List<OptionSpec> all = new ArrayList<>(own);
    all.add(OptionSpec.path(OUTPUT, defaultOutput,
        "base directory; each run writes to its own dated folder under it and updates LATEST"));
    all.add(OptionSpec.choice(FORMAT, "parquet", TableFormat.NAMES, "table format of every output table"));
    return List.copyOf(all);
  }

  /** The dated output of settings that include {@link #withDatedOutput}. */
  public static OutputSpec datedOutputSpec(Settings s, java.time.Instant startedAt) {
    return OutputSpec.dated(s.string(OUTPUT), TableFormat.parse(s.string(FORMAT)), startedAt);
  }

  public static OutputSpec outputSpec(Settings s) {
    return OutputSpec.fresh(s.string(OUTPUT), TableFormat.parse(s.string(FORMAT)), s.flag(OVERWRITE));
  }
}
