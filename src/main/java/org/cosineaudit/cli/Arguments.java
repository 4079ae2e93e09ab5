package org.cosineaudit.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;

/**
 * A job's command line: {@code --key value}, {@code --key=value}, {@code --flag}, and for list
 * options several values ({@code --neighbours a b c} or {@code --neighbours a,b,c}).
 * A choice option with choice flags ({@link OptionSpec#withChoiceFlags}) also takes its value
 * as a flag of its own: {@code --implicit} is {@code --feedback implicit}. {@code --config FILE}
 * and {@code --help} are handled here.
 */
record Arguments(Map<String, String> values, String configFile, boolean help) {

  static final String CONFIG = "config";

  static Arguments parse(String job, List<OptionSpec> specs, List<String> args) {
    Map<String, OptionSpec> byKey = new LinkedHashMap<>();
    for (OptionSpec s : specs) {
      byKey.put(s.key(), s);
    }
    Map<String, OptionSpec> choiceFlags = OptionSpec.choiceFlags(job, specs);
    Map<String, String> values = new LinkedHashMap<>();
    String config = null;
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--help") || a.equals("-h")) {
        help = true;
        continue;
      }
      if (!a.startsWith("--") || a.length() == 2) {
        throw new ConfigException(job + ": unexpected argument '" + a + "' (options start with --)");
      }
      String key = a.substring(2);
      String inline = null;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        inline = key.substring(eq + 1);
        key = key.substring(0, eq);
      }
      if (key.equals(CONFIG)) {
        config = inline != null ? inline : next(job, args, i++, key);
        continue;
      }
      OptionSpec spec = byKey.get(key);
      String flagged = null;
      if (spec == null && inline == null && choiceFlags.containsKey(key)) {
        flagged = key;
        spec = choiceFlags.get(key);
        key = spec.key();
      }
      if (spec == null) {
        throw new ConfigException(job + ": unknown option --" + key);
      }
      if (values.containsKey(key)) {
        throw new ConfigException(job + ": option --" + key + " given twice" + (spec.choiceFlags()
            ? " (--" + String.join(", --", spec.choices()) + " stand for --" + key + " VALUE)" : ""));
      }
      if (flagged != null) {
        values.put(key, flagged);
      } else if (inline != null) {
        values.put(key, inline);
      } else if (spec.kind() == OptionSpec.Kind.FLAG) {
        boolean explicit = i + 1 < args.size() && (args.get(i + 1).equals("true") || args.get(i + 1).equals("false"));
        values.put(key, explicit ? args.get(++i) : "true");
      } else if (spec.kind().name().endsWith("_LIST")) {
        List<String> items = new ArrayList<>();
        while (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
          items.add(args.get(++i));
        }
        if (items.isEmpty()) {
          throw new ConfigException(job + ": option --" + key + " needs a value (" + spec.allowed() + ")");
        }
        values.put(key, String.join(",", items));
      } else {
        values.put(key, next(job, args, i++, key));
      }
    }
    return new Arguments(values, config, help);
  }

  private static String next(String job, List<String> args, int i, String key) {
    if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
      throw new ConfigException(job + ": option --" + key + " needs a value");
    }
    return args.get(i + 1);
  }
}
