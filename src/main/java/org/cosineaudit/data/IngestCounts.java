package org.cosineaudit.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cosineaudit.io.Manifest;

/**
 * The accounting of one ingestion. Every data row has exactly one fate:
 * {@code rowsRead = accepted + rejected + merged}; for text,
 * {@code lines = rowsRead + headerLines + blankLines} as well (checked when counted).
 *
 * @param files data files read
 * @param lines text lines (Parquet: rows)
 * @param headerLines one per text file with a header
 * @param blankLines whitespace-only lines, skipped (and counted, never silently)
 * @param rowsRead data rows
 * @param accepted rows in the {@code interactions} table
 * @param rejected rows in the {@code rejects} table
 * @param merged rows folded into another row by {@code --duplicates sum}
 * @param rejectedByReason {@link RejectReason#id()} -> rows, reasons with none omitted, in enum order
 * @param users distinct users among the accepted rows
 * @param items distinct items among the accepted rows
 */
public record IngestCounts(long files, long lines, long headerLines, long blankLines, long rowsRead, long accepted,
    long rejected, long merged, Map<String, Long> rejectedByReason, long users, long items) {

  public IngestCounts {
    rejectedByReason = Map.copyOf(rejectedByReason);
  }

  /** Rejected rows that count against {@code --max-reject-fraction} (all but superseded duplicates). */
  public long rejectedAgainstLimit() {
    long n = 0;
    for (RejectReason r : RejectReason.values()) {
      if (r.countsAgainstLimit()) {
        n += rejectedByReason.getOrDefault(r.id(), 0L);
      }
    }
    return n;
  }

  /** {@link #rejectedAgainstLimit()} over {@link #rowsRead()} (0 for no rows). */
  public double rejectFraction() {
    return rowsRead == 0 ? 0 : (double) rejectedAgainstLimit() / rowsRead;
  }

  /** "unparsable_number 3, missing_field 1" in enum order; "none" when nothing was rejected. */
  public String reasonsText() {
    List<String> parts = new ArrayList<>();
    for (RejectReason r : RejectReason.values()) {
      Long n = rejectedByReason.get(r.id());
      if (n != null && n > 0) {
        parts.add(r.id() + " " + String.format(Locale.ROOT, "%,d", n));
      }
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  /** The accounting, as printed at the end of a run. */
  public List<String> summaryLines() {
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, "read %,d rows from %,d file(s) (%,d lines: %,d header, %,d blank skipped)",
        rowsRead, files, lines, headerLines, blankLines));
    out.add(String.format(Locale.ROOT, "rows read %,d = accepted %,d + rejected %,d + merged %,d",
        rowsRead, accepted, rejected, merged));
    out.add("rejected by reason: " + reasonsText());
    out.add(String.format(Locale.ROOT, "accepted interactions: %,d users x %,d items", users, items));
    return out;
  }

  /** Records every count in the manifest ({@code counts}). */
  public void record(Manifest m) {
    m.count("files", files);
    m.count("lines", lines);
    m.count("header_lines", headerLines);
    m.count("blank_lines", blankLines);
    m.count("rows_read", rowsRead);
    m.count("accepted", accepted);
    m.count("rejected", rejected);
    m.count("merged", merged);
    m.count("users", users);
    m.count("items", items);
    Map<String, Long> byReason = new LinkedHashMap<>();
    for (RejectReason r : RejectReason.values()) {
      byReason.put(r.id(), rejectedByReason.getOrDefault(r.id(), 0L));
    }
    m.detail("rejected_by_reason", byReason);
  }
}
