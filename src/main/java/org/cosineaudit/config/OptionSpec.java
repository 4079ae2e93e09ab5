package org.cosineaudit.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One option of a job: its key (the command-line flag without {@code --}, and the key in
 * the job's {@code conf/} file), its kind, its built-in default and its allowed range.
 *
 * <p>Values travel as strings until {@link #validate(String, String)} checks them; typed
 * access goes through {@link Settings}. A {@code null} default means "not set": the option
 * is optional unless {@link #required()} says otherwise. {@link #choiceFlags()}: the choices
 * are also flags of the command line ({@link #withChoiceFlags}).
 */
public record OptionSpec(
    String key,
    Kind kind,
    String defaultValue,
    boolean required,
    double min,
    double max,
    List<String> choices,
    String description,
    boolean choiceFlags) {

  /** What a value must look like. List kinds take comma-separated values. */
  public enum Kind {
    STRING, PATH, INT, LONG, DOUBLE, FLAG, CHOICE, INT_LIST, DOUBLE_LIST, CHOICE_LIST, PATH_LIST;

    boolean isList() {
      return this == INT_LIST || this == DOUBLE_LIST || this == CHOICE_LIST || this == PATH_LIST;
    }
  }

  public OptionSpec {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
    choices = choices == null ? List.of() : List.copyOf(choices);
    Objects.requireNonNull(description, "description");
  }

  public static OptionSpec string(String key, String def, String description) {
    return new OptionSpec(key, Kind.STRING, def, false, 0, 0, null, description, false);
  }

  public static OptionSpec path(String key, String def, String description) {
    return new OptionSpec(key, Kind.PATH, def, false, 0, 0, null, description, false);
  }

  public static OptionSpec requiredPath(String key, String description) {
    return new OptionSpec(key, Kind.PATH, null, true, 0, 0, null, description, false);
  }

  public static OptionSpec paths(String key, String description) {
    return new OptionSpec(key, Kind.PATH_LIST, null, false, 0, 0, null, description, false);
  }

  public static OptionSpec integer(String key, Integer def, int min, int max, String description) {
    return new OptionSpec(key, Kind.INT, def == null ? null : def.toString(), false, min, max, null, description,
        false);
  }

  public static OptionSpec longInt(String key, Long def, long min, long max, String description) {
    return new OptionSpec(key, Kind.LONG, def == null ? null : def.toString(), false, min, max, null, description,
        false);
  }

  public static OptionSpec real(String key, Double def, double min, double max, String description) {
    return new OptionSpec(key, Kind.DOUBLE, def == null ? null : trim(def), false, min, max, null, description, false);
  }

  public static OptionSpec flag(String key, String description) {
    return new OptionSpec(key, Kind.FLAG, "false", false, 0, 0, null, description, false);
  }

  public static OptionSpec choice(String key, String def, List<String> choices, String description) {
    return new OptionSpec(key, Kind.CHOICE, def, false, 0, 0, choices, description, false);
  }

  public static OptionSpec choices(String key, String def, List<String> choices, String description) {
    return new OptionSpec(key, Kind.CHOICE_LIST, def, false, 0, 0, choices, description, false);
  }

  public static OptionSpec integers(String key, String def, int min, int max, String description) {
    return new OptionSpec(key, Kind.INT_LIST, def, false, min, max, null, description, false);
  }

  public static OptionSpec reals(String key, String def, double min, double max, String description) {
    return new OptionSpec(key, Kind.DOUBLE_LIST, def, false, min, max, null, description, false);
  }

  /** The same option, but it must be given (no default). */
  public OptionSpec asRequired() {
    return new OptionSpec(key, kind, null, true, min, max, choices, description, choiceFlags);
  }

  /** The same option with another default. */
  public OptionSpec withDefault(String def) {
    return new OptionSpec(key, kind, def, required, min, max, choices, description, choiceFlags);
  }

  /**
   * The same choice option whose choices are also flags: {@code --implicit} stands for
   * {@code --feedback implicit} on the command line, {@code implicit = true} for
   * {@code feedback = implicit} in config files ({@link #choiceFlags(String, List)}).
   */
  public OptionSpec withChoiceFlags() {
    if (kind != Kind.CHOICE) {
      throw new IllegalArgumentException("only a single-choice option has choice flags, not " + key);
    }
    return new OptionSpec(key, kind, defaultValue, required, min, max, choices, description, true);
  }

  /**
   * Every choice flag of a job's options, mapped to the option it sets; the command line and the
   * config files read flags through this one map.
   *
   * @throws IllegalStateException when a flag is also an option or another option's flag (a bug)
   */
  public static java.util.Map<String, OptionSpec> choiceFlags(String job, List<OptionSpec> specs) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    specs.forEach(s -> keys.add(s.key()));
    java.util.Map<String, OptionSpec> flags = new java.util.LinkedHashMap<>();
    for (OptionSpec s : specs) {
      if (s.choiceFlags()) {
        for (String c : s.choices()) {
          if (keys.contains(c) || flags.put(c, s) != null) {
            throw new IllegalStateException(job + ": choice flag --" + c + " is also an option (a bug)");
          }
        }
      }
    }
    return flags;
  }

  /**
   * Checks one value and returns it normalized (trimmed; lists without blanks).
   *
   * @param source where the value came from, for the message ("command line", a file path)
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public String validate(String value, String source) {
    String v = value.trim();
    if (kind == Kind.FLAG) {
      String lower = v.toLowerCase(Locale.ROOT);
      if (lower.equals("true") || lower.equals("false")) {
        return lower;
      }
      throw invalid(value, source, "true or false");
    }
    if (kind.isList()) {
      List<String> parts = new ArrayList<>();
      for (String part : v.split(",")) {
        String p = part.trim();
        if (!p.isEmpty()) {
          parts.add(checkScalar(p, value, source));
        }
      }
      if (parts.isEmpty()) {
        throw invalid(value, source, "a comma-separated list of at least one value, each " + allowedValue());
      }
      return String.join(",", parts);
    }
    if (v.isEmpty()) {
      throw invalid(value, source, allowed());
    }
    return checkScalar(v, value, source);
  }

  private String checkScalar(String v, String whole, String source) {
    switch (kind) {
      case INT, INT_LIST, LONG -> {
        long parsed;
        try {
          parsed = Long.parseLong(v);
        } catch (NumberFormatException e) {
          throw invalid(whole, source, allowed());
        }
        if (parsed < min || parsed > max || (kind != Kind.LONG && parsed != (int) parsed)) {
          throw invalid(whole, source, allowed());
        }
        return Long.toString(parsed);
      }
      case DOUBLE, DOUBLE_LIST -> {
        double parsed;
        try {
          parsed = Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw invalid(whole, source, allowed());
        }
        if (!Double.isFinite(parsed) || parsed < min || parsed > max) {
          throw invalid(whole, source, allowed());
        }
        return canonical(v);
      }
      case CHOICE, CHOICE_LIST -> {
        String lower = v.toLowerCase(Locale.ROOT);
        if (!choices.contains(lower)) {
          throw invalid(whole, source, allowed());
        }
        return lower;
      }
      default -> {
        return v;
      }
    }
  }

  /**
   * One spelling per number ("0.10", "1e-1" and ".1" are all "0.1"; "1.0" is "1"), so that a
   * resumed run compares values, not spellings. Plain notation unless that gets long.
   */
  static String canonical(String number) {
    BigDecimal d = new BigDecimal(number).stripTrailingZeros();
    if (d.signum() == 0) {
      return "0";
    }
    String plain = d.toPlainString();
    return plain.length() <= 24 ? plain : d.toString();
  }

  /** Human description of the allowed values, used in messages and in usage. */
  public String allowed() {
    return kind.isList() ? "comma-separated, each " + allowedValue() : allowedValue();
  }

  /** The allowed values of one value (one element of a list). */
  private String allowedValue() {
    return switch (kind) {
      case INT, INT_LIST, LONG -> "an integer in [" + (long) min + ", " + (long) max + "]";
      case DOUBLE, DOUBLE_LIST -> "a number in [" + trim(min) + ", " + trim(max) + "]";
      case CHOICE, CHOICE_LIST -> "one of " + String.join(", ", choices);
      case FLAG -> "true or false";
      case PATH, PATH_LIST -> "a path (local, hdfs://, s3a://, ...)";
      case STRING -> "a non-empty string";
    };
  }

  private ConfigException invalid(String value, String source, String expected) {
    return new ConfigException(
        "invalid value for '" + key + "' (" + source + "): '" + value + "'; expected " + expected);
  }

  private static String trim(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
