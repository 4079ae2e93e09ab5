package org.cosineaudit.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.cosineaudit.io.DelimitedFields;
import org.cosineaudit.io.Fingerprint;
import org.cosineaudit.run.InputException;

/**
 * Decides an input's layout on the driver, reading only the file listing and the first line
 * of the first non-empty file (O(1) data). Missing and empty inputs fail here, naming the path.
 *
 * <p>{@code auto}: Parquet when any file ends in {@code .parquet}; otherwise, unless the user
 * gave a delimiter, header or column option (then it is {@code delimited}), the first line
 * decides: the header {@code userId,movieId,rating,timestamp} is MovieLens CSV, four numeric
 * {@code ::} fields MovieLens {@code .dat}, four numeric tab fields MovieLens 100K
 * {@code u.data}; anything else is delimited text with the first of {@code ::}, tab, comma,
 * semicolon, pipe found in that line.
 */
public final class LayoutDetection {

  static final String MOVIELENS_CSV_HEADER = "userId,movieId,rating,timestamp";
  private static final List<String> SNIFFED_DELIMITERS = List.of("::", "\t", ",", ";", "|");

  private LayoutDetection() {}

  /** Lists the input's data files and resolves the layout; fails naming the path for missing/empty input. */
  public static InputLayout detect(InteractionInput.Config config, Configuration hadoopConf) {
    String input = config.input();
    List<FileStatus> files = listDataFiles(input, hadoopConf);
    List<String> paths = new ArrayList<>();
    long bytes = 0;
    boolean anyParquet = false;
    for (FileStatus f : files) {
      paths.add(f.getPath().toString());
      bytes += f.getLen();
      anyParquet |= f.getPath().getName().endsWith(".parquet");
    }
    if (bytes == 0) {
      throw new InputException("input " + input + " is empty (" + files.size()
          + " file(s), 0 bytes); point --input at the interaction data");
    }
    InputFormat format = config.format();
    if (format == InputFormat.PARQUET || (format == InputFormat.AUTO && anyParquet)) {
      return parquet(config, paths, bytes, format == InputFormat.AUTO ? "detected: .parquet files" : "--input-format parquet");
    }
    String first = firstLine(files, hadoopConf, input);
    if (format == InputFormat.AUTO) {
      if (config.hasLayoutOptions()) {
        return delimited(config, paths, bytes, first, "auto with delimiter/header/column options: delimited");
      }
      InputFormat movieLens = movieLensLayout(first);
      if (movieLens != null) {
        return movieLens(movieLens, paths, bytes, "detected from the first line");
      }
      return delimited(config, paths, bytes, first, "detected: not a MovieLens layout");
    }
    if (format.isMovieLens()) {
      return movieLens(format, paths, bytes, "--input-format " + format.id());
    }
    return delimited(config, paths, bytes, first, "--input-format delimited");
  }

  /** The MovieLens layout a first line shows, or {@code null}. */
  static InputFormat movieLensLayout(String first) {
    String line = first.trim();
    if (line.equals(MOVIELENS_CSV_HEADER)) {
      return InputFormat.MOVIELENS_CSV;
    }
    if (line.contains("::") && fourNumbers(DelimitedFields.split(line, "::"))) {
      return InputFormat.MOVIELENS_DAT;
    }
    if (line.contains("\t") && fourNumbers(DelimitedFields.split(line, "\t"))) {
      return InputFormat.MOVIELENS_100K;
    }
    return null;
  }

  private static boolean fourNumbers(List<String> fields) {
    if (fields == null || fields.size() != 4) {
      return false;
    }
    for (String f : fields) {
      if (!InteractionParser.looksNumeric(f)) {
        return false;
      }
    }
    return true;
  }

  private static InputLayout movieLens(InputFormat f, List<String> paths, long bytes, String reason) {
    return new InputLayout(paths, bytes, f, f.delimiter(), f.header(), 4, ColumnRef.at(0), ColumnRef.at(1), ColumnRef.at(2),
        ColumnRef.at(3), null, false, reason);
  }

  private static InputLayout parquet(InteractionInput.Config c, List<String> paths, long bytes, String reason) {
    ColumnRef user = c.userCol() != null ? c.userCol() : new ColumnRef("user", -1);
    ColumnRef item = c.itemCol() != null ? c.itemCol() : new ColumnRef("item", -1);
    ColumnRef value = c.valueCol() != null ? c.valueCol() : new ColumnRef("value", -1);
    // null: 'timestamp' when the files have it (resolved against the schema when reading)
    ColumnRef ts = c.timestampCol();
    return new InputLayout(paths, bytes, InputFormat.PARQUET, null, false, -1, user, item, value, ts, null, true, reason);
  }

