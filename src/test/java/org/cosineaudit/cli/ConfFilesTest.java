package org.cosineaudit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cosineaudit.config.ConfigResolver;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.run.Job;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/** Every job has a documented file in conf/ that lists exactly its options, with valid defaults. */
class ConfFilesTest {

  @Test
  void everyJobHasAConfFileWithEveryOptionAndOnlyThose() {
    Path conf = SparkTestSession.projectDir().resolve("conf");
    for (Job<?> job : Jobs.ALL) {
      Path file = conf.resolve(job.name() + ".properties");
      assertTrue(Files.isRegularFile(file), "missing " + file);
      Map<String, String> values = ConfigResolver.readProperties(file);
      Set<String> declared = new TreeSet<>();
      for (OptionSpec o : job.options()) {
        declared.add(o.key());
      }
      Set<String> inFile = new TreeSet<>(values.keySet());
      assertEquals(declared, inFile, "keys of " + file + " vs options of job " + job.name());
      for (OptionSpec o : job.options()) {
        String v = values.get(o.key());
        String def = o.defaultValue() == null ? "" : o.defaultValue();
        assertEquals(def, v.trim(), file + ": '" + o.key() + "' should show the built-in default");
      }
    }
  }
}
