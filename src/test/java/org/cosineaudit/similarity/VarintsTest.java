package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InvalidObjectException;
import org.junit.jupiter.api.Test;

class VarintsTest {

  @Test
  void signedValuesRoundTripAndSmallOnesTakeOneByte() throws Exception {
    long[] values = {0, 1, -1, 63, -64, 64, 127, 128, 300, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
        Long.MIN_VALUE};
    byte[] buf = new byte[Varints.MAX_BYTES * values.length];
    int n = 0;
    for (long v : values) {
      n = Varints.put(buf, n, Varints.zigzag(v));
    }
    byte[] written = java.util.Arrays.copyOf(buf, n);
    Varints.Reader in = new Varints.Reader(written, "value ");
    for (int i = 0; i < values.length; i++) {
      assertEquals(values[i], Varints.unzigzag(in.next(70, i, values.length)));
    }
    assertEquals(n, in.position());
    assertEquals(1, Varints.put(new byte[Varints.MAX_BYTES], 0, Varints.zigzag(-64)));
    assertEquals(Varints.MAX_BYTES, Varints.put(new byte[Varints.MAX_BYTES], 0, Varints.zigzag(Long.MIN_VALUE)));
  }

  @Test
  void truncatedAndOverlongValuesAreRefusedWithTheirPosition() {
    InvalidObjectException truncated = assertThrows(InvalidObjectException.class,
        () -> new Varints.Reader(new byte[] {(byte) 0x80}, "length of id ").next(35, 2, 5));
    assertEquals("length of id 2 of 5", truncated.getMessage());
    byte[] six = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
    assertTrue(assertThrows(InvalidObjectException.class, () -> new Varints.Reader(six, "x ").next(35, 0, 1))
        .getMessage().startsWith("x 0 of 1"));
  }
}
