package org.cosineaudit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigResolverTest {

  private static final List<OptionSpec> SPECS = List.of(
      OptionSpec.integer("k", 20, 1, 1000, "neighbours"),
      OptionSpec.real("rate", 0.5, 0.0, 1.0, "a rate"),
      OptionSpec.choice("format", "parquet", List.of("parquet", "csv"), "format"),
      OptionSpec.reals("reg", "0.1,1", 0.0, 1e6, "grid"),
      OptionSpec.flag("overwrite", "flag"),
      OptionSpec.requiredPath("input", "input"));

  @TempDir Path dir;

  @Test
  void commandLineBeatsConfigFileBeatsJobFileBeatsDefault() throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("job.properties"), "k = 5\nrate = 0.25\nformat = csv\n");
    Path extra = Files.writeString(dir.resolve("extra.properties"), "k = 7\nrate = 0.75\n");
    Settings s = ConfigResolver.resolve("job", SPECS, Map.of("k", "9", "input", "x"), extra, conf);
    assertEquals(9, s.integer("k"));
    assertEquals("command line", s.sources().get("k"));
    assertEquals(0.75, s.real("rate"));
    assertEquals(extra.toString(), s.sources().get("rate"));
    assertEquals("csv", s.string("format"));
    assertEquals(conf.resolve("job.properties").toString(), s.sources().get("format"));
    assertEquals(List.of(0.1, 1.0), s.reals("reg"));
    assertEquals("default", s.sources().get("reg"));
    assertEquals(false, s.flag("overwrite"));
  }

  @Test
  void numbersGetOneSpellingSoThatResumedRunsCompareValues() {
    Settings s = ConfigResolver.resolve("job", SPECS, Map.of("rate", ".50", "reg", "0.10, 1.0,1e-3,100,2.5E+2",
        "input", "x"), null, dir);
    assertEquals("0.5", s.values().get("rate"));
    assertEquals("0.1,1,0.001,100,250", s.values().get("reg"));
    assertEquals(List.of(0.1, 1.0, 0.001, 100.0, 250.0), s.reals("reg"));
    assertEquals("0", OptionSpec.canonical("-0.0"));
    assertEquals("1E+300", OptionSpec.canonical("1e300"));
    assertEquals("1E-30", OptionSpec.canonical("0.000000000000000000000000000001"));
  }

  @Test
  void unknownKeyInFileListsTheValidKeys() throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("job.properties"), "kk = 5\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve("job", SPECS, Map.of("input", "x"), null, conf));
    assertTrue(e.getMessage().contains("unknown option 'kk'"), e.getMessage());
    assertTrue(e.getMessage().contains("valid: k, rate, format, reg, overwrite, input"), e.getMessage());
  }

  @Test
  void outOfRangeValueNamesKeyValueAndRange() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve("job", SPECS, Map.of("k", "0", "input", "x"), null, null));
    assertEquals("invalid value for 'k' (from command line): '0'; expected an integer in [1, 1000]", e.getMessage());
    ConfigException e2 = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve("job", SPECS, Map.of("rate", "abc", "input", "x"), null, null));
    assertTrue(e2.getMessage().contains("'rate'") && e2.getMessage().contains("[0, 1]"), e2.getMessage());
    ConfigException e3 = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve("job", SPECS, Map.of("format", "orc", "input", "x"), null, null));
    assertTrue(e3.getMessage().contains("one of parquet, csv"), e3.getMessage());
    ConfigException e4 = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve("job", SPECS, Map.of("reg", "0.1,-1", "input", "x"), null, null));
    assertTrue(e4.getMessage().contains("'reg'"), e4.getMessage());
  }

  @Test
  void badValueInFileNamesTheFile() throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("job.properties"), "rate = 2\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve("job", SPECS, Map.of("input", "x"), null, conf));
    assertTrue(e.getMessage().contains(conf.resolve("job.properties").toString()), e.getMessage());
  }

  @Test
  void missingRequiredOptionIsNamed() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve("job", SPECS, Map.of(), null, null));
    assertEquals("job: missing required option --input", e.getMessage());
  }

  @Test
  void missingConfigFileIsAnError() {
    assertThrows(ConfigException.class,
        () -> ConfigResolver.resolve("job", SPECS, Map.of("input", "x"), dir.resolve("nope.properties"), null));
  }

  private static final List<OptionSpec> WITH_FLAGS = List.of(
      OptionSpec.choice("feedback", "explicit", List.of("explicit", "implicit"), "feedback").withChoiceFlags(),
      OptionSpec.choice("mode", "a", List.of("a", "b", "c"), "three choices").withChoiceFlags(),
      OptionSpec.requiredPath("input", "input"));

  private Settings withFiles(Map<String, String> commandLine, String configFile, String jobFile) throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("job.properties"), jobFile);
    Path extra = Files.writeString(dir.resolve("extra.properties"), configFile);
    Map<String, String> cl = new java.util.HashMap<>(commandLine);
    cl.put("input", "x");
    return ConfigResolver.resolve("job", WITH_FLAGS, cl, extra, conf);
  }

  @Test
  void aChoiceFlagIsAKeyOfConfigFilesToo() throws IOException {
    Settings s = withFiles(Map.of(), "implicit = true\n", "");
    assertEquals("implicit", s.string("feedback"));
    assertEquals(dir.resolve("extra.properties").toString(), s.sources().get("feedback"));
    // false names the other choice of a two-choice option
    assertEquals("explicit", withFiles(Map.of(), "", "implicit = false\n").string("feedback"));
    assertEquals("c", withFiles(Map.of(), "", "c = TRUE\n").string("mode"));
    // the usual precedence: the command line, then --config, then the job's file
    assertEquals("explicit", withFiles(Map.of("feedback", "explicit"), "implicit = true\n", "").string("feedback"));
    assertEquals("implicit", withFiles(Map.of(), "implicit = true\n", "feedback = explicit\n").string("feedback"));
  }

  @Test
  void aChoiceGivenTwiceInOneFileOrAFlagWithoutTrueIsAnError() {
    ConfigException twice = assertThrows(ConfigException.class,
        () -> withFiles(Map.of(), "feedback = explicit\nimplicit = true\n", ""));
    assertTrue(twice.getMessage().contains("sets 'feedback' twice (feedback, implicit)"), twice.getMessage());
    assertTrue(twice.getMessage().contains("extra.properties"), twice.getMessage());
    ConfigException flags = assertThrows(ConfigException.class,
        () -> withFiles(Map.of(), "", "implicit = true\nexplicit = true\n"));
    assertTrue(flags.getMessage().contains("sets 'feedback' twice (explicit, implicit)"), flags.getMessage());
    ConfigException value = assertThrows(ConfigException.class, () -> withFiles(Map.of(), "implicit = yes\n", ""));
    assertTrue(value.getMessage().contains("'implicit = yes'") && value.getMessage().contains("takes true or false"),
        value.getMessage());
    // with three choices, false does not name one
    ConfigException three = assertThrows(ConfigException.class, () -> withFiles(Map.of(), "b = false\n", ""));
    assertTrue(three.getMessage().contains("b takes true (it stands for mode = b); or write mode = a|b|c"),
        three.getMessage());
  }
}
