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
      if (na != nb) {
        throw new AssertionError("table " + t + " differs: " + na + " rows in " + expected + ", " + nb + " in " + actual
            + "; only in the reference (first 5): " + missing + "; only in the other (first 5): " + extra);
      }
      if (!missing.isEmpty() || !extra.isEmpty()) {
        // Spark ALS sums each item's ratings in shuffle-arrival order, which differs between
        // masters: floating-point columns may differ in the last bits; everything else may not
        double dev = maxFloatingDeviation(t, a, b, missing, extra);
        System.err.println("[RunFolders] table " + t + ": equal within floating-point tolerance, not bit-identical "
            + "(largest relative deviation " + dev + ")");
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
        // a sweep model folder: model.json and committed tables, no manifest of its own
        if (!Files.isRegularFile(dir.resolve("model.json"))) {
          problems.add(dir + ": " + RunOutput.COMPLETE_MARKER + " without " + RunOutput.MANIFEST + " or model.json");
        }
        for (String table : foldersHolding(dir, "_temporary")) {
          problems.add(dir + ": table '" + table + "' is still being written next to " + RunOutput.COMPLETE_MARKER);
        }
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

  /** Relative tolerance for floating-point columns when rows are not bit-identical (see above). */
  public static final double FLOAT_TOLERANCE = 1e-3;

  /**
   * Pairs the rows of two tables by their non-floating-point columns (collected: test tables are
   * small), fails unless those match exactly and every floating-point value (arrays included) is
   * within {@link #FLOAT_TOLERANCE}; returns the largest relative deviation.
   */
  private static double maxFloatingDeviation(String t, Dataset<Row> a, Dataset<Row> b, List<Row> missing,
      List<Row> extra) {
    List<Column> keys = new ArrayList<>();
    for (org.apache.spark.sql.types.StructField f : a.schema().fields()) {
      if (!isFloating(f.dataType())) {
        keys.add(col(f.name()));
      }
    }
    Column[] order = keys.toArray(new Column[0]);
    List<Row> ra = a.orderBy(order).collectAsList();
    List<Row> rb = b.orderBy(order).collectAsList();
    double worst = 0;
    for (int r = 0; r < ra.size(); r++) {
      for (int c = 0; c < a.schema().fields().length; c++) {
        Object x = ra.get(r).get(c);
        Object y = rb.get(r).get(c);
        if (isFloating(a.schema().fields()[c].dataType())) {
          worst = Math.max(worst, deviation(x, y));
        } else if (!java.util.Objects.equals(x, y)) {
          worst = Double.POSITIVE_INFINITY;
        }
      }
    }
    if (!(worst <= FLOAT_TOLERANCE)) {
      throw new AssertionError("table " + t + " differs (largest relative deviation " + worst + "); only in the "
          + "reference (first 5): " + missing + "; only in the other (first 5): " + extra);
    }
    return worst;
  }

  private static boolean isFloating(org.apache.spark.sql.types.DataType t) {
    if (t instanceof org.apache.spark.sql.types.ArrayType at) {
      return isFloating(at.elementType());
    }
    return t instanceof org.apache.spark.sql.types.FloatType || t instanceof org.apache.spark.sql.types.DoubleType;
  }

  private static double deviation(Object x, Object y) {
    if (x == null || y == null) {
      return x == y ? 0 : Double.POSITIVE_INFINITY;
    }
    if (x instanceof scala.collection.Seq<?> sx && y instanceof scala.collection.Seq<?> sy) {
      if (sx.size() != sy.size()) {
        return Double.POSITIVE_INFINITY;
      }
      double w = 0;
      for (int i = 0; i < sx.size(); i++) {
        w = Math.max(w, deviation(sx.apply(i), sy.apply(i)));
      }
      return w;
    }
    double a = ((Number) x).doubleValue();
    double b = ((Number) y).doubleValue();
    if (a == b || (Double.isNaN(a) && Double.isNaN(b))) {
      return 0;
    }
    return Math.abs(a - b) / Math.max(1e-6, Math.max(Math.abs(a), Math.abs(b)));
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
