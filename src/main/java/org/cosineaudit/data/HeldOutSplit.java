package org.cosineaudit.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.cosineaudit.run.InputException;

/**
 * A deterministic per-user held-out split of an interactions table (contract columns
 * {@code user}, {@code item}, {@code value}, {@code timestamp}).
 *
 * <p>Each user with {@code n} interactions gives {@code floor(fraction * n)} of them to the test
 * set, so every user keeps at least one training interaction and users with few interactions
 * stay entirely in training. Which ones:
 * <ul>
 *   <li>{@link Mode#RANDOM}: the ones with the smallest {@code xxhash64(seed, user, item)}. A pure
 *       function of the ids, unlike {@code randomSplit}, whose result depends on the input's
 *       partitioning: the split is the same in local mode, on a cluster and for every model.
 *   <li>{@link Mode#TIME}: the user's latest interactions (ties broken by item id).
 *   <li>{@link Mode#AUTO}: TIME when every row has a timestamp and they are not all equal
 *       (Spark's sample ratings share one timestamp), RANDOM otherwise.
 * </ul>
 */
public final class HeldOutSplit {

  /** How the held-out interactions are chosen. */
  public enum Mode {
    AUTO, RANDOM, TIME;

    public static final List<String> NAMES = List.of("auto", "random", "time");

    public static Mode parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The two parts, with the input's columns.
   *
   * @param mode the mode actually used (never AUTO)
   */
  public record Split(Dataset<Row> train, Dataset<Row> test, Mode mode) {}

  private HeldOutSplit() {}

  /**
   * Splits {@code interactions}; {@code fraction} in [0, 1). Lazy except for AUTO's one-row
   * look at the timestamps.
   */
  public static Split split(Dataset<Row> interactions, Mode mode, double fraction, long seed) {
    checkFraction(fraction);
    Mode used = resolve(interactions, mode);
    Dataset<Row> marked = mark(interactions, used, fraction, seed);
    String[] columns = interactions.columns();
    Column[] keep = new Column[columns.length];
    for (int i = 0; i < columns.length; i++) {
      keep[i] = col(columns[i]);
    }
    return new Split(marked.where(col(TEST).equalTo(false)).select(keep), marked.where(col(TEST)).select(keep), used);
  }

  /** Name of the boolean column {@link #mark} adds: true for held-out rows. */
  public static final String TEST = "_test";

  /**
   * The mode {@link #split} uses: {@code mode} itself, or for AUTO the one the data allows (one
   * aggregation over {@code interactions}; ingestion finds the same in its counting pass,
   * {@link Ingested#usableTimestamps}).
   */
  public static Mode resolve(Dataset<Row> interactions, Mode mode) {
    return resolve(mode != Mode.RANDOM && hasUsableTimestamps(interactions), mode);
  }

  /**
   * The mode {@link #split} uses, when whether the timestamps are usable is known already (see
   * {@link #usableTimestamps}; {@link Ingested#usableTimestamps} for ingested data). TIME asked
   * for on data without usable timestamps fails: ordering by missing or equal timestamps would
   * choose the held-out rows by item id while reporting a time split.
   */
  public static Mode resolve(boolean usableTimestamps, Mode mode) {
    if (mode == Mode.TIME && !usableTimestamps) {
      throw new InputException("--holdout time needs a timestamp on every interaction, and not all the same; "
          + "this input has rows without one or a single timestamp (see the manifest's input_layout for the "
          + "timestamp column, --timestamp-col to name it); use --holdout random, or auto");
    }
    return mode == Mode.AUTO ? (usableTimestamps ? Mode.TIME : Mode.RANDOM) : mode;
  }

  /**
   * The rule AUTO follows: true when every row has a timestamp and at least two differ.
   *
   * @param rows interactions
   * @param withTimestamp interactions with a timestamp
   * @param min smallest timestamp (null when none)
   * @param max largest timestamp
   */
  public static boolean usableTimestamps(long rows, long withTimestamp, Object min, Object max) {
    return rows == withTimestamp && min != null && !min.equals(max);
  }

  /**
   * The interactions with a boolean column {@link #TEST} (true: held out), chosen as the type's
   * javadoc says; {@link #split} is this column's two sides. One window per user, lazy: a caller
   * that needs both sides, and more than the contract columns, marks once and filters (the
   * window is the expensive part of a split).
   *
   * @param used RANDOM or TIME (see {@link #resolve})
   */
  public static Dataset<Row> mark(Dataset<Row> interactions, Mode used, double fraction, long seed) {
    checkFraction(fraction);
    if (used == Mode.AUTO) {
      throw new IllegalArgumentException("mark needs a resolved mode (RANDOM or TIME), got AUTO");
    }
    // the order key is a column of its own, and both window columns use one spec (the count over
    // the whole user frame), so Spark runs one window over one sort: with the hash written inside
    // each spec, every spec gets its own alias of it, and each alias its own sort of all rows
    Column order = used == Mode.TIME ? col("timestamp").desc() : col("_order").asc();
    WindowSpec perUser = Window.partitionBy("user").orderBy(order, col("item").asc());
    return interactions
        .withColumn("_order", xxhash64(lit(seed), col("user"), col("item")))
        .withColumn("_n", count(lit(1)).over(
            perUser.rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing())))
        .withColumn("_pos", row_number().over(perUser))
        .withColumn(TEST, col("_pos").leq(floor(col("_n").multiply(fraction))))
        .drop("_n", "_pos", "_order");
  }

  private static void checkFraction(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + fraction);
    }
  }

  /** True when every row has a timestamp and at least two differ. */
  static boolean hasUsableTimestamps(Dataset<Row> interactions) {
    if (!List.of(interactions.columns()).contains("timestamp")) {
      return false;
    }
    Row r = interactions.agg(count(lit(1)), count(col("timestamp")), min(col("timestamp")), max(col("timestamp")))
        .head();
    return usableTimestamps(r.getLong(0), r.getLong(1), r.get(2), r.get(3));
  }
}
