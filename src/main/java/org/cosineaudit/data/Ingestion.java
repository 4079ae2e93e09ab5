package org.cosineaudit.data;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.Iterators;
import org.cosineaudit.run.PartitionOffsets;
import org.cosineaudit.run.RunOutput;

/**
 * Reads interaction data ({@link InteractionInput.Config}) into validated interactions, id
 * maps and rejects, accounting for every row.
 *
 * <p>Steps: {@link LayoutDetection} (driver, O(1) data); parse every line or Parquet row on
 * the executors ({@link InteractionParser}); resolve duplicate (user, item) pairs with a
 * window per pair ({@link DuplicatePolicy}); give every row one fate (accepted, merged,
 * header, blank, or a {@link RejectReason}); count fates with one aggregation (a handful of
 * rows reach the driver); build dense id maps with a distributed sort and
 * {@code zipWithIndex}. Nothing of size O(interactions) is collected.
 */
public final class Ingestion {

  /** Tables written by {@link #write}, relative to the run directory. */
  public static final String INTERACTIONS = "interactions";
  public static final String REJECTS = "rejects";
  public static final String USER_IDS = "user_ids";
  public static final String ITEM_IDS = "item_ids";

  static final String FATE_VALID = "valid";
  static final String FATE_ACCEPTED = "accepted";
  static final String FATE_MERGED = "merged";
  static final String FATE_HEADER = "header";
  static final String FATE_BLANK = "blank";

  /**
   * One input row after parsing: where it came from, the row, and its fate. {@code file} numbers the
   * input's files in the order of their names ({@link #fileNumbers}): the path itself, often 100
   * bytes, would be carried through the duplicate window's shuffle and sort for every row, and
   * only rejects and merged duplicates need it ({@link #withoutOrigin} puts it back for those).
   */
  static final StructType PARSED_SCHEMA = new StructType()
      .add("file", DataTypes.IntegerType, false)
      .add("line", DataTypes.LongType, true)
      .add("raw", DataTypes.StringType, true)
      .add("user", DataTypes.StringType, true)
      .add("item", DataTypes.StringType, true)
      .add("value", DataTypes.DoubleType, true)
      .add("timestamp", DataTypes.LongType, true)
      .add("fate", DataTypes.StringType, false);

  public static final StructType ID_MAP_SCHEMA = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("index", DataTypes.IntegerType, false);

  private static final int EXAMPLES_IN_MESSAGE = 5;

  private Ingestion() {}

  /**
   * Reads, validates and counts; fails with an {@link InputException} naming the path when the
   * input is missing, empty or unreadable, and when rejects exceed {@code max-reject-fraction}.
   * Records the input's fingerprint, the layout and the counts in {@code out}'s manifest; writes
   * no tables (see {@link #write}).
   */
  public static Ingested read(SparkSession spark, InteractionInput.Config config, RunOutput out) {
    Ingested in = load(spark, config, out);
    checkRejectLimit(in, config, null);
    return in;
  }

