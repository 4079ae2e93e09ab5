package org.cosineaudit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.cosineaudit.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Validation of the input options before any Spark work, and the auto-detection rules. */
class InteractionInputTest {

  private static InteractionInput.Config config(String... kv) {
    Map<String, String> m = IngestionFixture.opts(kv);
    m.putIfAbsent("input", "data.csv");
    return InteractionInput.of(m);
  }

  private static String error(String... kv) {
    return assertThrows(ConfigException.class, () -> config(kv)).getMessage();
  }

  @Test
  void defaultsAreAutoExplicitErrorOnDuplicatesAndOnePercent() {
    InteractionInput.Config c = config();
    assertEquals(InputFormat.AUTO, c.format());
    assertEquals(Feedback.EXPLICIT, c.feedback());
    assertEquals(DuplicatePolicy.ERROR, c.duplicates());
    assertEquals(0.01, c.maxRejectFraction());
    assertNull(c.delimiter());
    assertEquals(DuplicatePolicy.SUM, config("feedback", "implicit").duplicates());
    assertEquals(DuplicatePolicy.KEEP_LAST, config("feedback", "implicit", "duplicates", "keep-last").duplicates());
  }

  @Test
  void delimiterNamesAndColumnReferences() {
    InteractionInput.Config c = config("delimiter", "tab", "user-col", "userID", "item-col", "1", "value-col", "none",
        "feedback", "implicit");
    assertEquals("\t", c.delimiter());
    assertEquals("userID", c.userCol().name());
    assertEquals(1, c.itemCol().position());
    assertTrue(c.valueCol().isNone());
    assertEquals("::", config("delimiter", "::").delimiter());
  }

  @Test
  void inconsistentOptionsNameTheKeyAndTheFix() {
    assertTrue(error("implicit-threshold", "2").contains("--feedback implicit"));
    assertTrue(error("value-col", "none").contains("--feedback implicit"));
    assertTrue(error("user-col", "2", "item-col", "2").contains("same column"));
    assertTrue(error("input-format", "movielens-dat", "delimiter", ",").contains("fixed layout"));
    assertTrue(error("input-format", "parquet", "header", "true").contains("parquet"));
    assertTrue(error("max-reject-fraction", "1.5").contains("max-reject-fraction"));
    assertTrue(error("duplicates", "first").contains("error, keep-last, sum"));
  }

  @Test
  void movieLensLayoutsAreRecognisedFromTheFirstLine() {
    assertEquals(InputFormat.MOVIELENS_CSV, LayoutDetection.movieLensLayout("userId,movieId,rating,timestamp"));
    assertEquals(InputFormat.MOVIELENS_DAT, LayoutDetection.movieLensLayout("1::1193::5::978300760"));
    assertEquals(InputFormat.MOVIELENS_100K, LayoutDetection.movieLensLayout("196\t242\t3\t881250949"));
    assertNull(LayoutDetection.movieLensLayout("userID\tartistID\tweight"));
    assertNull(LayoutDetection.movieLensLayout("2\t51\t13883"));
    assertNull(LayoutDetection.movieLensLayout("1,1,4.0,964982703"));
  }
}
