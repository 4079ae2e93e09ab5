package org.cosineaudit.run;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;

/**
 * A batch job of cosine-audit. The CLI resolves the job's options, calls {@link #configure}
 * to build and validate its typed, immutable configuration (no Spark yet), opens the
 * output, then calls {@link #run}. Jobs never create or stop sessions.
 *
 * @param <C> the job's configuration record
 */
public interface Job<C> {

  /** The name used on the command line, e.g. {@code ingest}. */
  String name();

  /** One line for {@code --help}. */
  String summary();

  /** Every option with its default; the job's file in {@code conf/} documents the same keys. */
  List<OptionSpec> options();

  /** Builds the typed configuration; throws {@link org.cosineaudit.config.ConfigException} on bad values. */
  C configure(Settings settings);

  /** Where and how the run writes. */
  OutputSpec output(C config);

  /** Runs the job; everything it writes goes through {@code out}. */
  Outcome run(SparkSession spark, C config, RunOutput out) throws Exception;
}
