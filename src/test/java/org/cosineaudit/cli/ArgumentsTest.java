package org.cosineaudit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.testing.CliRun;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

  private static final List<OptionSpec> SPECS = List.of(
      OptionSpec.path("input", null, "input"),
      OptionSpec.choice("feedback", "explicit", List.of("explicit", "implicit"), "feedback").withChoiceFlags(),
      OptionSpec.reals("alpha", "1", 0, 10, "alphas"),
      OptionSpec.flag("nonnegative", "nonnegative"));

  private static Map<String, String> parse(String... args) {
    return Arguments.parse("sweep", SPECS, List.of(args)).values();
  }

  @Test
  void aChoiceFlagStandsForTheOptionWithThatValue() {
    assertEquals(Map.of("feedback", "implicit", "alpha", "0.5,1", "input", "x"),
        parse("--implicit", "--alpha", "0.5,1", "--input", "x"));
    assertEquals(parse("--feedback", "explicit"), parse("--explicit"));
    assertEquals(Map.of("nonnegative", "true", "feedback", "implicit"), parse("--nonnegative", "--implicit"));
  }

  @Test
  void aChoiceFlagAndItsOptionTogetherAreGivenTwice() {
    ConfigException twice = assertThrows(ConfigException.class, () -> parse("--implicit", "--feedback", "explicit"));
    assertEquals("sweep: option --feedback given twice (--explicit, --implicit stand for --feedback VALUE)",
        twice.getMessage());
    assertThrows(ConfigException.class, () -> parse("--feedback=implicit", "--implicit"));
    ConfigException withValue = assertThrows(ConfigException.class, () -> parse("--implicit=yes"));
    assertEquals("sweep: unknown option --implicit", withValue.getMessage());
  }

  @Test
  void onlySingleChoiceOptionsHaveChoiceFlags() {
    assertThrows(IllegalArgumentException.class,
        () -> OptionSpec.choices("measures", "cosine", List.of("cosine", "dot"), "m").withChoiceFlags());
    List<OptionSpec> clash = List.of(OptionSpec.flag("implicit", "a flag"), SPECS.get(1));
    assertThrows(IllegalStateException.class, () -> Arguments.parse("sweep", clash, List.of()));
  }

  @Test
  void theSweepsHelpListsItsFeedbackFlags() {
    CliRun r = CliRun.withoutSpark("sweep", "--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("--implicit") && r.out().contains("same as --feedback implicit"), r.out());
    assertTrue(r.out().contains("same as --feedback explicit"), r.out());
  }
}
