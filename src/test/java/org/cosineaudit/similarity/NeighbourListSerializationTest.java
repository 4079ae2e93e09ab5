package org.cosineaudit.similarity;

import static org.cosineaudit.similarity.FactorBlockSerializationTest.deserialize;
import static org.cosineaudit.similarity.FactorBlockSerializationTest.indexOf;
import static org.cosineaudit.similarity.FactorBlockSerializationTest.roundTrip;
import static org.cosineaudit.similarity.FactorBlockSerializationTest.serialize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InvalidObjectException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link NeighbourList}: its compact serialized form, and merging on id bytes. */
class NeighbourListSerializationTest {

  private static void assertSameList(NeighbourList want, NeighbourList got) {
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) {
      assertEquals(Double.doubleToRawLongBits(want.scores()[i]), Double.doubleToRawLongBits(got.scores()[i]));
    }
    assertArrayEquals(want.orders(), got.orders());
    assertArrayEquals(want.ids(), got.ids());
  }

  @Test
  void emptyListRoundTrips() throws Exception {
    NeighbourList empty = new NeighbourList(new double[0], new long[0], new String[0]);
    NeighbourList back = roundTrip(empty);
    assertEquals(0, back.size());
    assertSameList(empty, back);
  }

  @Test
  void unicodeEmojiAndLongIdsRoundTripExactly() throws Exception {
    String longId = "\u00e9".repeat(40_000); // 80,000 UTF-8 bytes
    NeighbourList list = new NeighbourList(new double[] {0.9, 0.1 + 0.2, -0.0, Double.MIN_VALUE},
        new long[] {Long.MAX_VALUE, 3, -1, (2L << 32) | 5},
        new String[] {"\uD83D\uDE80\uD83C\uDF15", longId, "", "\u041c\u043e\u0441\u043a\u0432\u0430"});
    NeighbourList back = roundTrip(list);
    assertSameList(list, back);
    assertEquals(longId, back.id(1));
    assertEquals("\uD83D\uDE80\uD83C\uDF15", back.id(0));
  }

  @Test
  void mergeCopiesMultiByteIdsIntact() throws Exception {
    NeighbourList a = new NeighbourList(new double[] {0.9, 0.5}, new long[] {4, 1}, new String[] {"\uD83D\uDC1D", "a"});
    NeighbourList b = roundTrip(new NeighbourList(new double[] {0.7, 0.5}, new long[] {2, 0},
        new String[] {"\u00fcber", "\u4e2d"}));
    NeighbourList m = NeighbourList.merge(a, b, 3);
    assertEquals(List.of("\uD83D\uDC1D", "\u00fcber", "\u4e2d"), List.of(m.ids()));
    assertArrayEquals(new long[] {4, 2, 0}, m.orders());
    assertSameList(m, roundTrip(m));
    assertEquals(List.of("\uD83D\uDC1D", "\u00fcber", "\u4e2d", "a"), List.of(NeighbourList.merge(a, b, 9).ids()));
  }

  /** The former record's default form: one String per neighbour. */
  private record PlainList(double[] scores, long[] orders, String[] ids) implements Serializable {}

  @Test
  void listOf20EightCharIdsIsSmallerThanTheDefaultForm() throws Exception {
    int k = 20;
    double[] s = new double[k];
    long[] o = new long[k];
    String[] ids = new String[k];
    for (int i = 0; i < k; i++) {
      s[i] = 1.0 - i / 64.0;
      o[i] = 1000 + i;
      ids[i] = String.format("it%06d", i);
    }
    int compact = serialize(new NeighbourList(s, o, ids)).length;
    int plain = serialize(new PlainList(s, o, ids)).length;
    System.out.printf("NeighbourList k=%d, 8-char ids: default %d bytes, compact %d bytes%n", k, plain, compact);
    assertTrue(compact < plain, compact + " >= " + plain);
  }

  @Test
  void corruptStreamFailsWithAClearMessage() throws Exception {
    NeighbourList list = new NeighbourList(new double[] {2, 1}, new long[] {7, 8}, new String[] {"xy", "zz"});
    byte[] b = serialize(list);
    int at = indexOf(b, "xyzz".getBytes(StandardCharsets.US_ASCII));
    assertEquals(2, b[at + 4 + 3]); // the count of length bytes
    b[at + 4 + 3] = 1; // one length byte cannot encode two ids
    InvalidObjectException e = assertThrows(InvalidObjectException.class, () -> deserialize(b));
    assertTrue(e.getMessage().contains("NeighbourList ids: 1 length bytes cannot encode 2 ids"), e.getMessage());
  }

  @Test
  void mismatchedLengthsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new NeighbourList(new double[] {1}, new long[] {1, 2}, new String[] {"a"}));
    assertTrue(e.getMessage().contains("1 scores, 2 keys and 1 ids"), e.getMessage());
  }
}
