package org.cosineaudit.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of a benchmark's own JVM ({@code bench/*.sh}): no UI, no console progress bar,
 * bound to 127.0.0.1, a fixed number of shuffle partitions. Tests use {@link SparkTestSession}.
 */
public final class BenchmarkSession {

  private BenchmarkSession() {}

  /** A comma-separated list of integers; empty or "none" gives an empty list. */
  public static List<Integer> ints(String v) {
    List<Integer> out = new ArrayList<>();
    if (!v.isBlank() && !v.equals("none")) {
      for (String s : v.split(",")) {
        out.add(Integer.parseInt(s.trim()));
      }
    }
    return out;
  }

  public static SparkSession start(String app, String master, int shufflePartitions) {
    return SparkSession.builder().master(master).appName(app)
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", Integer.toString(shufflePartitions))
        .config("spark.ui.showConsoleProgress", "false").getOrCreate();
  }
}
