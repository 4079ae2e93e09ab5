package org.cosineaudit.testing;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.RunOutput;

/**
 * Checks on run folders written by separate driver JVMs (local or on a cluster): which tables
 * and complete runs they hold, whether two runs hold the same rows, and whether any folder
 * claims to be complete while it is not.
 */
public final class RunFolders {

  /** Spark's marker of a committed table folder. */
  public static final String SPARK_SUCCESS = "_SUCCESS";

  private RunFolders() {}

  /** Relative paths of committed tables (folders holding Spark's {@code _SUCCESS}), sorted. */
  public static SortedSet<String> tables(Path root) {
    return foldersHolding(root, SPARK_SUCCESS);
  }

  /** Relative paths of folders marked complete ({@code _COMPLETE}), "" for the root itself. */
  public static SortedSet<String> completeRuns(Path root) {
    return foldersHolding(root, RunOutput.COMPLETE_MARKER);
  }

  /**
   * Fails unless {@code actual} holds exactly the committed tables and complete runs of
   * {@code expected}, each table with exactly the same rows (as a multiset; row order and file
   * layout may differ between masters).
   *
   * @param ignoredColumns columns that legitimately differ between runs (wall-clock timings)
   */
  public static void assertSameTables(SparkSession spark, Path expected, Path actual, Set<String> ignoredColumns) {
    SortedSet<String> want = tables(expected);
    if (want.isEmpty()) {
      throw new AssertionError("the reference run " + expected + " holds no tables");
    }
    assertEquals(want, tables(actual), "tables of " + actual + " vs " + expected);
    assertEquals(completeRuns(expected), completeRuns(actual), "complete runs of " + actual + " vs " + expected);
    for (String t : want) {
      Dataset<Row> a = comparable(Tables.read(spark, expected.resolve(t).toString()), ignoredColumns);
      Dataset<Row> b = comparable(Tables.read(spark, actual.resolve(t).toString()), ignoredColumns);
      assertEquals(a.schema().simpleString(), b.schema().simpleString(), "schema of table " + t);
      long na = a.count();
      long nb = b.count();
      List<Row> missing = a.exceptAll(b).limit(5).collectAsList();
      List<Row> extra = b.exceptAll(a).limit(5).collectAsList();
      if (na != nb || !missing.isEmpty() || !extra.isEmpty()) {
        throw new AssertionError("table " + t + " differs: " + na + " rows in " + expected + ", " + nb + " in " + actual
            + "; only in the reference (first 5): " + missing + "; only in the other (first 5): " + extra);
      }
    }
  }

  /**
   * Folders under {@code root} that carry {@code _COMPLETE} but are not a finished run: no
   * manifest, a manifest whose outcome is still "running" or "failed", or a table the manifest
   * lists that Spark has not committed. Empty when every marker tells the truth.
   */
  public static List<String> falselyComplete(Path root) {
    List<String> problems = new ArrayList<>();
    for (String run : completeRuns(root)) {
      Path dir = run.isEmpty() ? root : root.resolve(run);
      Path manifest = dir.resolve(RunOutput.MANIFEST);
      if (!Files.isRegularFile(manifest)) {
        problems.add(dir + ": " + RunOutput.COMPLETE_MARKER + " without " + RunOutput.MANIFEST);
        continue;
      }
      JsonNode m;
      try {
        m = Manifest.JSON.readTree(manifest.toFile());
      } catch (IOException e) {
        problems.add(manifest + ": unreadable next to " + RunOutput.COMPLETE_MARKER + ": " + e.getMessage());
        continue;
      }
      String outcome = m.path("outcome").asText();
      if (outcome.equals("running") || outcome.equals("failed")) {
        problems.add(manifest + ": outcome '" + outcome + "' next to " + RunOutput.COMPLETE_MARKER);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = m.path("outputs").fields(); it.hasNext(); ) {
        String table = it.next().getKey();
        if (!Files.isRegularFile(dir.resolve(table).resolve(SPARK_SUCCESS))) {
          problems.add(dir + ": table '" + table + "' in the manifest is not committed (no " + SPARK_SUCCESS + ")");
        }
      }
    }
    return problems;
  }

  /** Sorted columns without the ignored ones, so that tables compare by content only. */
  private static Dataset<Row> comparable(Dataset<Row> t, Set<String> ignoredColumns) {
    List<Column> cols = new ArrayList<>();
    for (String c : new TreeSet<>(List.of(t.columns()))) {
      if (!ignoredColumns.contains(c)) {
        cols.add(col(c));
      }
    }
    return t.select(cols.toArray(new Column[0]));
  }

  private static SortedSet<String> foldersHolding(Path root, String marker) {
    for (int attempt = 1; ; attempt++) {
      SortedSet<String> out = new TreeSet<>();
      if (!Files.isDirectory(root)) {
        return out;
      }
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(f -> f.getFileName().toString().equals(marker))
            .forEach(f -> out.add(root.relativize(f.getParent()).toString()));
        return out;
      } catch (IOException | java.io.UncheckedIOException e) {
        // a running job deleted a folder while we walked (Spark's _temporary): list again
        if (attempt == 20) {
          throw new IllegalStateException("cannot list " + root + ": " + e.getMessage(), e);
        }
      }
    }
  }

  /**
   * Watches a run folder while a job writes into it: every 200 ms, every {@code _COMPLETE} in
   * it must tell the truth ({@link #falselyComplete}). Close it when the job is over and assert
   * that {@link #problems()} is empty.
   */
  public static final class Watch implements AutoCloseable {
    private final Path root;
    private final Set<String> problems = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int polls;

    public Watch(Path root) {
      this.root = root;
      this.thread = new Thread(this::poll, "watch-" + root.getFileName());
      thread.setDaemon(true);
      thread.start();
    }

    private void poll() {
      while (running) {
        try {
          problems.addAll(falselyComplete(root));
        } catch (RuntimeException e) {
          // the folder changed under us mid-check (a manifest being replaced): check again
        }
        polls++;
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** What was seen, in the order seen. */
    public List<String> problems() {
      synchronized (problems) {
        return new ArrayList<>(problems);
      }
    }

    /** How often the folder was checked (a watch that never polled proves nothing). */
    public int polls() {
      return polls;
    }

    @Override
    public void close() {
      running = false;
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      problems.addAll(falselyComplete(root));
    }
  }

  private static void assertEquals(Object want, Object got, String what) {
    if (!want.equals(got)) {
      throw new AssertionError(what + ": expected " + want + " but was " + got);
    }
  }
}
