package org.cosineaudit.report;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** Tolerant access to collected summary rows: by column name, numbers from any numeric or text type. */
final class Rows {

  private Rows() {}

  static boolean has(StructType schema, String column) {
    return Arrays.asList(schema.fieldNames()).contains(column);
  }

  /** The first of {@code candidates} the schema has (case-insensitive), or null. */
  static String firstColumn(StructType schema, List<String> candidates) {
    for (String c : candidates) {
      for (String f : schema.fieldNames()) {
        if (f.equalsIgnoreCase(c)) {
          return f;
        }
      }
    }
    return null;
  }

  static String string(Row r, String column) {
    if (column == null) {
      return null;
    }
    Object v = r.get(r.fieldIndex(column));
    return v == null ? null : v.toString();
  }

  /** The value as a double; null when missing, null-valued or not a number. */
  static Double number(Row r, String column) {
    if (column == null) {
      return null;
    }
    Object v = r.get(r.fieldIndex(column));
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** A table cell: numbers formatted, arrays joined, nulls empty. */
  static String cell(Row r, int i) {
    Object v = r.get(i);
    if (v == null) {
      return "";
    }
    if (v instanceof Double || v instanceof Float) {
      return Html.number(((Number) v).doubleValue());
    }
    if (v instanceof scala.collection.Seq<?>) {
      StringBuilder sb = new StringBuilder();
      for (Object x : r.getList(i)) {
        sb.append(sb.length() == 0 ? "" : " ").append(x);
      }
      return sb.toString();
    }
    return v.toString();
  }

  static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
