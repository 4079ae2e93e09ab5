package org.cosineaudit.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.run.InputException;
import scala.Tuple2;

/**
 * Text input as rows with their file and 1-based line number, parsed on the executors.
 *
 * <p>Line numbers without a driver-side pass over the data: a first job counts the lines of
 * every input split (one small row per split comes back); a split's first line number is the
 * sum of the counts of the earlier splits of the same file. The second pass numbers lines
 * from there. Hadoop's line reader gives each line to exactly one split, so the counts add up
 * to the file's line count, and "\n", "\r\n" and "\r" all end a line.
 */
final class NumberedLines {

  private NumberedLines() {}

  /**
   * Lines and their parse outcome, rows of {@link Ingestion#PARSED_SCHEMA}; also the total line
   * count and the file names that the rows' {@code file} numbers ({@link Ingestion#fileNumbers}).
   */
  record Read(JavaRDD<Row> rows, long lines, List<String> files) {}

  static Read read(SparkSession spark, InputLayout layout, Feedback feedback, String input) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf;
    try {
      Job job = Job.getInstance(new Configuration(spark.sparkContext().hadoopConfiguration()));
      Path[] paths = layout.files().stream().map(Path::new).toArray(Path[]::new);
      FileInputFormat.setInputPaths(job, paths);
      conf = job.getConfiguration();
    } catch (IOException e) {
      throw new InputException("cannot read input " + input + ": " + e.getMessage(), e);
    }
    @SuppressWarnings("unchecked")
    JavaNewHadoopRDD<LongWritable, Text> text = (JavaNewHadoopRDD<LongWritable, Text>)
        jsc.newAPIHadoopRDD(conf, TextInputFormat.class, LongWritable.class, Text.class);

    List<SplitCount> counts;
    try {
      counts = text.mapPartitionsWithInputSplit(new CountSplitLines(), false).collect();
    } catch (RuntimeException e) {
      throw new InputException("cannot read input " + input + ": " + rootMessage(e), e);
    }
    Map<String, Long> firstLine = firstLineOfSplits(counts);
    long lines = 0;
    List<String> names = new ArrayList<>();
    for (SplitCount c : counts) {
      lines += c.lines();
      names.add(c.file());
    }
    List<String> files = Ingestion.fileNumbers(names);
    JavaRDD<Row> rows = text.mapPartitionsWithInputSplit(
        new ParseSplitLines(firstLine, Ingestion.numbering(files), layout.parser(feedback), layout.header(),
            layout.namedColumns() ? layout.headerLine() : null), false);
    return new Read(rows, lines, files);
  }

  /** The line count of one input split. */
  record SplitCount(String file, long start, long lines) implements java.io.Serializable {}

  /** Split key "file@start" -> 1-based number of the split's first line. */
  static Map<String, Long> firstLineOfSplits(List<SplitCount> counts) {
    List<SplitCount> sorted = new ArrayList<>(counts);
    sorted.sort(Comparator.comparing(SplitCount::file).thenComparingLong(SplitCount::start));
    Map<String, Long> first = new HashMap<>();
    String file = null;
    long next = 1;
    for (SplitCount c : sorted) {
      if (!c.file().equals(file)) {
        file = c.file();
        next = 1;
      }
      first.put(key(c.file(), c.start()), next);
      next += c.lines();
    }
    return first;
  }

  static String key(String file, long start) {
    return file + "@" + start;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }

  /** Counts the lines of one split. */
  static final class CountSplitLines
      implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<SplitCount>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<SplitCount> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines) {
      FileSplit fs = (FileSplit) split;
      long n = 0;
      while (lines.hasNext()) {
        lines.next();
        n++;
      }
      return List.of(new SplitCount(fs.getPath().toString(), fs.getStart(), n)).iterator();
    }
  }

  /** Numbers and parses the lines of one split into rows of {@link Ingestion#PARSED_SCHEMA}. */
  static final class ParseSplitLines
      implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<Row>> {
    private static final long serialVersionUID = 1L;
    private final Map<String, Long> firstLine;
    private final Map<String, Integer> fileNumbers;
    private final InteractionParser parser;
    private final boolean header;
    private final String expectedHeader;

    ParseSplitLines(Map<String, Long> firstLine, Map<String, Integer> fileNumbers, InteractionParser parser,
        boolean header, String expectedHeader) {
      this.firstLine = firstLine;
      this.fileNumbers = fileNumbers;
      this.parser = parser;
      this.header = header;
      this.expectedHeader = expectedHeader;
    }

    @Override
    public Iterator<Row> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines) {
      FileSplit fs = (FileSplit) split;
      String file = fs.getPath().toString();
      Long start = firstLine.get(key(file, fs.getStart()));
      Integer number = fileNumbers.get(file);
      if (start == null || number == null) {
        throw new IllegalStateException("no line count for split " + key(file, fs.getStart()));
      }
      int fileNumber = number;
      return new Iterator<>() {
        private long line = start;

        @Override
        public boolean hasNext() {
          return lines.hasNext();
        }

        @Override
        public Row next() {
          if (!lines.hasNext()) {
            throw new NoSuchElementException();
          }
          // Text is reused by the reader: decode now
          String raw = lines.next()._2().toString();
          long number = line++;
          if (number == 1) {
            raw = LayoutDetection.stripBom(raw);
            if (header) {
              if (expectedHeader != null && !raw.trim().equals(expectedHeader)) {
                throw new InputException("file " + file + " has the header '" + LayoutDetection.abbreviate(raw.trim())
                    + "' but the first file has '" + LayoutDetection.abbreviate(expectedHeader)
                    + "'; columns are mapped by name, so every file needs the same header");
              }
              return Ingestion.markerRow(fileNumber, number, raw, Ingestion.FATE_HEADER);
            }
          }
          if (raw.isBlank()) {
            return Ingestion.markerRow(fileNumber, number, raw, Ingestion.FATE_BLANK);
          }
          return Ingestion.parsedRow(fileNumber, number, raw, parser.parseLine(raw));
        }
      };
    }
  }

}
