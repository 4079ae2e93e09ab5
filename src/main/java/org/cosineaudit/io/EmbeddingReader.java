package org.cosineaudit.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.RunOutput;
import scala.Tuple2;

/**
 * Reads embeddings into a factors table ({@code id} string, {@code features} array<float>)
 * from any Hadoop path (a file or a folder of files):
 * <ul>
 *   <li>Parquet: an {@code id} column and an array column ({@code features}, or the only array
 *       column) of float or double;</li>
 *   <li>CSV with the header {@code id,f0,...,f{d-1}} (the names after {@code id} are free), or
 *       {@code id,features} with the vector as one field of space-separated numbers (the factor
 *       tables this project writes with {@code --format csv}); an id may be quoted as in RFC 4180
 *       (holding commas, {@code ""} for a quote), as {@link Tables#write} writes it;</li>
 *   <li>word2vec / GloVe text: {@code word v1 ... vd} separated by spaces or tabs, with an
 *       optional first line {@code n d} (word2vec), which is then checked.</li>
 * </ul>
 * CSV and text files may be compressed: Hadoop decompresses by the file name ({@code .gz}, ...).
 * Text input is checked in one pass before it is returned: a malformed line fails the read
 * with the file, the line number and what is wrong. Values that parse but are NaN or infinite
 * (and duplicate ids) are left to the similarity engine, which names the ids.
 */
public final class EmbeddingReader {

  /** The factors schema this reader produces. */
  public static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  /** Embedding file formats. */
  public enum Format {
    PARQUET, CSV, TEXT;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private EmbeddingReader() {}

  /** Reads the embeddings at {@code path}, detecting the format. */
  public static Dataset<Row> read(SparkSession spark, String path) {
    Format f = detect(spark, path);
    return f == Format.PARQUET ? readParquet(spark, path) : readText(spark, path, f);
  }

  /**
   * Parquet when the path is or holds .parquet files; CSV when the first CSV field of the first
   * line (decompressed when the file name says so, as Hadoop reads the lines) is {@code id};
   * else text. A first line with commas that is neither is an error: a CSV file without the
   * {@code id} header would otherwise be read as word vectors of no components.
   */
  public static Format detect(SparkSession spark, String path) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<Path> files = dataFiles(conf, path);
    for (Path p : files) {
      if (p.getName().endsWith(".parquet")) {
        return Format.PARQUET;
      }
    }
    String first = firstLine(conf, files.get(0));
    if (first == null) {
      throw new InputException("embeddings " + path + " are empty; give a file with one embedding per line");
    }
    String head = stripBom(first).trim();
    List<String> fields = DelimitedFields.split(head, ",");
    if (fields != null && fields.get(0).toLowerCase(Locale.ROOT).equals("id")) {
      return Format.CSV;
    }
    // a word vector's word may hold commas (GloVe has ","): text when the rest are numbers
    Parsed text = parseLine(Format.TEXT, head, true);
    if (head.contains(",") && text != null && (!text.isEmbedding() || text.values().length == 0)) {
      throw new InputException(files.get(0) + " line 1: '" + shorten(head) + "' is not a CSV header "
          + "starting with 'id'; CSV embeddings need the header id,f0,...,f{d-1} (or id,features): rename the id "
          + "column to 'id', or add that header line");
    }
    return Format.TEXT;
  }

