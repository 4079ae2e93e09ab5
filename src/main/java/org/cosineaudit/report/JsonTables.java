package org.cosineaudit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders lists of JSON objects (claims, audit checks) as tables without knowing their exact
 * fields: the columns are the union of the objects' fields in first-seen order, and a row's
 * status (pass / fail / warn) is read from a {@code status}, {@code pass}, {@code passed} or
 * {@code ok} field.
 */
final class JsonTables {

  /** Header, rows and per-row status classes. */
  record Table(List<String> header, List<List<String>> rows, List<String> statuses) {
    long count(String status) {
      return statuses.stream().filter(status::equals).count();
    }
  }

  private JsonTables() {}

  /**
   * The objects of {@code node}: an array of objects, an object with an array under
   * {@code listKey}, or an object of objects (the key becomes a {@code name} column).
   */
  static List<JsonNode> objects(JsonNode node, String listKey) {
    List<JsonNode> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    JsonNode list = node.isArray() ? node : node.get(listKey);
    if (list == null) {
      return out;
    }
    if (list.isArray()) {
      list.forEach(n -> {
        if (n.isObject()) {
          out.add(n);
        }
      });
    } else if (list.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = list.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isObject()) {
          var copy = ((com.fasterxml.jackson.databind.node.ObjectNode) e.getValue()).deepCopy();
          if (!copy.has("name")) {
            var withName = copy.objectNode();
            withName.put("name", e.getKey());
            withName.setAll(copy);
            copy = withName;
          }
          out.add(copy);
        }
      }
    }
    return out;
  }

  static Table table(List<JsonNode> objects) {
    Set<String> columns = new LinkedHashSet<>();
    for (JsonNode o : objects) {
      o.fieldNames().forEachRemaining(columns::add);
    }
    List<String> header = new ArrayList<>(columns);
    List<List<String>> rows = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    for (JsonNode o : objects) {
      List<String> row = new ArrayList<>();
      for (String c : header) {
        row.add(cell(o.get(c)));
      }
      rows.add(row);
      statuses.add(status(o));
    }
    return new Table(header, rows, statuses);
  }

  /** "pass", "fail", "warn" or "info" (no status field). */
  static String status(JsonNode o) {
    for (String key : List.of("status", "result", "outcome")) {
      JsonNode s = o.get(key);
      if (s != null && s.isTextual()) {
        return statusWord(s.asText());
      }
    }
    for (String key : List.of("pass", "passed", "ok", "holds")) {
      JsonNode s = o.get(key);
      if (s != null && s.isBoolean()) {
        return s.asBoolean() ? "pass" : "fail";
      }
    }
    return "info";
  }

  static String statusWord(String s) {
    String v = s.toLowerCase(Locale.ROOT).trim();
    if (v.startsWith("pass") || v.equals("ok") || v.equals("true") || v.equals("success") || v.equals("green")) {
      return "pass";
    }
    if (v.startsWith("fail") || v.equals("false") || v.equals("error") || v.equals("red") || v.equals("checks failed")) {
      return "fail";
    }
    if (v.startsWith("warn") || v.startsWith("skip") || v.equals("amber") || v.equals("n/a")) {
      return "warn";
    }
    return "info";
  }

  static String cell(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "";
    }
    if (v.isNumber()) {
      return Html.number(v.asDouble());
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    String s = v.toString();
    return s.length() > 400 ? s.substring(0, 400) + "…" : s;
  }
}
