package org.cosineaudit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cosineaudit.io.DelimitedFields;
import org.junit.jupiter.api.Test;

/** The plain-Java line kernel: splitting, each reason, numbers and ids. */
class InteractionParserTest {

  private static final InteractionParser DAT =
      new InteractionParser("::", 4, 0, 1, 2, 3, Feedback.EXPLICIT);
  private static final InteractionParser IMPLICIT_CSV =
      new InteractionParser(",", -1, 0, 1, 2, -1, Feedback.IMPLICIT);

  private static RejectReason reason(InteractionParser p, String line) {
    return p.parseLine(line).reason();
  }

  @Test
  void acceptedRowKeepsTrimmedStringIdsAndParsesNumbers() {
    InteractionParser.Parsed p = DAT.parseLine(" 007 :: a b ::4.5:: 978300760 ");
    assertTrue(p.ok());
    assertEquals("007", p.user());
    assertEquals("a b", p.item());
    assertEquals(4.5, p.value());
    assertEquals(978300760L, p.timestamp());
  }

  @Test
  void eachReasonOfTheKernel() {
    assertEquals(RejectReason.MISSING_FIELD, reason(DAT, "1::2::3"));
    assertEquals(RejectReason.MISSING_FIELD, reason(DAT, "1::::3::4"));
    assertEquals(RejectReason.EXTRA_FIELD, reason(DAT, "1::2::3::4::5"));
    assertEquals(RejectReason.UNBALANCED_QUOTE, reason(DAT, "\"1::2::3::4"));
    assertEquals(RejectReason.UNPARSABLE_NUMBER, reason(DAT, "1::2::3d::4"));
    assertEquals(RejectReason.UNPARSABLE_NUMBER, reason(DAT, "1::2::0x1p3::4"));
    assertEquals(RejectReason.UNPARSABLE_NUMBER, reason(DAT, "1::2::3::noon"));
    assertEquals(RejectReason.NON_FINITE_VALUE, reason(DAT, "1::2::-Infinity::4"));
    assertEquals(RejectReason.NON_FINITE_VALUE, reason(DAT, "1::2::inf::4"));
    // inside the id: a control character at either end is whitespace to trim(), like a stray \r
    assertEquals(RejectReason.BAD_ID, reason(DAT, "1\u00072::2::3::4"));
    assertEquals(RejectReason.BAD_ID, reason(DAT, "1::caf\uFFFD::3::4"));
    assertEquals(RejectReason.BAD_ID, reason(DAT, "x".repeat(RejectReason.MAX_ID_LENGTH + 1) + "::2::3::4"));
    assertEquals(RejectReason.NEGATIVE_IMPLICIT_WEIGHT, reason(IMPLICIT_CSV, "u,i,-0.5"));
  }

  @Test
  void explicitRatingsMayBeNegativeAndTimestampsMayBeMissingOrWholeDecimals() {
    assertEquals(-3.0, DAT.parseLine("1::2::-3::").value());
    assertNull(DAT.parseLine("1::2::-3::").timestamp());
    assertEquals(964982703L, DAT.parseLine("1::2::3::964982703.0").timestamp());
    assertEquals(RejectReason.UNPARSABLE_NUMBER, reason(DAT, "1::2::3::964982703.5"));
  }

  @Test
  void withoutValueColumnEveryRowWeighsOne() {
    InteractionParser p = new InteractionParser(",", -1, 0, 1, -1, -1, Feedback.IMPLICIT);
    assertEquals(1.0, p.parseLine("u,i").value());
  }

  @Test
  void splitHandlesQuotesMultiCharDelimitersAndEmptyFields() {
    assertEquals(List.of("a", "b", "", "c"), DelimitedFields.split("a::b::::c", "::"));
    assertEquals(List.of("x, y", "say \"hi\"", "3"), DelimitedFields.split("\"x, y\",\"say \"\"hi\"\"\",3", ","));
    assertEquals(List.of("a", ""), DelimitedFields.split("a,", ","));
    assertNull(DelimitedFields.split("\"open,1,2", ","));
  }
}