  private static InputLayout delimited(InteractionInput.Config c, List<String> paths, long bytes, String first,
      String reason) {
    String line = stripBom(first);
    String delimiter = c.delimiter();
    String why = reason;
    if (delimiter == null) {
      for (String d : SNIFFED_DELIMITERS) {
        if (line.contains(d)) {
          delimiter = d;
          break;
        }
      }
      if (delimiter == null) {
        throw new InputException("cannot tell the field delimiter of " + paths.get(0) + " from its first line '"
            + abbreviate(line) + "'; give --delimiter (tab, comma, semicolon, pipe, space or the literal text)");
      }
      why += "; delimiter detected";
    }
    ColumnRef user = c.userCol() != null ? c.userCol() : ColumnRef.at(0);
    ColumnRef item = c.itemCol() != null ? c.itemCol() : ColumnRef.at(1);
    ColumnRef value = c.valueCol() != null ? c.valueCol() : ColumnRef.at(2);
    ColumnRef ts = c.timestampCol() != null ? c.timestampCol() : ColumnRef.NONE;
    boolean named = user.byName() || item.byName() || value.byName() || ts.byName();
    List<String> fields = DelimitedFields.split(line, delimiter);
    boolean header;
    if (c.header() != null) {
      header = c.header();
    } else if (named) {
      header = true;
      why += "; header because columns are named";
    } else if (!value.isNone()) {
      // a first line whose value field is not a number is a header ("weight", "rating")
      int probe = value.position();
      header = fields != null && probe < fields.size() && !InteractionParser.looksNumeric(fields.get(probe));
      why += header ? "; header detected" : "; no header detected";
    } else {
      // no value field to tell by: a header names the user and item columns ("user,item", "userId,itemId")
      header = fields != null && user.position() < fields.size() && item.position() < fields.size()
          && isIdColumnName(fields.get(user.position()), "user") && isIdColumnName(fields.get(item.position()), "item");
      why += header ? "; header detected (user and item columns named)"
          : "; no header detected (no value column to tell by: --header true if the first line is one)";
    }
    if (named && !header) {
      throw new InputException("columns are mapped by name but --header false was given for " + paths.get(0)
          + "; use positions (0-based) or --header true");
    }
    if (header) {
      if (fields == null) {
        throw new InputException("the header of " + paths.get(0) + " has an unclosed quote: '" + abbreviate(line) + "'");
      }
      user = resolve(user, "--user-col", fields, paths.get(0));
      item = resolve(item, "--item-col", fields, paths.get(0));
      value = resolve(value, "--value-col", fields, paths.get(0));
      ts = resolve(ts, "--timestamp-col", fields, paths.get(0));
      // a header naming a timestamp column (this tool's own CSV interactions do): use it
      int timestampAt = c.timestampCol() == null ? indexOf(fields, "timestamp") : -1;
      if (timestampAt >= 0) {
        ts = ColumnRef.at(timestampAt);
        why += "; timestamp from the header's 'timestamp' column";
      }
    }
    return new InputLayout(paths, bytes, InputFormat.DELIMITED, delimiter, header, -1, user, item, value, ts,
        header ? line.trim() : null, named, why);
  }

  /** True for a header's name of the {@code kind} ("user", "item") id column: user, userId, user_id, ... */
  static boolean isIdColumnName(String field, String kind) {
    String f = field.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    return f.equals(kind) || f.equals(kind + "id");
  }

  /** Position of a column name in a header: the exact name first, else ignoring case; -1 when absent. */
  private static int indexOf(List<String> header, String name) {
    int at = header.indexOf(name);
    for (int k = 0; k < header.size() && at < 0; k++) {
      if (header.get(k).equalsIgnoreCase(name)) {
        at = k;
      }
    }
    return at;
  }

  /** A named column becomes its position in the header; a position must exist in the header. */
  private static ColumnRef resolve(ColumnRef ref, String option, List<String> header, String file) {
    if (ref.isNone()) {
      return ref;
    }
    if (ref.byName()) {
      int at = indexOf(header, ref.name());
      if (at < 0) {
        throw new InputException(option + " '" + ref.name() + "' is not a column of " + file + "; its header has: "
            + String.join(", ", header));
      }
      return new ColumnRef(ref.name(), at);
    }
    if (ref.position() >= header.size()) {
      throw new InputException(option + " " + ref.position() + " is beyond the " + header.size() + " columns of "
          + file + " (" + String.join(", ", header) + "); positions are 0-based");
    }
    return ColumnRef.at(ref.position());
  }

  /** Data files under the input (a file, or a folder searched recursively), sorted by path. */
  static List<FileStatus> listDataFiles(String input, Configuration conf) {
    try {
      Path root = new Path(input);
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw new InputException("input " + input + " does not exist; check --input");
      }
      List<FileStatus> files = new ArrayList<>();
      FileStatus st = fs.getFileStatus(root);
      if (st.isFile()) {
        files.add(st);
      } else {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          if (!Fingerprint.hidden(root, f.getPath())) {
            files.add(f);
          }
        }
      }
      files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
      if (files.isEmpty()) {
        throw new InputException("input " + input + " is an empty folder (no data files; names starting with _ or ."
            + " are skipped); point --input at the interaction data");
      }
      return files;
    } catch (IOException e) {
      throw new InputException("cannot read input " + input + ": " + e.getMessage(), e);
    }
  }

  /** The first line of the first non-empty file (decompressed when the name says so). */
  private static String firstLine(List<FileStatus> files, Configuration conf, String input) {
    CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
    for (FileStatus f : files) {
      if (f.getLen() == 0) {
        continue;
      }
      try {
        FileSystem fs = f.getPath().getFileSystem(conf);
        InputStream raw = fs.open(f.getPath());
        CompressionCodec codec = codecs.getCodec(f.getPath());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            codec == null ? raw : codec.createInputStream(raw), StandardCharsets.UTF_8))) {
          String line = r.readLine();
          if (line != null) {
            return stripBom(line);
          }
        }
      } catch (IOException e) {
        throw new InputException("cannot read input " + f.getPath() + ": " + e.getMessage(), e);
      }
    }
    throw new InputException("input " + input + " holds no lines; point --input at the interaction data");
  }

  static String stripBom(String line) {
    return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