  private static Dataset<Row> readParquet(SparkSession spark, String path) {
    Dataset<Row> df = spark.read().parquet(path);
    List<String> names = Arrays.asList(df.schema().fieldNames());
    if (!names.contains("id")) {
      throw new InputException("embeddings " + path + " have no 'id' column (columns: " + names + ")");
    }
    String features = null;
    List<String> arrays = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      if (f.dataType() instanceof ArrayType) {
        arrays.add(f.name());
      }
    }
    if (names.contains("features")) {
      features = "features";
    } else if (arrays.size() == 1) {
      features = arrays.get(0);
    } else {
      throw new InputException("embeddings " + path + " need a 'features' column (array of float or double); "
          + "columns: " + names);
    }
    return df.select(df.col("id").cast(DataTypes.StringType).as("id"), df.col(features).as("features"));
  }

  private static Dataset<Row> readText(SparkSession spark, String path, Format format) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    @SuppressWarnings("unchecked")
    JavaNewHadoopRDD<LongWritable, Text> lines = (JavaNewHadoopRDD<LongWritable, Text>) jsc.newAPIHadoopFile(
        path, TextInputFormat.class, LongWritable.class, Text.class, new Configuration(conf));
    List<SplitReport> reports = lines.mapPartitionsWithInputSplit(new CheckSplit(format), true).collect();
    check(conf, path, format, reports);
    JavaRDD<Row> rows = lines.mapPartitionsWithInputSplit(new ParseSplit(format), true);
    return spark.createDataFrame(rows, SCHEMA);
  }

  /**
   * One parsed line: an embedding, a header, a blank, or an error. {@code spaced}: a CSV vector
   * given as one field of space-separated numbers (the {@code id,features} layout).
   */
  record Parsed(String id, float[] values, String error, boolean spaced) {
    static final Parsed BLANK = new Parsed(null, null, null);

    Parsed(String id, float[] values, String error) {
      this(id, values, error, false);
    }

    boolean isEmbedding() {
      return values != null;
    }
  }

  /**
   * Parses one line.
   *
   * @param firstLineOfFile true for the line at byte offset 0 (a CSV or word2vec header)
   * @return null for a header or blank line, else the embedding or an error
   */
  static Parsed parseLine(Format format, String raw, boolean firstLineOfFile) {
    String line = firstLineOfFile ? stripBom(raw) : raw;
    if (line.isBlank()) {
      return Parsed.BLANK;
    }
    if (format == Format.CSV) {
      if (firstLineOfFile) {
        return null;
      }
      // quoted as Spark writes them (RFC 4180): an id may hold a comma, "" is one quote
      List<String> f = DelimitedFields.split(line, ",");
      if (f == null) {
        return new Parsed(null, null, "a double quote is not closed (a quoted id must end with a quote; "
            + "write a quote inside it as \"\")");
      }
      if (f.size() == 2) {
        // id and one field of space-separated numbers: this project's own CSV tables (--format csv)
        String[] tok = f.get(1).split("[ \\t]+");
        float[] v = new float[tok.length];
        for (int i = 0; i < tok.length; i++) {
          try {
            v[i] = component(tok[i]);
          } catch (NumberFormatException e) {
            return new Parsed(null, null, (tok.length == 1 ? "column 2" : "value " + (i + 1) + " of column 2")
                + " ('" + shorten(tok[i]) + "') is not a number");
          }
        }
        return new Parsed(f.get(0), v, null, tok.length > 1);
      }
      float[] v = new float[f.size() - 1];
      for (int i = 1; i < f.size(); i++) {
        String t = f.get(i);
        try {
          v[i - 1] = component(t);
        } catch (NumberFormatException e) {
          return new Parsed(null, null, "column " + (i + 1) + " ('" + shorten(t) + "') is not a number");
        }
      }
      return new Parsed(f.get(0), v, null);
    }
    String[] tok = line.trim().split("[ \\t]+");
    if (firstLineOfFile && tok.length == 2 && isInteger(tok[0]) && isInteger(tok[1])) {
      return null; // word2vec header "n d"
    }
    float[] v = new float[tok.length - 1];
    for (int i = 1; i < tok.length; i++) {
      try {
        v[i - 1] = component(tok[i]);
      } catch (NumberFormatException e) {
        boolean binary = tok[i].chars().anyMatch(c -> c < 32 || c == 0xFFFD);
        return new Parsed(null, null, "value " + i + " ('" + shorten(tok[i]) + "') of '" + shorten(tok[0])
            + "' is not a number" + (binary ? " (binary word2vec files are not supported: save as text)" : ""));
      }
    }
    return new Parsed(tok[0], v, null);
  }

  /**
   * One vector component: a Java float literal, or NaN and infinities as numpy, C and R write them
   * ({@code nan}, {@code inf}, {@code -Infinity}, any case). They parse, so that the engine's check
   * reports them with the ids and their count instead of a parse error at the first one.
   */
  static float component(String t) {
    try {
      return Float.parseFloat(t);
    } catch (NumberFormatException e) {
      String lower = t.toLowerCase(Locale.ROOT);
      boolean negative = lower.startsWith("-");
      String body = negative || lower.startsWith("+") ? lower.substring(1) : lower;
      if (body.equals("nan")) {
        return Float.NaN;
      }
      if (body.equals("inf") || body.equals("infinity")) {
        return negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
      }
      throw e;
    }
  }

  /**
   * What one input split holds, for the driver's checks.
   *
   * @param dims per dimension: {count, byte offset of the first line}
   * @param dimIds per dimension: the id of that first line
   */
  record SplitReport(String file, String header, long embeddings, long firstErrorOffset, String firstError,
      TreeMap<Integer, long[]> dims, TreeMap<Integer, String> dimIds, long firstSpacedOffset)
      implements Serializable {}

  /** Checks a split: counts, dimensions (count and first offset each), the first parse error. */
  static final class CheckSplit implements
      Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<SplitReport>> {
    private static final long serialVersionUID = 1L;
    private final Format format;

    CheckSplit(Format format) {
      this.format = format;
    }

    @Override
    public Iterator<SplitReport> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> it) {
      String file = ((FileSplit) split).getPath().toString();
      String header = null;
      long n = 0;
      long errOffset = -1;
      String err = null;
      TreeMap<Integer, long[]> dims = new TreeMap<>();
      TreeMap<Integer, String> dimIds = new TreeMap<>();
      long spacedOffset = -1;
      while (it.hasNext()) {
        Tuple2<LongWritable, Text> t = it.next();
        long offset = t._1().get();
        String line = t._2().toString();
        Parsed p = parseLine(format, line, offset == 0);
        if (p == null) {
          header = stripBom(line).trim();
        } else if (p.error() != null) {
          if (err == null) {
            err = p.error();
            errOffset = offset;
          }
        } else if (p.isEmbedding()) {
          n++;
          long[] c = dims.computeIfAbsent(p.values().length, x -> new long[] {0, offset});
          dimIds.putIfAbsent(p.values().length, p.id());
          c[0]++;
          if (p.spaced() && spacedOffset < 0) {
            spacedOffset = offset;
          }
        }
      }
      return List.of(new SplitReport(file, header, n, errOffset, err, dims, dimIds, spacedOffset)).iterator();
    }
  }

  /** Parses a split into factor rows (after {@link CheckSplit} passed). */
  static final class ParseSplit implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<Row>> {
    private static final long serialVersionUID = 1L;
    private final Format format;

    ParseSplit(Format format) {
      this.format = format;
    }

    @Override
    public Iterator<Row> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> it) {
      List<Row> out = new ArrayList<>();
      while (it.hasNext()) {
        Tuple2<LongWritable, Text> t = it.next();
        Parsed p = parseLine(format, t._2().toString(), t._1().get() == 0);
        if (p != null && p.isEmbedding()) {
          Float[] boxed = new Float[p.values().length];
          for (int i = 0; i < boxed.length; i++) {
            boxed[i] = p.values()[i];
          }
          out.add(RowFactory.create(p.id(), boxed));
        }
      }
      return out.iterator();
    }
  }

  /** The driver's checks of the split reports; throws naming file and line. */
  static void check(Configuration conf, String path, Format format, List<SplitReport> reports) {
    List<SplitReport> sorted = new ArrayList<>(reports);
    sorted.sort(Comparator.comparing(SplitReport::file));
    // the first parse error, in file order then line order
    SplitReport bad = null;
    for (SplitReport r : sorted) {
      if (r.firstError() != null && (bad == null || r.file().compareTo(bad.file()) < 0
          || (r.file().equals(bad.file()) && r.firstErrorOffset() < bad.firstErrorOffset()))) {
        bad = r;
      }
    }
    if (bad != null) {
      throw new InputException(bad.file() + " line " + lineNumber(conf, bad.file(), bad.firstErrorOffset()) + ": "
          + bad.firstError());
    }
    Map<String, String> headers = new TreeMap<>();
    for (SplitReport r : sorted) {
      if (r.header() != null) {
        headers.put(r.file(), r.header());
      }
    }
    if (format == Format.CSV) {
      // space-separated vectors only under the header id,features (two columns)
      for (SplitReport r : sorted) {
        String header = headers.get(r.file());
        int columns = header == null ? 0 : csvColumns(header);
        if (r.firstSpacedOffset() >= 0 && columns > 2) {
          throw new InputException(r.file() + " line " + lineNumber(conf, r.file(), r.firstSpacedOffset())
              + ": one field of space-separated numbers, but the header gives " + columns + " columns; write one "
              + "number per column, or use the header id,features");
        }
      }
    }
    // expected dimension: the headers' (CSV columns - 1, word2vec "n d"), else the most common
    Map<String, Long> perFile = new TreeMap<>();
    TreeMap<Integer, Long> dimCounts = new TreeMap<>();
    long total = 0;
    for (SplitReport r : sorted) {
      perFile.merge(r.file(), r.embeddings(), Long::sum);
      r.dims().forEach((d, c) -> dimCounts.merge(d, c[0], Long::sum));
      total += r.embeddings();
    }
    if (total == 0) {
      throw new InputException("embeddings " + path + " hold no embedding lines");
    }
    Integer expected = null;
    String expectedFrom = null;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      int d;
      if (format == Format.CSV) {
        d = csvColumns(h.getValue()) - 1;
        if (d == 1) {
          continue; // "id,features": the vector is one field, the header does not give its length
        }
      } else {
        String[] nd = h.getValue().split("[ \\t]+");
        d = Integer.parseInt(nd[1]);
        long n = Long.parseLong(nd[0]);
        if (n != perFile.getOrDefault(h.getKey(), 0L)) {
          throw new InputException(h.getKey() + " line 1: the header announces " + n + " vectors, the file holds "
              + perFile.getOrDefault(h.getKey(), 0L) + "; fix the header or the file");
        }
      }
      if (expected != null && expected != d) {
        throw new InputException(h.getKey() + " line 1: header gives dimension " + d + ", but " + expectedFrom
            + " gives " + expected + "; all files must have the same columns");
      }
      expected = d;
      expectedFrom = h.getKey();
    }
    if (format == Format.CSV) {
      for (String f : perFile.keySet()) {
        if (!headers.containsKey(f)) {
          throw new InputException(f + " line 1: missing the header 'id,f0,...' (or 'id,features'); every CSV file needs it");
        }
      }
    }
    if (expected == null) {
      long best = -1;
      for (Map.Entry<Integer, Long> e : dimCounts.entrySet()) {
        if (e.getValue() > best) {
          best = e.getValue();
          expected = e.getKey();
        }
      }
      expectedFrom = "most lines";
      long most = best;
      if (dimCounts.values().stream().filter(c -> c == most).count() > 1) {
        // no majority to call the others wrong: name every dimension with its count
        StringBuilder sb = new StringBuilder();
        dimCounts.forEach((d, c) -> sb.append(sb.length() == 0 ? "" : ", ").append(c)
            .append(c == 1 ? " line has " : " lines have ").append(d).append(d == 1 ? " value" : " values"));
        throw new InputException("embeddings " + path + " disagree on their dimension: " + sb
            + "; every embedding needs the same number of values");
      }
    }
    long wrong = 0;
    SplitReport first = null;
    String firstId = null;
    int firstDim = 0;
    long firstOffset = Long.MAX_VALUE;
    for (SplitReport r : sorted) {
      for (Map.Entry<Integer, long[]> e : r.dims().entrySet()) {
        if (e.getKey().intValue() != expected) {
          wrong += e.getValue()[0];
          boolean earlier = first == null || r.file().compareTo(first.file()) < 0
              || (r.file().equals(first.file()) && e.getValue()[1] < firstOffset);
          if (earlier) {
            first = r;
            firstDim = e.getKey();
            firstOffset = e.getValue()[1];
            firstId = r.dimIds().get(e.getKey());
          }
        }
      }
    }
    if (wrong > 0) {
      throw new InputException(first.file() + " line " + lineNumber(conf, first.file(), firstOffset) + " (id '"
          + shorten(firstId) + "'): " + firstDim + " values, expected " + expected + " (" + expectedFrom + "); "
          + wrong + (wrong == 1 ? " line has" : " lines in total have") + " another number of values");
    }
  }

  /**
   * 1-based line number of a byte offset (reads the file up to it; only used for messages). The
   * offset counts decompressed bytes for a compressed file, as Hadoop's line reader gives them.
   */
  static long lineNumber(Configuration conf, String file, long offset) {
    Path p = new Path(file);
    try (InputStream in = open(conf, p)) {
      long line = 1;
      byte[] buf = new byte[1 << 16];
      long read = 0;
      while (read < offset) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, offset - read));
        if (n < 0) {
          break;
        }
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            line++;
          }
        }
        read += n;
      }
      return line;
    } catch (IOException e) {
      throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The files of a path (a file, or a folder's non-hidden files, sorted); fails naming the path. */
  static List<Path> dataFiles(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p)) {
        throw new InputException("embeddings " + path + " do not exist; check --embeddings");
      }
      List<Path> files = new ArrayList<>();
      if (fs.getFileStatus(p).isFile()) {
        files.add(p);
      } else {
        List<String> folders = new ArrayList<>();
        for (FileStatus st : fs.listStatus(p)) {
          String n = st.getPath().getName();
          if (st.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
            files.add(st.getPath());
          } else if (st.isDirectory() && !n.startsWith("_") && !n.startsWith(".") && !n.contains("=")) {
            folders.add(n); // "k=v" folders are partitions of one table
          }
        }
        if (!folders.isEmpty()) {
          throw new InputException(folderOfFolders(path, folders, fs.exists(new Path(p, RunOutput.MANIFEST))));
        }
      }
      if (files.isEmpty()) {
        throw new InputException("embeddings " + path + " is an empty folder; give a file or a folder of files");
      }
      files.sort(null);
      return files;
    } catch (IOException e) {
      throw new InputException("cannot read embeddings " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The message for embeddings given as a folder that holds folders: a run's output (a sweep, a
   * model folder) rather than one table. Read as text, its json files would be taken for
   * embeddings; the folders it holds are named so the user can pick the table.
   */
  static String folderOfFolders(String path, List<String> folders, boolean isRun) {
    folders.sort(null);
    List<String> shown = folders.subList(0, Math.min(8, folders.size()));
    String where = (isRun ? "the output folder of a cosine-audit run" : "a folder of folders") + " ("
        + String.join(", ", shown) + (folders.size() > shown.size() ? ", ..." : "") + ")";
    return "embeddings " + path + " is " + where + ", not one table of embeddings; give the table itself, e.g. "
        + (folders.contains("item_factors")
            ? new Path(path, "item_factors") + " (and " + new Path(path, "user_factors") + " for --user-embeddings)"
            : folders.contains("models") ? path + "/models/<model-id>/item_factors of a sweep"
            : "a file, or a folder of data files");
  }

  /**
   * A file's bytes, decompressed by the codec its name gives ({@code .gz}, {@code .bz2}, ...), as
   * {@link TextInputFormat} reads them.
   */
  private static InputStream open(Configuration conf, Path p) throws IOException {
    InputStream raw = p.getFileSystem(conf).open(p);
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
    try {
      return codec == null ? raw : codec.createInputStream(raw);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  private static String firstLine(Configuration conf, Path p) {
    try (InputStream in = open(conf, p)) {
      byte[] buf = new byte[4096];
      int n = in.readNBytes(buf, 0, buf.length);
      if (n <= 0) {
        return null;
      }
      String s = new String(buf, 0, n, StandardCharsets.UTF_8);
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl);
    } catch (IOException e) {
      throw new InputException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  private static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }

  private static boolean isInteger(String s) {
    return s.matches("\\d+");
  }

  /** Columns of a CSV header line (empty trailing fields count). */
  private static int csvColumns(String header) {
    List<String> f = DelimitedFields.split(header, ",");
    return f == null ? header.split(",", -1).length : f.size();
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
