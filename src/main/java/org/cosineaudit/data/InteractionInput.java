package org.cosineaudit.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;

/**
 * The input options of every job that reads interactions ({@code ingest}, the sweep, ...):
 * where the data is, its layout, the column mapping, what the values mean, and how much bad
 * input is tolerated. Add {@link #options()} to a job's options and build the
 * {@link Config} with {@link #configure(Settings)}; {@link Ingestion#read} does the rest.
 *
 * <p>Defaults: {@code input-format auto} (detects the MovieLens layouts, Parquet, and other
 * delimited text); explicit feedback; duplicates {@code error} for explicit and {@code sum}
 * for implicit feedback ({@link DuplicatePolicy}); at most 1% of rows rejected.
 */
public final class InteractionInput {

  public static final String INPUT = "input";
  public static final String INPUT_FORMAT = "input-format";
  public static final String DELIMITER = "delimiter";
  public static final String HEADER = "header";
  public static final String USER_COL = "user-col";
  public static final String ITEM_COL = "item-col";
  public static final String VALUE_COL = "value-col";
  public static final String TIMESTAMP_COL = "timestamp-col";
  public static final String FEEDBACK = "feedback";
  public static final String IMPLICIT_THRESHOLD = "implicit-threshold";
  public static final String DUPLICATES = "duplicates";
  public static final String MAX_REJECT_FRACTION = "max-reject-fraction";

  /** Names accepted by {@code --delimiter} for characters that are awkward on a command line. */
  static final Map<String, String> DELIMITER_NAMES = Map.of(
      "tab", "\t", "\\t", "\t", "comma", ",", "semicolon", ";", "pipe", "|", "space", " ");

  private static final List<OptionSpec> OPTIONS = List.of(
      OptionSpec.requiredPath(INPUT, "interaction data: a file or a folder of files (local, hdfs://, s3a://)"),
      OptionSpec.choice(INPUT_FORMAT, "auto", InputFormat.IDS,
          "layout of the input; auto detects MovieLens u.data / ratings.dat / ratings.csv, Parquet, other delimited text"),
      OptionSpec.string(DELIMITER, null,
          "field separator of delimited text: tab, comma, semicolon, pipe, space or the literal text such as ::"
              + " (not set: the layout's own; detected from the first line for auto and delimited)"),
      OptionSpec.choice(HEADER, "auto", List.of("auto", "true", "false"),
          "first line of each text file is a header (auto: the layout's rule; delimited: yes when columns are"
              + " named, when the first line's value field is not a number, or, without a value column, when it"
              + " names the user and item columns)"),
      OptionSpec.string(USER_COL, null, "user id column: header name or 0-based position (not set: 0, or 'user' for Parquet)"),
      OptionSpec.string(ITEM_COL, null, "item id column: header name or 0-based position (not set: 1, or 'item' for Parquet)"),
      OptionSpec.string(VALUE_COL, null,
          "rating/weight column: name, position or none (implicit only: every row weighs 1) (not set: 2, or 'value')"),
      OptionSpec.string(TIMESTAMP_COL, null,
          "timestamp column: name, position or none (not set: 3 for MovieLens, 'timestamp' if the header or the"
              + " Parquet schema has it, else none)"),
      OptionSpec.choice(FEEDBACK, "explicit", List.of("explicit", "implicit"),
          "explicit ratings, or implicit weights/counts (must be >= 0)").withChoiceFlags(),
      OptionSpec.real(IMPLICIT_THRESHOLD, null, 0.0, 1e300,
          "implicit only: binarize after duplicates are resolved, value >= threshold -> 1, else 0 (not set: keep weights)"),
      OptionSpec.choice(DUPLICATES, null, DuplicatePolicy.IDS,
          "rows repeating a (user, item) pair: error (all to rejects), keep-last, sum (not set: error for explicit,"
              + " sum for implicit)"),
      OptionSpec.real(MAX_REJECT_FRACTION, 0.01, 0.0, 1.0,
          "fail when more than this fraction of the rows is rejected (superseded duplicates excepted)"));

  private InteractionInput() {}

  /**
   * The validated input configuration.
   *
   * @param input path of a file or folder
   * @param format the requested layout ({@link InputFormat#AUTO} is resolved when reading)
   * @param delimiter the delimiter, or {@code null} for the layout's own / detection
   * @param header {@code null} for the layout's rule / detection
   * @param userCol {@code null} for the layout's default (same for the other columns)
   * @param implicitThreshold {@code null}: keep the weights
   * @param duplicates the effective policy (already defaulted from {@code feedback})
   * @param maxRejectFraction in [0, 1]
   */
  public record Config(String input, InputFormat format, String delimiter, Boolean header, ColumnRef userCol,
      ColumnRef itemCol, ColumnRef valueCol, ColumnRef timestampCol, Feedback feedback, Double implicitThreshold,
      DuplicatePolicy duplicates, double maxRejectFraction) {

    /** True when the user gave any text-layout option (they override the MovieLens detection). */
    public boolean hasLayoutOptions() {
      return delimiter != null || header != null || userCol != null || itemCol != null || valueCol != null
          || timestampCol != null;
    }

    /** The same configuration for another input path (composed jobs). */
    public Config withInput(String path) {
      return new Config(path, format, delimiter, header, userCol, itemCol, valueCol, timestampCol, feedback,
          implicitThreshold, duplicates, maxRejectFraction);
    }
  }

