package org.cosineaudit.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The one place that decides a job's option values, with one precedence everywhere:
 * command line &gt; {@code --config FILE} &gt; the job's file in {@code conf/} &gt; built-in default.
 *
 * <p>Config files are Java properties files ({@code key = value}, {@code #} comments) whose
 * keys are the job's option keys. Unknown keys are an error that lists the valid ones. A choice
 * that is also a flag of the command line ({@link OptionSpec#withChoiceFlags}) is a key of the
 * files too, like the flag: {@code implicit = true} is {@code feedback = implicit}.
 */
public final class ConfigResolver {

  /** System property that points at the {@code conf/} directory (set by submit.sh). */
  public static final String CONF_DIR_PROPERTY = "cosine.audit.conf.dir";

  private ConfigResolver() {}

  /**
   * Resolves a job's settings.
   *
   * @param commandLine values given on the command line
   * @param configFile values from {@code --config FILE}, or empty
   * @param configFileName its path, for messages
   * @param jobFile values from {@code conf/<job>.properties}, or empty
   * @param jobFileName its path, for messages
   */
  public static Settings resolve(
      String job,
      List<OptionSpec> specs,
      Map<String, String> commandLine,
      Map<String, String> configFile,
      String configFileName,
      Map<String, String> jobFile,
      String jobFileName) {
    Map<String, OptionSpec> byKey = new LinkedHashMap<>();
    for (OptionSpec s : specs) {
      byKey.put(s.key(), s);
    }
    checkKnown(job, byKey, commandLine, "command line");
    configFile = choiceFlagsAsValues(job, specs, configFile, configFileName);
    jobFile = choiceFlagsAsValues(job, specs, jobFile, jobFileName);
    checkKnown(job, byKey, configFile, configFileName);
    checkKnown(job, byKey, jobFile, jobFileName);

    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (OptionSpec spec : specs) {
      String key = spec.key();
      String raw;
      String source;
      if (commandLine.containsKey(key)) {
        raw = commandLine.get(key);
        source = "command line";
      } else if (configFile.containsKey(key)) {
        raw = configFile.get(key);
        source = configFileName;
      } else if (jobFile.containsKey(key)) {
        raw = jobFile.get(key);
        source = jobFileName;
      } else {
        raw = spec.defaultValue();
        source = "default";
      }
      // an empty value in a file means "unset" (e.g. "checkpoint-dir =")
      if (raw == null || (raw.isBlank() && !"command line".equals(source))) {
        if (spec.required()) {
          missing.add("--" + key);
        }
        continue;
      }
      values.put(key, spec.validate(raw, "from " + source));
      sources.put(key, source);
    }
    if (!missing.isEmpty()) {
      throw new ConfigException(job + ": missing required option" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing));
    }
    return new Settings(job, specs, values, sources);
  }

  /** Resolves using the job's file under {@code confDir} (may be null) and an optional --config file. */
  public static Settings resolve(
      String job, List<OptionSpec> specs, Map<String, String> commandLine, Path configFile, Path confDir) {
    Map<String, String> fromConfig = Map.of();
    String configName = null;
    if (configFile != null) {
      if (!Files.isRegularFile(configFile)) {
        throw new ConfigException("--config " + configFile + ": no such file");
      }
      fromConfig = readProperties(configFile);
      configName = configFile.toString();
    }
    Map<String, String> fromJobFile = Map.of();
    String jobFileName = null;
    if (confDir != null) {
      Path jobPath = confDir.resolve(job + ".properties");
      if (Files.isRegularFile(jobPath)) {
        fromJobFile = readProperties(jobPath);
        jobFileName = jobPath.toString();
      }
    }
    return resolve(job, specs, commandLine, fromConfig, configName, fromJobFile, jobFileName);
  }

  /** The {@code conf/} directory: the system property, else {@code ./conf} when it exists. */
  public static Path defaultConfDir() {
    String prop = System.getProperty(CONF_DIR_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    Path local = Path.of("conf");
    return Files.isDirectory(local) ? local : null;
  }

  public static Map<String, String> readProperties(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : new TreeSet<>(p.stringPropertyNames())) {
      out.put(name, p.getProperty(name));
    }
    return out;
  }

  /**
   * A file's values with its choice-flag keys ({@code implicit = true}) replaced by the option they
   * stand for ({@code feedback = implicit}). {@code false} names the other choice of a two-choice
   * option ({@code implicit = false} is {@code feedback = explicit}); giving the option and one of its
   * flags, or two of its flags, in one file is an error, as on the command line.
   */
  static Map<String, String> choiceFlagsAsValues(String job, List<OptionSpec> specs, Map<String, String> given,
      String where) {
    Map<String, String> out = new LinkedHashMap<>(given);
    for (OptionSpec spec : new java.util.LinkedHashSet<>(OptionSpec.choiceFlags(job, specs).values())) {
      List<String> flags = new ArrayList<>();
      for (String c : spec.choices()) {
        if (given.containsKey(c)) {
          flags.add(c);
        }
      }
      if (flags.isEmpty()) {
        continue;
      }
      if (flags.size() > 1 || given.containsKey(spec.key())) {
        List<String> keys = new ArrayList<>(flags);
        if (given.containsKey(spec.key())) {
          keys.add(0, spec.key());
        }
        throw new ConfigException(job + ": " + where + " sets '" + spec.key() + "' twice (" + String.join(", ", keys)
            + "); keep one: " + String.join(", ", spec.choices()) + " = true stand for " + spec.key() + " = VALUE");
      }
      String flag = flags.get(0);
      String raw = out.remove(flag).trim();
      String value;
      if (raw.equalsIgnoreCase("true")) {
        value = flag;
      } else if (raw.equalsIgnoreCase("false") && spec.choices().size() == 2) {
        value = spec.choices().get(spec.choices().get(0).equals(flag) ? 1 : 0);
      } else {
        throw new ConfigException(job + ": '" + flag + " = " + raw + "' in " + where + ": " + flag + " takes true"
            + (spec.choices().size() == 2 ? " or false" : "") + " (it stands for " + spec.key() + " = " + flag
            + "); or write " + spec.key() + " = " + String.join("|", spec.choices()));
      }
      out.put(spec.key(), value);
    }
    return out;
  }

  private static void checkKnown(String job, Map<String, OptionSpec> byKey, Map<String, String> given, String where) {
    for (String key : given.keySet()) {
      if (!byKey.containsKey(key)) {
        throw new ConfigException("unknown option '" + key + "' for job " + job + " (" + where + "); valid: "
            + String.join(", ", byKey.keySet()));
      }
    }
  }
}
