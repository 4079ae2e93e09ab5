package org.cosineaudit.run;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.Fingerprint;
import org.cosineaudit.io.Manifest;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.io.Tables;
import org.cosineaudit.io.Versions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output directory of one run, on any Hadoop file system.
 *
 * <p>Commit protocol: a run writes its tables and files, then {@code manifest.json}, then the
 * empty marker {@value #COMPLETE_MARKER}, last. A directory without the marker is not a
 * finished run, whatever else it holds: an interrupted run never looks complete.
 * A non-empty directory is refused unless {@code --overwrite} (or, for the sweep, resumed
 * when its configuration is identical).
 */
public final class RunOutput {

  public static final String COMPLETE_MARKER = "_COMPLETE";
  public static final String MANIFEST = "manifest.json";
  /** The result-relevant configuration, compared when a run resumes. */
  public static final String RUN_CONFIG = "run-config.json";
  /**
   * The inputs' content hashes ({@code sha256 TAB role TAB path} per line), written as each input
   * is recorded and compared when a run resumes: the same options over changed files would mix
   * results from two inputs in one run.
   */
  public static final String RUN_INPUTS = "run-inputs.tsv";

  private static final Logger LOG = LoggerFactory.getLogger(RunOutput.class);

  private final SparkSession spark;
  private final FileSystem fs;
  private final Path root;
  private final TableFormat format;
  private final Manifest manifest;
  private final boolean resumed;
  private final Path latestPointer;

  private RunOutput(SparkSession spark, FileSystem fs, Path root, TableFormat format, Manifest manifest, boolean resumed,
      Path latestPointer) {
    this.spark = spark;
    this.fs = fs;
    this.root = root;
    this.format = format;
    this.manifest = manifest;
    this.resumed = resumed;
    this.latestPointer = latestPointer;
  }

  /**
   * Opens (creates) the output directory of a run.
   *
   * @param resultConfig the settings that determine results (compared on resume); usually
   *     the job's settings without operational keys like {@code overwrite} or {@code parallelism}
   */
  public static RunOutput open(SparkSession spark, String job, Settings settings, OutputSpec spec,
      Map<String, String> resultConfig) {
    try {
      Path root = new Path(spec.path());
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      boolean resumed = false;
      String configJson = Manifest.JSON.writeValueAsString(new TreeMap<>(resultConfig));
      if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
        throw new InputException("output " + root + " is a file; give a directory for --output");
      }
      checkApartFromInputs(spark, fs.makeQualified(root), settings);
      if (fs.exists(root) && fs.listStatus(root).length > 0) {
        if (spec.overwrite()) {
          // only what this tool wrote: a mistyped --output must not cost a folder of other files
          if (!fs.exists(new Path(root, RUN_CONFIG)) && !fs.exists(new Path(root, MANIFEST))) {
            throw new InputException("output directory " + root + " is not empty and holds no run of this tool (no "
                + RUN_CONFIG + " or " + MANIFEST + "), so --overwrite does not delete it; choose another --output, "
                + "or empty that folder yourself");
          }
          LOG.info("--overwrite: deleting the previous contents of {}", root);
          fs.delete(root, true);
        } else if (spec.policy() == OutputSpec.ExistingOutput.RENDER_IN_PLACE) {
          // not complete again until this rendering finishes
          fs.delete(new Path(root, COMPLETE_MARKER), false);
          LOG.info("rendering again into {}", root);
        } else if (spec.policy() == OutputSpec.ExistingOutput.RESUME_SAME_CONFIG) {
          String previous = readString(fs, new Path(root, RUN_CONFIG));
          if (!configJson.equals(previous)) {
            throw new InputException("output directory " + root + " holds a run with a different configuration ("
                + differences(previous, resultConfig) + "; see " + new Path(root, RUN_CONFIG)
                + "); use another --output, or pass --overwrite to replace it");
          }
          // before anything is touched: a refused rerun leaves a finished run as it was
          checkInputsUnchanged(fs, root, spark.sparkContext().hadoopConfiguration());
          resumed = true;
          // the run is not complete again until this attempt finishes
          fs.delete(new Path(root, COMPLETE_MARKER), false);
          LOG.info("resuming the run in {} (same configuration)", root);
        } else {
          throw new InputException("output directory " + root + " is not empty; choose another --output or pass "
              + "--overwrite to replace it");
        }
      }
      fs.mkdirs(root);
      writeString(fs, new Path(root, RUN_CONFIG), configJson);
      Manifest manifest = new Manifest(job, settings.values(), settings.sources(), Versions.all(spark.version()));
      Map<String, String> sparkInfo = new LinkedHashMap<>();
      sparkInfo.put("master", spark.sparkContext().master());
      sparkInfo.put("app_id", spark.sparkContext().applicationId());
      sparkInfo.put("default_parallelism", Integer.toString(spark.sparkContext().defaultParallelism()));
      manifest.spark(sparkInfo);
      if (resumed) {
        manifest.detail("resumed", true);
      }
      Path latest = spec.latestPointer() == null ? null : new Path(spec.latestPointer());
      return new RunOutput(spark, fs, root, spec.format(), manifest, resumed, latest);
    } catch (IOException e) {
      throw new InputException("cannot create output directory " + spec.path() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Path options whose folder the job reads by table name, never as a whole: an output inside them
   * is fine (the report of a run goes to {@code RUN/report}).
   */
  private static final Set<String> READ_BY_NAME = Set.of("run");

  /**
   * Fails when the output is an input or a folder above one (opening it with --overwrite, or a
   * resumed run, would delete or mix with the input), or lies inside an input folder that is read
   * as a whole (the run's own files would be read as input). Before anything is written or
   * deleted.
   */
  private static void checkApartFromInputs(SparkSession spark, Path root, Settings settings) {
    String out = qualified(spark, root);
    for (Map.Entry<String, String> in : inputPaths(settings)) {
      String input = qualified(spark, new Path(in.getValue()));
      if (input.equals(out) || input.startsWith(out + "/")) {
        throw new InputException("--output " + root + " holds the input --" + in.getKey() + " " + in.getValue()
            + ": the run would write over (with --overwrite: delete) it; choose an --output outside the input");
      }
      if (out.startsWith(input + "/") && !READ_BY_NAME.contains(in.getKey())) {
        throw new InputException("--output " + root + " is inside the input --" + in.getKey() + " " + in.getValue()
            + ", which is read as a whole: the run's own files would be read as input; choose an --output outside it");
      }
    }
  }

  /** The path options that a run reads (every path option but the output and the checkpoint folder). */
  private static List<Map.Entry<String, String>> inputPaths(Settings settings) {
    List<Map.Entry<String, String>> inputs = new ArrayList<>();
    for (Map.Entry<String, String> p : settings.paths()) {
      if (!p.getKey().equals(CommonOptions.OUTPUT) && !p.getKey().equals("checkpoint-dir")) {
        inputs.add(p);
      }
    }
    return inputs;
  }

  /**
   * Fails, naming every one, when input paths do not exist; the CLI calls it before the output
   * folder is created (not {@link #open}, which library callers and tests use with settings whose
   * paths they do not read),
   * so that a mistyped path leaves no failed run behind that the corrected rerun would have to
   * --overwrite. A path whose file system is not available here is left to the read that names
   * its connector.
   */
  public static void requireInputs(SparkSession spark, Settings settings) {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> in : inputPaths(settings)) {
      Path p = new Path(in.getValue());
      try {
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(p)) {
          String where = fs.makeQualified(p).toString();
          missing.add("--" + in.getKey() + " " + in.getValue()
              + (where.endsWith(in.getValue()) ? "" : " (" + where + ")"));
        }
      } catch (IOException | RuntimeException e) {
        // no file system for it here: its read names the connector
      }
    }
    if (!missing.isEmpty()) {
      throw new InputException((missing.size() == 1 ? "input " : "inputs ") + String.join(", ", missing)
          + (missing.size() == 1 ? " does" : " do") + " not exist; check the path" + (missing.size() == 1 ? "" : "s")
          + " (nothing was written)");
    }
  }

  /**
   * A path with its scheme and authority, without a trailing slash; as given when its file system
   * is not available here (that input's own read says so, with the path).
   */
  private static String qualified(SparkSession spark, Path p) {
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toUri().toString()
          .replaceAll("/+$", "");
    } catch (IOException | RuntimeException e) {
      // e.g. s3a:// without hadoop-aws on the classpath (a RuntimeException around ClassNotFoundException)
      return p.toUri().toString().replaceAll("/+$", "");
    }
  }

  /**
   * A nested run (its own manifest and marker) under this one, e.g. the stages of {@code demo}.
   * It inherits the format; the parent's overwrite already cleared the directory.
   */
  public RunOutput child(String name, String job, Settings settings, Map<String, String> resultConfig) {
    return open(spark, job, settings, new OutputSpec(path(name), format, false, OutputSpec.ExistingOutput.REFUSE),
        resultConfig);
  }

  /** True when {@code path} holds a run that finished (its marker exists). */
  public static boolean isComplete(SparkSession spark, String path) {
    try {
      Path p = new Path(path, COMPLETE_MARKER);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  public String root() {
    return root.toString();
  }

  /** An absolute path inside the run directory. */
  public String path(String relative) {
    return new Path(root, relative).toString();
  }

  public TableFormat format() {
    return format;
  }

  public Manifest manifest() {
    return manifest;
  }

  public boolean resumed() {
    return resumed;
  }

  public SparkSession spark() {
    return spark;
  }

  /** Records an input's fingerprint (path, size, checksum) in the manifest. */
  public Fingerprint recordInput(String role, String path) {
    Fingerprint f = Fingerprint.of(path, spark.sparkContext().hadoopConfiguration());
    manifest.input(role, f);
    keepInput(role, f);
    return f;
  }

  /** Refuses to resume the run in {@code root} when an input it recorded has changed since. */
  private static void checkInputsUnchanged(FileSystem fs, Path root, Configuration conf) throws IOException {
    for (Map.Entry<KeptInput, String> e : keptInputs(fs, root).entrySet()) {
      Fingerprint now = Fingerprint.of(e.getKey().path(), conf);
      if (!e.getValue().equals(now.sha256())) {
        throw changedInput(root, e.getKey(), e.getValue(), now.sha256());
      }
    }
  }

  /** An input as {@link #RUN_INPUTS} lists it: its role in the job and its path. */
  private record KeptInput(String role, String path) {}

  /**
   * The inputs {@link #RUN_INPUTS} holds (one "sha256 TAB role TAB path" line each) -> sha256, in
   * the order they were recorded.
   */
  private static Map<KeptInput, String> keptInputs(FileSystem fs, Path root) throws IOException {
    Map<KeptInput, String> kept = new LinkedHashMap<>();
    String text = readString(fs, new Path(root, RUN_INPUTS));
    if (text != null) {
      for (String line : text.split("\n")) {
        String[] parts = line.split("\t", 3);
        if (parts.length == 3) {
          kept.put(new KeptInput(parts[1], parts[2]), parts[0]);
        }
      }
    }
    return kept;
  }

  private static InputException changedInput(Path root, KeptInput input, String then, String now) {
    return new InputException("output directory " + root + " holds a run made from other contents of " + input.role()
        + " " + input.path() + " (sha256 of its files and their names: " + then + " then, " + now + " now): "
        + "resuming would mix results of both; use another --output, or pass --overwrite to start again");
  }

  /**
   * Adds {@code f} to {@link #RUN_INPUTS}. An input already there with other content (it changed
   * while the run went on, or since an earlier attempt) is refused: results from both would mix.
   */
  private synchronized void keepInput(String role, Fingerprint f) {
    KeptInput input = new KeptInput(role, f.path());
    try {
      Map<KeptInput, String> kept = keptInputs(fs, root);
      String then = kept.putIfAbsent(input, f.sha256());
      if (then != null && !then.equals(f.sha256())) {
        throw changedInput(root, input, then, f.sha256());
      }
      if (then == null) {
        StringBuilder text = new StringBuilder();
        kept.forEach((k, sha) -> text.append(sha).append('\t').append(k.role()).append('\t').append(k.path())
            .append('\n'));
        writeString(fs, new Path(root, RUN_INPUTS), text.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + new Path(root, RUN_INPUTS), e);
    }
  }

  /**
   * Writes a table under the run directory in the run's format and records its row count.
   *
   * <p>The count is observed while writing ({@link Observation}: an aggregate in the write's own
   * tasks; Spark merges it from each partition's successful attempt only, so retried or
   * speculative tasks are not counted twice): what the committed files hold, without reading
   * them back, which cost two Spark jobs per table (footer read and count).
   */
  public long writeTable(String relative, Dataset<Row> table) {
    String p = path(relative);
    Observation rows = new Observation();
    Tables.write(table.observe(rows, count(lit(1)).as("rows")), p, format);
    long n;
    try {
      n = ((Number) rows.getAsJava().get("rows")).longValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while counting the rows written to " + p, e);
    }
    manifest.output(relative, n);
    return n;
  }

  /** Writes a small text file (JSON, HTML) under the run directory. */
  public void writeText(String relative, String text) {
    try {
      writeString(fs, new Path(root, relative), text);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + path(relative) + ": " + e.getMessage(), e);
    }
  }

  /** Writes a JSON document (anything Jackson can serialize). */
  public void writeJson(String relative, Object value) {
    try {
      writeText(relative, Manifest.JSON.writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Times a stage; {@code try (var s = out.stage("read")) { ... }}. */
  public Stage stage(String name) {
    LOG.info("stage {}: started", name);
    // the Spark jobs of this stage carry its name (progress lines, Spark UI); restored on close
    String previous = spark.sparkContext().getLocalProperty(JOB_DESCRIPTION);
    spark.sparkContext().setJobDescription(name);
    return new Stage(name, System.nanoTime(), previous);
  }

  private static final String JOB_DESCRIPTION = "spark.job.description";

  /**
   * Writes the manifest, then the completion marker, last; then points the output's
   * {@link OutputSpec#latestPointer() latest pointer} at this run, if it has one.
   */
  public void complete(Outcome outcome) {
    manifest.finish(outcome.status(), null);
    writeText(MANIFEST, manifest.toJson());
    writeText(COMPLETE_MARKER, "");
    if (latestPointer != null) {
      updateLatest();
    }
  }

  /**
   * Sets the pointer file to this run's folder name, unless it already names a later run
   * (dated names sort as text): a slow old run finishing last must not hide a newer one.
   * Written to a temporary file, then renamed, so readers never see a half-written pointer.
   */
  private void updateLatest() {
    try {
      String name = root.getName();
      String current = readString(fs, latestPointer);
      if (current != null && current.trim().compareTo(name) > 0) {
        LOG.info("{} names the later run {}; left as it is", latestPointer, current.trim());
        return;
      }
      Path tmp = new Path(latestPointer.getParent(), "." + latestPointer.getName() + "." + name + ".tmp");
      writeString(fs, tmp, name + "\n");
      fs.delete(latestPointer, false);
      if (!fs.rename(tmp, latestPointer)) {
        throw new IOException("rename " + tmp + " -> " + latestPointer + " failed");
      }
    } catch (IOException e) {
      // the run itself is complete; only the convenience pointer is stale
      LOG.warn("could not update {}: {}", latestPointer, e.getMessage());
    }
  }

  /** Writes the manifest of a failed run and no marker. */
  public void fail(String message) {
    manifest.finish("failed", message);
    try {
      writeText(MANIFEST, manifest.toJson());
    } catch (RuntimeException e) {
      LOG.warn("could not write the manifest of the failed run: {}", e.getMessage());
    }
  }

  /** A timed stage; closing it records the duration in the manifest. */
  public final class Stage implements AutoCloseable {
    private final String name;
    private final long start;
    private final String previousDescription;

    private Stage(String name, long start, String previousDescription) {
      this.name = name;
      this.start = start;
      this.previousDescription = previousDescription;
    }

    @Override
    public void close() {
      spark.sparkContext().setJobDescription(previousDescription);
      double seconds = (System.nanoTime() - start) / 1e9;
      manifest.stage(name, seconds);
      LOG.info("stage {}: done in {}", name, Progress.duration(seconds));
    }
  }

  private static void writeString(FileSystem fs, Path p, String text) throws IOException {
    try (OutputStream out = fs.create(p, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * "reg: 0.1,1 before, now 0.5; results-version: 1 before, now 2": the keys whose values differ
   * between a stored result configuration (JSON, may be null or unreadable) and this one.
   */
  static String differences(String previousJson, Map<String, String> now) {
    Map<String, String> before = new TreeMap<>();
    try {
      if (previousJson != null) {
        Manifest.JSON.readTree(previousJson).fields().forEachRemaining(e -> before.put(e.getKey(), e.getValue().asText()));
      }
    } catch (IOException e) {
      return "its configuration file is unreadable";
    }
    if (before.isEmpty()) {
      return "it has no configuration file: not a run of this tool, or an interrupted one";
    }
    SortedSet<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(now.keySet());
    List<String> diffs = new ArrayList<>();
    for (String key : keys) {
      String a = before.get(key);
      String b = now.get(key);
      if (!Objects.equals(a, b)) {
        diffs.add(key + ": " + (a == null ? "not set" : a) + " before, now " + (b == null ? "not set" : b));
      }
    }
    return String.join("; ", diffs);
  }

  private static String readString(FileSystem fs, Path p) throws IOException {
    if (!fs.exists(p)) {
      return null;
    }
    FileStatus st = fs.getFileStatus(p);
    byte[] b = new byte[(int) st.getLen()];
    try (FSDataInputStream in = fs.open(p)) {
      in.readFully(b);
    }
    return new String(b, StandardCharsets.UTF_8);
  }
}
