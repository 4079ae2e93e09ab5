package org.cosineaudit.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The refusal to resume names what changed, including a new results version. */
class RunOutputDifferencesTest {

  @Test
  void namesChangedAddedAndRemovedKeysInKeyOrder() {
    Map<String, String> now = new LinkedHashMap<>();
    now.put("reg", "0.5");
    now.put("results-version", "2");
    now.put("rank", "16");
    String before = "{\"rank\":\"16\",\"reg\":\"0.1,1\",\"results-version\":\"1\",\"seeds\":\"0\"}";
    assertEquals("reg: 0.1,1 before, now 0.5; results-version: 1 before, now 2; seeds: 0 before, now not set",
        RunOutput.differences(before, now));
  }

  @Test
  void aMissingOrUnreadableConfigurationIsSaidSo() {
    assertEquals("it has no configuration file: not a run of this tool, or an interrupted one",
        RunOutput.differences(null, Map.of("reg", "1")));
    assertEquals("its configuration file is unreadable", RunOutput.differences("{not json", Map.of("reg", "1")));
  }
}