  /** Like {@link #read} but without the reject-limit check, so a job can write the rejects first. */
  public static Ingested load(SparkSession spark, InteractionInput.Config config, RunOutput out) {
    try (var stage = out.stage("ingest")) {
      InputLayout layout = LayoutDetection.detect(config, spark.sparkContext().hadoopConfiguration());
      out.recordInput("interactions", config.input());
      out.manifest().detail("input_layout", layout.toMap());
      out.manifest().detail("input_options", InteractionInput.describe(config));

      Dataset<Row> parsed;
      List<String> files;
      long textLines = -1;
      if (layout.format() == InputFormat.PARQUET) {
        ParquetRows read = parquetRows(spark, layout, config.feedback());
        parsed = read.rows();
        files = read.files();
      } else {
        NumberedLines.Read read = NumberedLines.read(spark, layout, config.feedback(), config.input());
        parsed = spark.createDataFrame(read.rows(), PARSED_SCHEMA);
        textLines = read.lines();
        files = read.files();
      }
      int partitions = partitions(spark, layout.bytes());
      Dataset<Row> classified = withoutOrigin(resolveDuplicates(parsed, config.duplicates(), partitions), files)
          .persist(StorageLevel.MEMORY_AND_DISK());
      Fates fates = countFates(classified);

      Dataset<Row> interactions = accepted(classified, config.implicitThreshold());
      Dataset<Row> rejects = classified.filter(col("fate").isin(rejectIds()))
          .select(col("source"), col("line"), rawOrFields().as("raw"), col("fate").as("reason"));
      IdMaps ids = idMaps(spark, interactions, partitions);

      IngestCounts counts = counts(layout, fates.counts(), textLines, ids.userCount(), ids.itemCount());
      counts.record(out.manifest());
      if (counts.rowsRead() == 0) {
        throw new InputException("input " + config.input() + " has no data rows (" + counts.lines() + " lines: "
            + counts.headerLines() + " header, " + counts.blankLines() + " blank); point --input at the interaction data");
      }
      Runnable release = () -> {
        classified.unpersist();
        ids.cached().unpersist();
      };
      return new Ingested(interactions, rejects, ids.users(), ids.items(), counts, layout, fates.usableTimestamps(),
          release);
    }
  }