  /** The input options, to be added to a job's own. */
  public static List<OptionSpec> options() {
    return OPTIONS;
  }

  /** Builds and validates the configuration; throws {@link ConfigException} naming the key and the fix. */
  public static Config configure(Settings s) {
    InputFormat format = InputFormat.parse(s.string(INPUT_FORMAT));
    Feedback feedback = Feedback.parse(s.string(FEEDBACK));
    String delimiter = s.optional(DELIMITER).map(InteractionInput::delimiter).orElse(null);
    String headerText = s.string(HEADER);
    Boolean header = headerText.equals("auto") ? null : Boolean.valueOf(headerText);
    ColumnRef user = s.optional(USER_COL).map(ColumnRef::parse).orElse(null);
    ColumnRef item = s.optional(ITEM_COL).map(ColumnRef::parse).orElse(null);
    ColumnRef value = s.optional(VALUE_COL).map(ColumnRef::parse).orElse(null);
    ColumnRef timestamp = s.optional(TIMESTAMP_COL).map(ColumnRef::parse).orElse(null);
    Double threshold = s.optional(IMPLICIT_THRESHOLD).map(Double::valueOf).orElse(null);
    DuplicatePolicy duplicates = s.optional(DUPLICATES).map(DuplicatePolicy::parse)
        .orElse(DuplicatePolicy.defaultFor(feedback));

    if ((user != null && user.isNone()) || (item != null && item.isNone())) {
      throw new ConfigException("'" + (user != null && user.isNone() ? USER_COL : ITEM_COL)
          + "' cannot be none: every interaction needs a user and an item");
    }
    if (value != null && value.isNone() && feedback == Feedback.EXPLICIT) {
      throw new ConfigException("'" + VALUE_COL + "' = none needs --feedback implicit (explicit ratings need a value)");
    }
    if (threshold != null && feedback == Feedback.EXPLICIT) {
      throw new ConfigException("'" + IMPLICIT_THRESHOLD + "' = " + threshold
          + " needs --feedback implicit; remove it or add --feedback implicit");
    }
    if (user != null && user.equals(item)) {
      throw new ConfigException("'" + USER_COL + "' and '" + ITEM_COL + "' are the same column (" + user + ")");
    }
    if (format.isMovieLens() && (delimiter != null || header != null || user != null || item != null
        || value != null || timestamp != null)) {
      throw new ConfigException("'" + INPUT_FORMAT + "' = " + format.id() + " has a fixed layout (user, item, rating,"
          + " timestamp); drop --delimiter/--header/--*-col, or use --input-format delimited");
    }
    if (format == InputFormat.PARQUET && (delimiter != null || header != null)) {
      throw new ConfigException("'" + INPUT_FORMAT + "' = parquet takes no --delimiter or --header");
    }
    return new Config(s.string(INPUT), format, delimiter, header, user, item, value, timestamp, feedback, threshold,
        duplicates, s.real(MAX_REJECT_FRACTION));
  }

  /** A configuration from a few explicit values (tests, composed jobs such as demo); still validated. */
  public static Config of(Map<String, String> values) {
    return configure(Settings.of("ingest", OPTIONS, values));
  }

  /** {@code tab} -> a tab character, etc.; any other text is taken literally. */
  static String delimiter(String given) {
    String d = DELIMITER_NAMES.get(given.toLowerCase(java.util.Locale.ROOT));
    return d != null ? d : given;
  }

  /** A readable name of a delimiter for messages and the manifest. */
  public static String describeDelimiter(String d) {
    if (d == null) {
      return "none";
    }
    for (Map.Entry<String, String> e : new LinkedHashMap<>(DELIMITER_NAMES).entrySet()) {
      if (e.getValue().equals(d) && !e.getKey().startsWith("\\")) {
        return e.getKey();
      }
    }
    return d;
  }

  /** The configuration as strings, for the manifest. */
  public static Map<String, Object> describe(Config c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("input", c.input());
    m.put("format", c.format().id());
    m.put("feedback", c.feedback().id());
    m.put("duplicates", c.duplicates().id());
    m.put("implicit_threshold", c.implicitThreshold());
    m.put("max_reject_fraction", c.maxRejectFraction());
    return m;
  }

  /**
   * Input options that read an interactions table written by this project ({@code io.Tables}:
   * Parquet, or CSV with a header and columns user, item, value) as implicit feedback; for jobs
   * that compose others on a table they wrote (demo, reproduce).
   */
  public static Map<String, String> forProjectTable(String path, org.cosineaudit.io.TableFormat format) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(INPUT, path);
    options.put(FEEDBACK, "implicit");
    if (format == org.cosineaudit.io.TableFormat.PARQUET) {
      options.put(INPUT_FORMAT, "parquet");
    } else {
      options.put(INPUT_FORMAT, "delimited");
      options.put(DELIMITER, "comma");
      options.put(USER_COL, "user");
      options.put(ITEM_COL, "item");
      options.put(VALUE_COL, "value");
    }
    return options;
  }
}
