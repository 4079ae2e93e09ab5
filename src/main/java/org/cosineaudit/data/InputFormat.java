package org.cosineaudit.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Layouts of interaction input ({@code --input-format}).
 *
 * <p>The MovieLens layouts are fixed: columns user, item, rating, timestamp, explicit by
 * default. {@link #DELIMITED} is any text file with a column mapping; {@link #PARQUET} maps
 * columns by name or position. {@link #AUTO} looks at the input (see {@link LayoutDetection}).
 */
public enum InputFormat {
  AUTO(null, false),
  /** MovieLens 100K {@code u.data}: tab-separated, no header. */
  MOVIELENS_100K("\t", false),
  /** MovieLens 1M/10M {@code ratings.dat}: {@code ::}-separated, no header. */
  MOVIELENS_DAT("::", false),
  /** MovieLens 20M/25M/32M/latest {@code ratings.csv}: comma-separated, header {@code userId,movieId,rating,timestamp}. */
  MOVIELENS_CSV(",", true),
  /** Any delimited text file with {@code --delimiter}, {@code --header} and a column mapping. */
  DELIMITED(",", false),
  /** Parquet files (a file or a folder of them). */
  PARQUET(null, false);

  private final String delimiter;
  private final boolean header;

  InputFormat(String delimiter, boolean header) {
    this.delimiter = delimiter;
    this.header = header;
  }

  public static final List<String> IDS;

  static {
    List<String> ids = new ArrayList<>();
    for (InputFormat f : values()) {
      ids.add(f.id());
    }
    IDS = List.copyOf(ids);
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static InputFormat parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** The layout's field delimiter ({@code null} for AUTO and PARQUET). */
  public String delimiter() {
    return delimiter;
  }

  /** Whether the first line of each file is a header, by default. */
  public boolean header() {
    return header;
  }

  /** The fixed four-column MovieLens layouts (user, item, rating, timestamp). */
  public boolean isMovieLens() {
    return this == MOVIELENS_100K || this == MOVIELENS_DAT || this == MOVIELENS_CSV;
  }
}
