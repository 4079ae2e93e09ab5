package org.cosineaudit.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Versions recorded in every manifest: project, Spark, Scala, Java, Hadoop, BLAS, git commit. */
public final class Versions {

  /**
   * Version of the numbers the jobs compute. Bump it with every change that alters results for the
   * same configuration (metrics, splits, neighbour scores, statistics): it is part of every run's
   * result configuration ({@code run-config.json}), so resuming an output written by code with
   * another results version is refused instead of mixing old and new numbers in one run.
   * History: 1, the first release; 2, exact unseen-item evaluation in the sweep (no 1,000-item
   * cap on the seen filter); 3, the audit's norm-cv, hubness skew and Spearman correlation exact to
   * the bit instead of rounded to 12 digits (Spearman also gives ties across partitions their
   * average rank), subnormal vector components stored as signed zeros ({@code BlockScorer#stored}),
   * score-cosine's user Gram matrix merged over a tree of partitions ({@code OrderedMerge}), and
   * centered-cosine's mean summed over a fixed hash partitioning.
   */
  public static final String RESULTS = "3";

  /** Set by submit.sh: the commit of the checkout that built the jar. */
  public static final String GIT_COMMIT_PROPERTY = "cosine.audit.git.commit";

  private Versions() {}

  public static String project() {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("/cosine-audit-build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }

  /** The BLAS implementation netlib picked here (JNIBLAS = native, VectorBLAS/JavaBLAS = Java). */
  public static String blas() {
    try {
      return dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getSimpleName();
    } catch (Throwable t) {
      return "unavailable: " + t.getClass().getSimpleName();
    }
  }

  public static String gitCommit() {
    String prop = System.getProperty(GIT_COMMIT_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return prop;
    }
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "unknown";
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  public static Map<String, String> all(String sparkVersion) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("cosine_audit", project());
    v.put("git_commit", gitCommit());
    v.put("spark", sparkVersion);
    v.put("scala", scala.util.Properties.versionNumberString());
    v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    v.put("hadoop", org.apache.hadoop.util.VersionInfo.getVersion());
    v.put("blas", blas());
    return v;
  }
}
