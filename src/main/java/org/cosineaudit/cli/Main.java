package org.cosineaudit.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.ConfigResolver;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.Versions;
import org.cosineaudit.run.ExitCode;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.run.SparkProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point for spark-submit: parses, validates, dispatches; nothing else.
 * Exit codes: see {@link ExitCode}.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    SparkSession[] created = new SparkSession[1];
    int code = run(args, System.out, System.err, () -> {
      // the master comes from spark-submit; never hard-coded here
      created[0] = SparkSession.builder().appName("cosine-audit " + (args.length > 0 ? args[0] : "")).getOrCreate();
      // Spark's 200 shuffle partitions are tiny tasks on small data; follow the cores unless the user set it
      if (!created[0].sparkContext().getConf().contains("spark.sql.shuffle.partitions")) {
        int partitions = Math.max(4, 2 * created[0].sparkContext().defaultParallelism());
        created[0].conf().set("spark.sql.shuffle.partitions", Integer.toString(partitions));
      }
      return created[0];
    });
    if (created[0] != null) {
      created[0].stop();
    }
    System.exit(code);
  }

  /**
   * Runs a command line and returns the exit code; never exits and never stops the session.
   *
   * @param sessions called once, after the configuration validated, to get the SparkSession
   *     (tests pass the shared test session)
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Supplier<SparkSession> sessions) {
    if (args.length == 0) {
      err.println("error: no job given");
      err.print(Usage.jobs(Jobs.ALL));
      return ExitCode.USAGE_OR_INPUT.code();
    }
    if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(Usage.jobs(Jobs.ALL));
      return ExitCode.OK.code();
    }
    if (args[0].equals("--write-conf") && args.length == 2) {
      // developer tool: regenerate conf/*.properties from the declared options
      for (Job<?> j : Jobs.ALL) {
        try {
          java.nio.file.Files.writeString(Path.of(args[1], j.name() + ".properties"), Usage.confFile(j));
        } catch (java.io.IOException e) {
          err.println("error: " + e.getMessage());
          return ExitCode.FAILED.code();
        }
      }
      return ExitCode.OK.code();
    }
    Job<?> job = Jobs.find(args[0]).orElse(null);
    if (job == null) {
      err.println("error: unknown job '" + args[0] + "'");
      err.print(Usage.jobs(Jobs.ALL));
      return ExitCode.USAGE_OR_INPUT.code();
    }
    return runJob(job, Arrays.asList(args).subList(1, args.length), out, err, sessions);
  }

  private static <C> int runJob(Job<C> job, List<String> args, PrintStream out, PrintStream err,
      Supplier<SparkSession> sessions) {
    C config;
    OutputSpec outputSpec;
    Settings settings;
    try {
      Arguments parsed = Arguments.parse(job.name(), job.options(), args);
      if (parsed.help()) {
        out.print(Usage.job(job));
        return ExitCode.OK.code();
      }
      settings = ConfigResolver.resolve(job.name(), job.options(), parsed.values(),
          parsed.configFile() == null ? null : Path.of(parsed.configFile()), ConfigResolver.defaultConfDir());
      config = job.configure(settings);
      outputSpec = job.output(config);
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      err.print(Usage.job(job));
      return ExitCode.USAGE_OR_INPUT.code();
    }

    SparkSession spark = sessions.get();
    RunOutput output = null;
    SparkProgressListener progress = null;
    try {
      // throttled "stage: tasks done/total, ETA" lines for long Spark stages
      progress = SparkProgressListener.register(spark);
      RunOutput.requireInputs(spark, settings);
      output = RunOutput.open(spark, job.name(), settings, outputSpec, resultConfig(settings));
      LOG.info("{}: writing to {}", job.name(), output.root());
      Outcome outcome = job.run(spark, config, output);
      output.complete(outcome);
      for (String line : outcome.lines()) {
        out.println(line);
      }
      out.println(job.name() + ": " + outcome.status() + "; outputs in " + output.root());
      return outcome.exitCode().code();
    } catch (Throwable t) {
      RuntimeException known = userFacing(t);
      String message = known != null ? known.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
      if (output != null) {
        output.fail(message);
      }
      err.println("error: " + message);
      if (known == null) {
        LOG.error("unexpected failure of job {}", job.name(), t);
        return ExitCode.FAILED.code();
      }
      LOG.debug("input error", t);
      return ExitCode.USAGE_OR_INPUT.code();
    } finally {
      if (progress != null) {
        // the session may outlive this run (tests share one)
        spark.sparkContext().removeSparkListener(progress);
        progress.close();
      }
    }
  }

  /**
   * Input and configuration errors, also when they were thrown on an executor and wrapped; and a
   * path whose file system has no implementation here (s3a:// without its connector), which is
   * the user's setup to fix, not a failure of the job.
   */
  static RuntimeException userFacing(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof InputException || c instanceof ConfigException) {
        return (RuntimeException) c;
      }
      if (c instanceof org.apache.hadoop.fs.UnsupportedFileSystemException
          || (c instanceof ClassNotFoundException && String.valueOf(c.getMessage()).contains("FileSystem"))) {
        return new InputException("no file system for a path of this run here (" + c.getMessage() + "): put its "
            + "connector on the classpath, e.g. --packages org.apache.hadoop:hadoop-aws:" + org.apache.hadoop.util.VersionInfo.getVersion()
            + " for s3a://, or copy the data to a path this cluster reads", c);
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /** Key of {@link Versions#RESULTS} in the result configuration. */
  public static final String RESULTS_VERSION = "results-version";

  /**
   * The settings that decide results; a resumed run must match them exactly. Left out: where and
   * how the work runs (output, overwrite, parallelism, checkpoints, ALS's storage level), which
   * gives the same numbers either way.
   */
  public static Map<String, String> resultConfig(Settings settings) {
    Map<String, String> m = new LinkedHashMap<>(settings.values());
    m.keySet().removeAll(List.of("overwrite", "parallelism", "output", "checkpoint-dir", "checkpoint-interval",
        "storage-level"));
    m.put(RESULTS_VERSION, Versions.RESULTS);
    return m;
  }
}
