package org.cosineaudit.data;

import java.io.Serializable;

/**
 * A column of the input, by header name or by 0-based position ({@code --user-col userId}
 * or {@code --user-col 0}). {@code none} (value column only) means "no such column".
 *
 * @param name the header name, or {@code null} when given by position
 * @param position the 0-based position, or -1 when given by name
 */
public record ColumnRef(String name, int position) implements Serializable {

  public static final ColumnRef NONE = new ColumnRef(null, -1);

  public static ColumnRef parse(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("none")) {
      return NONE;
    }
    if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
      return new ColumnRef(null, Integer.parseInt(t));
    }
    return new ColumnRef(t, -1);
  }

  public static ColumnRef at(int position) {
    return new ColumnRef(null, position);
  }

  public boolean isNone() {
    return name == null && position < 0;
  }

  public boolean byName() {
    return name != null;
  }

  @Override
  public String toString() {
    return isNone() ? "none" : byName() ? name : Integer.toString(position);
  }
}
