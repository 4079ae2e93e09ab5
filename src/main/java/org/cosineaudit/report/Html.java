package org.cosineaudit.report;

import java.util.List;
import java.util.Locale;

/**
 * A small HTML builder for the report. Everything that comes from data goes through
 * {@link #text(String)} or {@link #escape(String)}; only the report's own fixed markup is
 * appended raw. The page carries a Content-Security-Policy that forbids scripts and any
 * resource not beside the page, so even a missed escape could not run code or fetch from
 * the network.
 */
final class Html {

  private final StringBuilder sb = new StringBuilder(64 * 1024);

  /** HTML-escapes text for element content and double-quoted attribute values. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          // control characters other than tab/newline are not valid in HTML text
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** Raw, trusted markup written by the report itself. */
  Html raw(String markup) {
    sb.append(markup);
    return this;
  }

  /** Data text, escaped. */
  Html text(String s) {
    sb.append(escape(s));
    return this;
  }

  /** {@code <tag class="cls">escaped text</tag>}. */
  Html element(String tag, String cls, String text) {
    sb.append('<').append(tag);
    if (cls != null) {
      sb.append(" class=\"").append(escape(cls)).append('"');
    }
    sb.append('>').append(escape(text)).append("</").append(tag).append(">\n");
    return this;
  }

  Html paragraph(String text) {
    return element("p", null, text);
  }

  Html note(String text) {
    return element("p", "note", text);
  }

  /** Opens a report section with an anchor id (fixed by the report) and an escaped heading. */
  Html openSection(String id, String heading) {
    sb.append("<section id=\"").append(escape(id)).append("\">\n<h2>").append(escape(heading)).append("</h2>\n");
    return this;
  }

  Html closeSection() {
    sb.append("</section>\n");
    return this;
  }

  /** A figure: PNG file beside the page, with an alt text and a caption (both escaped). */
  Html figure(String file, String alt, String caption) {
    return figure(file, alt, caption, null);
  }

  /** A figure with a CSS class from the report's own vocabulary (e.g. "wide"). */
  Html figure(String file, String alt, String caption, String cls) {
    sb.append(cls == null ? "<figure>" : "<figure class=\"" + escape(cls) + "\">")
        .append("<img src=\"").append(escape(file)).append("\" alt=\"").append(escape(alt))
        .append("\" loading=\"eager\"><figcaption>").append(escape(caption)).append("</figcaption></figure>\n");
    return this;
  }

  /** A table of text cells; each cell escaped. Numeric-looking cells are right-aligned. */
  Html table(List<String> header, List<List<String>> rows) {
    return table(header, rows, null);
  }

  /**
   * A table of text cells, escaped.
   *
   * @param rowClasses per-row CSS class (fixed report vocabulary, e.g. "pass"/"fail"), or null
   */
  Html table(List<String> header, List<List<String>> rows, List<String> rowClasses) {
    sb.append("<div class=\"scroll\"><table>\n<thead><tr>");
    for (String h : header) {
      sb.append("<th>").append(escape(h)).append("</th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (int r = 0; r < rows.size(); r++) {
      String cls = rowClasses == null ? null : rowClasses.get(r);
      sb.append(cls == null ? "<tr>" : "<tr class=\"" + escape(cls) + "\">");
      for (String cell : rows.get(r)) {
        sb.append(isNumeric(cell) ? "<td class=\"num\">" : "<td>").append(escape(cell)).append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</tbody></table></div>\n");
    return this;
  }

  static boolean isNumeric(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    try {
      Double.parseDouble(s.replace(",", ""));
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Formats a number for a table: integers plainly, others with 4 significant digits. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    if (a >= 1e-3 && a < 1e6) {
      return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }
    return String.format(Locale.ROOT, "%.3e", v);
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
