package org.cosineaudit.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Splitting one line of delimited text into fields, honouring RFC 4180 quotes. Shared by
 * ingestion's line parser and {@link EmbeddingReader}, so that a quoted id holding the delimiter
 * or a quote reads the same in both.
 */
public final class DelimitedFields {

  private DelimitedFields() {}

  /**
   * Splits a line on {@code delimiter}, trimming fields; quoted fields may hold the delimiter.
   * A field that starts with a double quote runs to the matching quote, {@code ""} inside it
   * being one literal quote (RFC 4180, as {@link Tables#write} writes CSV).
   *
   * @return the fields, or {@code null} when a quote is not closed
   */
  public static List<String> split(String line, String delimiter) {
    List<String> fields = new ArrayList<>();
    if (line.indexOf('"') < 0) {
      // the common case, without the quote scan (and without skipping spaces before a field)
      for (int start = 0; start >= 0; ) {
        start = unquoted(line, start, delimiter, fields);
      }
      return fields;
    }
    int pos = 0;
    int n = line.length();
    while (true) {
      while (pos < n && line.charAt(pos) == ' ') {
        pos++;
      }
      StringBuilder field = new StringBuilder();
      if (pos < n && line.charAt(pos) == '"') {
        pos++;
        boolean closed = false;
        while (pos < n) {
          char c = line.charAt(pos);
          if (c == '"') {
            if (pos + 1 < n && line.charAt(pos + 1) == '"') {
              field.append('"');
              pos += 2;
              continue;
            }
            pos++;
            closed = true;
            break;
          }
          field.append(c);
          pos++;
        }
        if (!closed) {
          return null;
        }
        // anything between the closing quote and the delimiter belongs to the field
        int at = line.indexOf(delimiter, pos);
        field.append(at < 0 ? line.substring(pos) : line.substring(pos, at));
        fields.add(field.toString().trim());
        if (at < 0) {
          return fields;
        }
        pos = at + delimiter.length();
      } else {
        pos = unquoted(line, pos, delimiter, fields);
        if (pos < 0) {
          return fields;
        }
      }
    }
  }

  /** Adds the unquoted field starting at {@code pos}; returns where the next one starts, or -1 at the end. */
  private static int unquoted(String line, int pos, String delimiter, List<String> fields) {
    int at = line.indexOf(delimiter, pos);
    fields.add((at < 0 ? line.substring(pos) : line.substring(pos, at)).trim());
    return at < 0 ? -1 : at + delimiter.length();
  }
}