  /**
   * Fails when the rejects that count against the limit exceed {@code max-reject-fraction}:
   * the message gives the counts per reason and the first offending rows.
   *
   * @param rejectsWhere where the full rejects table was written, or {@code null}
   */
  public static void checkRejectLimit(Ingested in, InteractionInput.Config config, String rejectsWhere) {
    IngestCounts c = in.counts();
    if (c.rejectFraction() <= config.maxRejectFraction()) {
      return;
    }
    List<String> countable = new ArrayList<>();
    for (RejectReason r : RejectReason.values()) {
      if (r.countsAgainstLimit()) {
        countable.add(r.id());
      }
    }
    List<Row> first = in.rejects().filter(col("reason").isin(countable.toArray()))
        .orderBy(col("source"), col("line")).limit(EXAMPLES_IN_MESSAGE).collectAsList();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "input %s: %,d of %,d rows rejected (%.2f%%), more than --max-reject-fraction %s. Rejected by reason: %s."
            + " First rejected rows:", config.input(), c.rejectedAgainstLimit(), c.rowsRead(),
        100.0 * c.rejectFraction(), config.maxRejectFraction(), c.reasonsText()));
    for (Row r : first) {
      sb.append(String.format(Locale.ROOT, "%n  %s%s: %s '%s'", r.getString(0),
          r.isNullAt(1) ? "" : " line " + r.getLong(1), r.getString(3), LayoutDetection.abbreviate(r.getString(2))));
    }
    sb.append(String.format(Locale.ROOT, "%nCheck --input-format, --delimiter, --header and the column options"
        + " (the detected layout: %s), fix the rows, or raise --max-reject-fraction.", in.layout().describe()));
    if (rejectsWhere != null) {
      sb.append(" Every rejected row is in ").append(rejectsWhere).append('.');
    }
    throw new InputException(sb.toString());
  }

  /**
   * Writes {@code interactions}, {@code user_ids}, {@code item_ids} and {@code rejects} into
   * {@code out} and checks that the row counts on disk match the accounting.
   */
  public static void write(Ingested in, RunOutput out) {
    writeRejects(in, out);
    writeAccepted(in, out);
  }

  static void writeRejects(Ingested in, RunOutput out) {
    expect(REJECTS, out.writeTable(REJECTS, in.rejects()), in.counts().rejected());
  }

  static void writeAccepted(Ingested in, RunOutput out) {
    expect(INTERACTIONS, out.writeTable(INTERACTIONS, in.interactions()), in.counts().accepted());
    expect(USER_IDS, out.writeTable(USER_IDS, in.userIds()), in.counts().users());
    expect(ITEM_IDS, out.writeTable(ITEM_IDS, in.itemIds()), in.counts().items());
  }

  private static void expect(String table, long written, long counted) {
    if (written != counted) {
      throw new IllegalStateException("table " + table + " has " + written + " rows on disk but " + counted
          + " were counted; the accounting is broken (a bug)");
    }
  }

  // ---- parsing Parquet ----

  /** Parsed Parquet rows ({@link #PARSED_SCHEMA}) and the file names their {@code file} numbers. */
  record ParquetRows(Dataset<Row> rows, List<String> files) {}

  private static ParquetRows parquetRows(SparkSession spark, InputLayout layout, Feedback feedback) {
    List<String> files = new ArrayList<>();
    for (String f : layout.files()) {
      if (f.endsWith(".parquet")) {
        files.add(f);
      }
    }
    if (files.isEmpty()) {
      files = layout.files();
    }
    Dataset<Row> df;
    try {
      df = spark.read().parquet(files.toArray(new String[0]));
    } catch (RuntimeException e) {
      throw new InputException("cannot read " + files.get(0) + " as Parquet: " + e.getMessage()
          + "; check --input-format", e);
    }
    String where = layout.files().size() == 1 ? layout.files().get(0) : "the Parquet files of the input";
    StructField user = parquetColumn(df, layout.user(), "--user-col", where);
    StructField item = parquetColumn(df, layout.item(), "--item-col", where);
    StructField value = layout.value().isNone() ? null : parquetColumn(df, layout.value(), "--value-col", where);
    StructField ts;
    if (layout.timestamp() == null) {
      ts = hasColumn(df, "timestamp") ? parquetColumn(df, new ColumnRef("timestamp", -1), "--timestamp-col", where) : null;
    } else {
      ts = layout.timestamp().isNone() ? null : parquetColumn(df, layout.timestamp(), "--timestamp-col", where);
    }
    Column tsText = ts == null ? lit(null).cast("string")
        : ts.dataType() instanceof TimestampType ? col(quoted(ts.name())).cast("long").cast("string")
        : col(quoted(ts.name())).cast("string");
    Dataset<Row> fields = df.select(
        xxhash64(col("_metadata.file_path")).as("file"),
        col("_metadata.row_index").plus(1).as("line"),
        col(quoted(user.name())).cast("string").as("user"),
        col(quoted(item.name())).cast("string").as("item"),
        value == null ? lit(null).cast("string").as("value") : col(quoted(value.name())).cast("string").as("value"),
        tsText.as("timestamp"));
    String[] names = {user.name(), item.name(), value == null ? null : value.name(), ts == null ? null : ts.name()};
    // rows carry a hash of their file's path, not the path (a constant per file, so Spark hashes
    // it without copying it into every row); one small job reads the paths (Parquet metadata only)
    Column path = col("_metadata.file_path");
    Map<String, Long> hashes = new HashMap<>();
    for (Row r : df.select(path, xxhash64(path)).distinct().collectAsList()) {
      hashes.put(r.getString(0), r.getLong(1));
    }
    // numbered in the order of the paths as Spark renders them (URL-encoded): the duplicate
    // policy's "later file" is the order it has always used; rejects name the decoded path
    List<String> numbered = fileNumbers(hashes.keySet());
    Map<Long, Integer> numberOfHash = new HashMap<>();
    List<String> decoded = new ArrayList<>();
    for (int i = 0; i < numbered.size(); i++) {
      decoded.add(parquetFileName(numbered.get(i)));
      if (numberOfHash.put(hashes.get(numbered.get(i)), i) != null) {
        throw new InputException("two files of " + where + " have the same 64-bit hash of their paths (one is "
            + decoded.get(i) + "); rename one of them");
      }
    }
    return new ParquetRows(fields.map(new CheckParquetRow(feedback, names, numberOfHash), Encoders.row(PARSED_SCHEMA)),
        decoded);
  }

  /**
   * The distinct file names in the order a file's number follows: ascending by their UTF-8 bytes,
   * the order Spark compares strings in, so ordering rows by file number orders them by file name
   * (the duplicate policy's "later file").
   */
  static List<String> fileNumbers(java.util.Collection<String> names) {
    List<String> files = new ArrayList<>(new java.util.TreeSet<>(names));
    files.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return files;
  }

  /**
   * The name of a Parquet file as a Hadoop path ("file:/tmp/a b"), from the URL-encoded URI that
   * {@code _metadata.file_path} gives ("file:/tmp/a%20b"), as rejects name it.
   */
  static String parquetFileName(String uri) {
    return new org.apache.hadoop.fs.Path(java.net.URI.create(uri)).toString();
  }

  /** File name -> its number in {@code files} (see {@link #fileNumbers}). */
  static Map<String, Integer> numbering(List<String> files) {
    Map<String, Integer> numbers = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      numbers.put(files.get(i), i);
    }
    return numbers;
  }

  private static boolean hasColumn(Dataset<Row> df, String name) {
    for (String c : df.columns()) {
      if (c.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  private static StructField parquetColumn(Dataset<Row> df, ColumnRef ref, String option, String where) {
    StructField[] fields = df.schema().fields();
    if (!ref.byName()) {
      if (ref.position() >= fields.length) {
        throw new InputException(option + " " + ref.position() + " is beyond the " + fields.length + " columns of "
            + where + " (" + String.join(", ", df.columns()) + "); positions are 0-based");
      }
      return fields[ref.position()];
    }
    for (StructField f : fields) {
      if (f.name().equals(ref.name())) {
        return f;
      }
    }
    for (StructField f : fields) {
      if (f.name().equalsIgnoreCase(ref.name())) {
        return f;
      }
    }
    throw new InputException(option + " '" + ref.name() + "' is not a column of " + where + "; it has: "
        + String.join(", ", df.columns()));
  }

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /**
   * Validates one Parquet row (columns rendered as strings) with the same rules as text. The
   * {@code raw} text ("uid=2, iid=10, w=NaN") is built only for rejected rows; accepted rows
   * carry none (a duplicate's raw text is rebuilt from its fields, see {@link #rawOrFields}).
   */
  static final class CheckParquetRow implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Feedback feedback;
    private final String[] names;
    private final Map<Long, Integer> fileNumbers;
    // rows of one file come together: the last lookup is almost always the next one
    private transient boolean looked;
    private transient long lastHash;
    private transient int lastNumber;

    /** {@code fileNumbers}: xxhash64 of a file's path -> the file's number. */
    CheckParquetRow(Feedback feedback, String[] names, Map<Long, Integer> fileNumbers) {
      this.feedback = feedback;
      this.names = names;
      this.fileNumbers = fileNumbers;
    }

    private int fileNumber(long pathHash) {
      if (!looked || pathHash != lastHash) {
        Integer n = fileNumbers.get(pathHash);
        if (n == null) {
          throw new IllegalStateException("Parquet row from a file whose path hash " + pathHash
              + " is not among the input's files (a bug, please report it)");
        }
        looked = true;
        lastHash = pathHash;
        lastNumber = n;
      }
      return lastNumber;
    }

    @Override
    public Row call(Row r) {
      InteractionParser.Parsed p = InteractionParser.check(r.getString(2), r.getString(3), r.getString(4),
          r.getString(5), names[2] != null, feedback);
      String raw = null;
      if (!p.ok()) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < names.length; k++) {
          if (names[k] != null) {
            sb.append(sb.length() == 0 ? "" : ", ").append(names[k]).append('=').append(r.getString(2 + k));
          }
        }
        raw = sb.toString();
      }
      return parsedRow(fileNumber(r.getLong(0)), r.getLong(1), raw, p);
    }
  }

  /** The raw row, or for rows that carry none (valid Parquet rows) their parsed fields. */
  static Column rawOrFields() {
    return coalesce(col("raw"), concat_ws(", ",
        concat(lit("user="), col("user")), concat(lit("item="), col("item")),
        concat(lit("value="), col("value").cast("string")),
        concat(lit("timestamp="), coalesce(col("timestamp").cast("string"), lit("null")))));
  }

  static Row parsedRow(int file, long line, String raw, InteractionParser.Parsed p) {
    if (p.ok()) {
      return RowFactory.create(file, line, raw, p.user(), p.item(), p.value(), p.timestamp(), FATE_VALID);
    }
    return RowFactory.create(file, line, raw, null, null, null, null, p.reason().id());
  }

  static Row markerRow(int file, long line, String raw, String fate) {
    return RowFactory.create(file, line, raw, null, null, null, null, fate);
  }

  // ---- duplicates and fates ----

  /**
   * Prefix of the synthetic user of rows without one (rejects, header and blank lines), followed by
   * the row's line and file: a control character, which no accepted id can contain
   * ({@link InteractionParser#validId}), so it never meets a real user.
   */
  static final String NO_USER = "\u0000";

  /**
   * Gives every valid row its final fate under the policy; other rows keep theirs.
   * "Last" = latest timestamp (missing = oldest), then the later file, then the later line.
   */
  static Dataset<Row> resolveDuplicates(Dataset<Row> parsed, DuplicatePolicy policy, int partitions) {
    // One window over all rows, so the input is parsed once. Valid rows are grouped by (user,
    // item). Every other row (rejects, header and blank lines) has no user and gets a synthetic
    // one, unique per row (NO_USER, its line and file number), and no item: each is a group of its
    // own. The synthetic users also spread those rows over all partitions instead of one, so a
    // file that is mostly rejects (a wrong --delimiter, say) is sorted in parallel before the
    // reject limit stops the run. Only rows that are not accepted carry one, and no consumer reads
    // "user" from those (rejects keep their file, line and raw text).
    Column valid = col("fate").equalTo(FATE_VALID);
    // "user" leads the keys so that the rows can be partitioned by user alone: the window reuses
    // that exchange, and so does every later per-user step on the accepted rows (the held-out
    // split's window), which then needs no shuffle of its own. The keys are the ids themselves, not
    // a hash of them: input usually comes grouped by user, and the sort (and the split's window
    // after it) profits from those presorted runs (a hash key was 1.4-2.5 s slower on 2M rows,
    // docs/benchmarks/sweep.md, session 8).
    // Every window column uses this one spec (the whole pair is the frame of the aggregates), so
    // Spark evaluates them in one window operator over one sort: with the aggregates over an
    // unordered spec of their own, each pair's rows went through a second window operator
    WindowSpec lastFirst = Window.partitionBy(col("user"), col("item"))
        .orderBy(col("timestamp").desc_nulls_last(), col("file").desc(), col("line").desc());
    WindowSpec pair = lastFirst.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
    // partition explicitly: the partition count follows the input size instead of
    // spark.sql.shuffle.partitions
    Dataset<Row> keyed = parsed
        .withColumn("user", coalesce(col("user"),
            concat(lit(NO_USER), col("line").cast("string"), lit(":"), col("file").cast("string"))))
        .repartition(partitions, col("user"));
    Dataset<Row> ranked = keyed.withColumn("n", count(lit(1)).over(pair))
        .withColumn("rn", row_number().over(lastFirst));
    Column policyFate = switch (policy) {
      case ERROR -> when(col("n").gt(1), lit(RejectReason.DUPLICATE_PAIR.id())).otherwise(lit(FATE_ACCEPTED));
      case KEEP_LAST -> when(col("rn").equalTo(1), lit(FATE_ACCEPTED))
          .otherwise(lit(RejectReason.SUPERSEDED_DUPLICATE.id()));
      case SUM -> when(col("rn").equalTo(1), lit(FATE_ACCEPTED)).otherwise(lit(FATE_MERGED));
    };
    Dataset<Row> resolved = ranked;
    if (policy == DuplicatePolicy.SUM) {
      resolved = resolved
          .withColumn("value", when(valid, sum("value").over(pair)).otherwise(col("value")))
          .withColumn("timestamp", when(valid, max("timestamp").over(pair)).otherwise(col("timestamp")));
    }
    resolved = resolved.withColumn("fate", when(valid, policyFate).otherwise(col("fate")));
    String[] columns = PARSED_SCHEMA.fieldNames();
    Column[] cols = new Column[columns.length];
    for (int k = 0; k < columns.length; k++) {
      cols[k] = col(columns[k]);
    }
    return resolved.select(cols);
  }

  /**
   * The classified rows with {@code source} (the file's name, from its number in {@code files}),
   * {@code line} and {@code raw} for the rows that are not accepted, and null for accepted rows,
   * which no consumer reads them from (interactions take the parsed fields; rejects and merged rows
   * keep theirs): the cache of the classified rows then holds the file path, often 100 bytes, and
   * the raw text line only for the few rows that need them, not for every interaction.
   */
  static Dataset<Row> withoutOrigin(Dataset<Row> classified, List<String> files) {
    Column kept = col("fate").notEqual(FATE_ACCEPTED);
    Column source = element_at(lit(files.toArray(new String[0])), col("file").plus(1));
    List<Column> cols = new ArrayList<>();
    cols.add(when(kept, source).as("source"));
    for (String name : PARSED_SCHEMA.fieldNames()) {
      if (!name.equals("file")) {
        cols.add(name.equals("line") || name.equals("raw") ? when(kept, col(name)).as(name) : col(name));
      }
    }
    return classified.select(cols.toArray(new Column[0]));
  }

  /** Rows per fate, and whether the accepted rows' timestamps are usable ({@link HeldOutSplit#usableTimestamps}). */
  private record Fates(Map<String, Long> counts, boolean usableTimestamps) {}

  private static Fates countFates(Dataset<Row> classified) {
    Map<String, Long> fates = new HashMap<>();
    boolean usable = false;
    for (Row r : classified.groupBy("fate")
        .agg(count(lit(1)), count(col("timestamp")), min(col("timestamp")), max(col("timestamp"))).collectAsList()) {
      fates.put(r.getString(0), r.getLong(1));
      if (r.getString(0).equals(FATE_ACCEPTED)) {
        usable = HeldOutSplit.usableTimestamps(r.getLong(1), r.getLong(2), r.get(3), r.get(4));
      }
    }
    return new Fates(fates, usable);
  }

  private static Object[] rejectIds() {
    List<String> ids = new ArrayList<>();
    for (RejectReason r : RejectReason.values()) {
      ids.add(r.id());
    }
    return ids.toArray();
  }

  private static Dataset<Row> accepted(Dataset<Row> classified, Double threshold) {
    Column value = threshold == null ? col("value")
        : when(col("value").geq(threshold), lit(1.0)).otherwise(lit(0.0));
    return classified.filter(col("fate").equalTo(FATE_ACCEPTED))
        .select(col("user"), col("item"), value.as("value"), col("timestamp"));
  }

  static IngestCounts counts(InputLayout layout, Map<String, Long> fates, long textLines, long users, long items) {
    long header = fates.getOrDefault(FATE_HEADER, 0L);
    long blank = fates.getOrDefault(FATE_BLANK, 0L);
    long accepted = fates.getOrDefault(FATE_ACCEPTED, 0L);
    long merged = fates.getOrDefault(FATE_MERGED, 0L);
    Map<String, Long> byReason = new LinkedHashMap<>();
    long rejected = 0;
    for (RejectReason r : RejectReason.values()) {
      long n = fates.getOrDefault(r.id(), 0L);
      if (n > 0) {
        byReason.put(r.id(), n);
        rejected += n;
      }
    }
    long all = 0;
    for (long n : fates.values()) {
      all += n;
    }
    long rows = all - header - blank;
    if (rows != accepted + rejected + merged || (textLines >= 0 && textLines != all)) {
      throw new IllegalStateException("ingestion lost rows: fates " + fates + ", " + textLines
          + " lines counted; a bug, please report it");
    }
    return new IngestCounts(layout.files().size(), all, header, blank, rows, accepted, rejected, merged, byReason,
        users, items);
  }

  /** Target bytes of input per partition of the shuffles. */
  static final long BYTES_PER_PARTITION = 32L << 20;

  /**
   * Partitions for the duplicate window and the id maps: one per {@value #BYTES_PER_PARTITION}
   * bytes of input and at least one per core, at most {@code spark.sql.shuffle.partitions}. Small inputs get few
   * partitions: a task per nearly empty partition costs more than the work (seen in demo).
   */
  static int partitions(SparkSession spark, long inputBytes) {
    int max = Math.max(1, Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "200")));
    // at least one per core, so small inputs still use every core
    long wanted = Math.max(spark.sparkContext().defaultParallelism(),
        (inputBytes + BYTES_PER_PARTITION - 1) / BYTES_PER_PARTITION);
    return (int) Math.max(1, Math.min(max, wanted));
  }

  // ---- id maps ----

  /** Both id maps; the counts come from the same pass. */
  record IdMaps(Dataset<Row> users, Dataset<Row> items, long userCount, long itemCount, Dataset<Row> cached) {}

  /**
   * Distinct ids -> dense indices 0..n-1 ordered by (length, id), users and items in one
   * distributed sort: numeric ids without leading zeros keep their numeric order, and the order
   * is total, so the indices are deterministic. One job counts the ids per sorted partition
   * (O(partitions) rows reach the driver), the next numbers them from those offsets.
   */
  static IdMaps idMaps(SparkSession spark, Dataset<Row> interactions, int partitions) {
    // distinct first: its partial aggregate shrinks every partition to its distinct ids before
    // any shuffle, so the range partitioning (its sample job and its exchange) and the sort see
    // (users + items) x partitions rows at most, not two rows per interaction
    Dataset<Row> ids = interactions
        .select(explode(array(
            struct(lit(0).as("kind"), col("user").as("id")),
            struct(lit(1).as("kind"), col("item").as("id")))).as("k"))
        .select(col("k.kind").as("kind"), col("k.id").as("id"), length(col("k.id")).as("len"))
        .distinct()
        .repartitionByRange(partitions, col("kind"), col("len"), col("id"))
        .sortWithinPartitions("kind", "len", "id");
    JavaRDD<Row> sorted = ids.select("kind", "id").javaRDD();
    // counter 0 counts users, counter 1 items: the kind is the counter's index
    PartitionOffsets.Result counted = PartitionOffsets.of(sorted, 2, (r, c) -> c[r.getInt(0)]++);
    long users = counted.totals()[0];
    long items = counted.totals()[1];
    if (users > Integer.MAX_VALUE || items > Integer.MAX_VALUE) {
      throw new InputException(users + " users and " + items + " items: more than " + Integer.MAX_VALUE
          + " distinct ids of one kind; ALS indexes them with int");
    }
    Dataset<Row> indexed = spark.createDataFrame(
        sorted.mapPartitionsWithIndex(new NumberIds(counted.offsets()), true), KIND_ID_SCHEMA)
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new IdMaps(indexed.filter(col("kind").equalTo(0)).select("id", "index"),
        indexed.filter(col("kind").equalTo(1)).select("id", "index"), users, items, indexed);
  }

  private static final StructType KIND_ID_SCHEMA = new StructType()
      .add("kind", DataTypes.IntegerType, false)
      .add("id", DataTypes.StringType, false)
      .add("index", DataTypes.IntegerType, false);

  /** Numbers the ids of one sorted partition from its offsets. */
  static final class NumberIds implements Function2<Integer, Iterator<Row>, Iterator<Row>> {
    private static final long serialVersionUID = 1L;
    /** Per partition, the users and items in earlier partitions ({@link PartitionOffsets}). */
    private final long[][] offsets;

    NumberIds(long[][] offsets) {
      this.offsets = offsets;
    }

    @Override
    public Iterator<Row> call(Integer partition, Iterator<Row> rows) {
      long[] next = offsets[partition].clone();
      return Iterators.mapped(rows, r -> {
        int kind = r.getInt(0);
        return RowFactory.create(kind, r.getString(1), (int) next[kind]++);
      });
    }
  }
}
