package org.cosineaudit.data;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resolved layout of an input: what {@link LayoutDetection} decided from the
 * configuration and the data. For text, columns are positions (names were looked up in the
 * header); for Parquet they may stay names.
 *
 * @param files the data files read, sorted (hidden {@code _*} and {@code .*} files skipped)
 * @param bytes their total size
 * @param delimiter {@code null} for Parquet
 * @param fixedFields the MovieLens layouts' exact field count (4), otherwise -1
 * @param value {@link ColumnRef#NONE}: every row weighs 1
 * @param timestamp {@link ColumnRef#NONE}: no timestamps; {@code null} (Parquet only): the
 *     column {@code timestamp} when present
 * @param headerLine the first file's header line, or {@code null}; other files must repeat it
 *     when columns are mapped by name
 * @param reason how the layout was decided, for the summary and the manifest
 */
public record InputLayout(List<String> files, long bytes, InputFormat format, String delimiter, boolean header,
    int fixedFields, ColumnRef user, ColumnRef item, ColumnRef value, ColumnRef timestamp, String headerLine,
    boolean namedColumns, String reason) implements Serializable {

  public InputLayout {
    files = List.copyOf(files);
  }

  /** A text-line parser for this layout (text formats only). */
  public InteractionParser parser(Feedback feedback) {
    return new InteractionParser(delimiter, fixedFields, user.position(), item.position(), value.position(),
        timestamp.position(), feedback);
  }

  /** One line for the summary, e.g. "delimited, delimiter tab, header, columns user=0 item=1 value=2". */
  public String describe() {
    StringBuilder sb = new StringBuilder(format.id());
    if (delimiter != null) {
      sb.append(", delimiter ").append(InteractionInput.describeDelimiter(delimiter));
      sb.append(header ? ", header" : ", no header");
    }
    sb.append(", columns user=").append(user).append(" item=").append(item).append(" value=").append(value)
        .append(" timestamp=").append(timestampText());
    sb.append(" (").append(reason).append(')');
    return sb.toString();
  }

  private String timestampText() {
    // Parquet without --timestamp-col: the column named 'timestamp' when the files have one
    return timestamp == null ? "timestamp (if present)" : timestamp.toString();
  }

  /** For the manifest. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", format.id());
    m.put("delimiter", InteractionInput.describeDelimiter(delimiter));
    m.put("header", header);
    m.put("user", user.toString());
    m.put("item", item.toString());
    m.put("value", value.toString());
    m.put("timestamp", timestampText());
    m.put("files", files.size());
    m.put("decided_by", reason);
    return m;
  }
}
