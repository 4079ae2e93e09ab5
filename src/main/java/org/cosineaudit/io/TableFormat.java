package org.cosineaudit.io;

import java.util.List;
import java.util.Locale;

/** How tables are written: Parquet (default) or CSV with a header. */
public enum TableFormat {
  PARQUET,
  CSV;

  public static final List<String> NAMES = List.of("parquet", "csv");

  public static TableFormat parse(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT));
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
