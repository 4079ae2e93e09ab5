package org.cosineaudit.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved, validated options of one job run: every key of the job's {@link OptionSpec}s
 * with its value (or none) and where that value came from. Typed getters never fail on a
 * value that passed resolution; asking for an undeclared key is a programming error.
 */
public final class Settings {

  private final String job;
  private final Map<String, OptionSpec> specs;
  private final Map<String, String> values;
  private final Map<String, String> sources;

  Settings(String job, List<OptionSpec> specs, Map<String, String> values, Map<String, String> sources) {
    this.job = job;
    Map<String, OptionSpec> bySpec = new LinkedHashMap<>();
    for (OptionSpec s : specs) {
      bySpec.put(s.key(), s);
    }
    this.specs = Collections.unmodifiableMap(bySpec);
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
  }

  /** Settings from explicit values only (tests, composed jobs); still validated. */
  public static Settings of(String job, List<OptionSpec> specs, Map<String, String> given) {
    return ConfigResolver.resolve(job, specs, given, Map.of(), null, Map.of(), null);
  }

  public String job() {
    return job;
  }

  /** Resolved values in declaration order (unset options are absent). */
  public Map<String, String> values() {
    return values;
  }

  /** Where each value came from: "command line", a config file path, or "default". */
  public Map<String, String> sources() {
    return sources;
  }

  /**
   * Every path given to a path option, as (option, path) pairs, list options split: for checks
   * across options, such as an output that would overwrite an input.
   */
  public List<Map.Entry<String, String>> paths() {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    values.forEach((key, value) -> {
      OptionSpec.Kind kind = specs.get(key).kind();
      if (kind == OptionSpec.Kind.PATH) {
        out.add(Map.entry(key, value));
      } else if (kind == OptionSpec.Kind.PATH_LIST) {
        for (String v : value.split(",")) {
          out.add(Map.entry(key, v));
        }
      }
    });
    return out;
  }

  public boolean isSet(String key) {
    spec(key);
    return values.containsKey(key);
  }

  public String string(String key) {
    return optional(key).orElseThrow(() -> new ConfigException("option '" + key + "' is required for " + job));
  }

  public Optional<String> optional(String key) {
    spec(key);
    return Optional.ofNullable(values.get(key));
  }

  public int integer(String key) {
    return Integer.parseInt(string(key));
  }

  public long longInt(String key) {
    return Long.parseLong(string(key));
  }

  public double real(String key) {
    return Double.parseDouble(string(key));
  }

  public boolean flag(String key) {
    return Boolean.parseBoolean(optional(key).orElse("false"));
  }

  public List<String> list(String key) {
    return optional(key).map(v -> List.of(v.split(","))).orElse(List.of());
  }

  public List<Integer> integers(String key) {
    List<Integer> out = new ArrayList<>();
    for (String s : list(key)) {
      out.add(Integer.parseInt(s));
    }
    return out;
  }

  public List<Double> reals(String key) {
    List<Double> out = new ArrayList<>();
    for (String s : list(key)) {
      out.add(Double.parseDouble(s));
    }
    return out;
  }

  /** A copy with some values replaced (validated again). Used by jobs that compose others. */
  public Settings with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(values);
    merged.putAll(overrides);
    return ConfigResolver.resolve(job, List.copyOf(specs.values()), merged, Map.of(), null, Map.of(), null);
  }

  private OptionSpec spec(String key) {
    OptionSpec s = specs.get(key);
    if (s == null) {
      throw new IllegalArgumentException("job " + job + " declares no option '" + key + "'; declared: "
          + String.join(", ", specs.keySet()));
    }
    return s;
  }

  @Override
  public String toString() {
    return job + values + " from " + Arrays.toString(sources.values().stream().distinct().toArray());
  }
}
