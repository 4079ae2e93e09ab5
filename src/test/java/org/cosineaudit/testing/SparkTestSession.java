package org.cosineaudit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of the test suite: local[2], UI off, driver on 127.0.0.1, few shuffle
 * partitions. Started on first use (about 6 s) and shared by every test class in the JVM
 * (surefire runs them in one fork); stopped at JVM exit.
 */
public final class SparkTestSession {

  private static SparkSession spark;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    if (spark == null) {
      spark = SparkSession.builder()
          .master("local[2]")
          .appName("cosine-audit-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.default.parallelism", "4")
          .config("spark.ui.showConsoleProgress", "false")
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
    }
    return spark;
  }

  /** The repository root (tests run with it as the working directory). */
  public static Path projectDir() {
    String p = System.getProperty("cosine.audit.project.dir");
    return p != null ? Path.of(p) : Path.of("").toAbsolutePath();
  }

  /** {@code ../shared/data} next to the repository, where the licensed real datasets live. */
  public static Path sharedData() {
    return projectDir().resolve("../shared/data").normalize();
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
