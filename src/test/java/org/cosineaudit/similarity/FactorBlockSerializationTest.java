package org.cosineaudit.similarity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compact Java-serialized form of {@link FactorBlock} (what Spark's JavaSerializer shuffles and spills). */
class FactorBlockSerializationTest {

  static byte[] serialize(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  @SuppressWarnings("unchecked")
  static <T> T deserialize(byte[] b) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
      return (T) in.readObject();
    }
  }

  static <T> T roundTrip(T o) throws IOException, ClassNotFoundException {
    return deserialize(serialize(o));
  }

  private static void assertSameBlock(FactorBlock want, FactorBlock got) {
    assertEquals(want.rows(), got.rows());
    assertEquals(want.dim(), got.dim());
    assertEquals(Double.doubleToRawLongBits(want.maxNorm()), Double.doubleToRawLongBits(got.maxNorm()));
    assertArrayEquals(want.orders(), got.orders());
    float[] a = want.data();
    float[] b = got.data();
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "float " + i);
    }
    for (int r = 0; r < want.rows(); r++) {
      assertEquals(want.id(r), got.id(r), "id of row " + r + " before decoding all");
    }
    assertArrayEquals(want.ids(), got.ids());
  }

  @Test
  void emptyBlockRoundTrips() throws Exception {
    FactorBlock empty = new FactorBlock(new String[0], new long[0], new float[0], 3);
    FactorBlock back = roundTrip(empty);
    assertSameBlock(empty, back);
    assertEquals(0, back.rows());
    assertEquals(3, back.dim());
  }

  @Test
  void unicodeEmojiAndLongIdsRoundTripWithExactFloatsAndKeys() throws Exception {
    String longId = "x".repeat(70_000) + "\uD83D\uDE00"; // > 64 KiB of UTF-8: a multi-byte varint length
    String[] ids = {"", "a", "caf\u00e9", "\u6771\u4eac", "\uD83C\uDFB5 song", "x\u0000y", longId};
    // keys: increasing, with gaps, a partition jump, and extremes (zigzag deltas of either sign)
    long[] orders = {Long.MIN_VALUE, -5, 0, 1, (3L << 32) | 7, Long.MAX_VALUE - 1, Long.MAX_VALUE};
    int d = 3;
    float[] data = new float[ids.length * d];
    Random rnd = new Random(7);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rnd.nextGaussian();
    }
    data[0] = -0.0f;
    data[1] = Float.MIN_VALUE; // subnormal
    data[2] = Float.MAX_VALUE;
    FactorBlock block = new FactorBlock(ids, orders, data, d);
    FactorBlock back = roundTrip(block);
    assertSameBlock(block, back);
    assertEquals(longId, back.id(6));
    // non-monotone keys also survive (the encoder does not assume order)
    FactorBlock shuffled = new FactorBlock(new String[] {"b", "a"}, new long[] {9, 2}, new float[] {1, 2}, 1);
    assertSameBlock(shuffled, roundTrip(shuffled));
  }

  @Test
  void inputIdsArrayIsNotRetainedAndNullIdsAreRefused() {
    String[] ids = {"p", "q"};
    FactorBlock block = new FactorBlock(ids, new long[] {1, 2}, new float[] {1, 2}, 1);
    ids[0] = "changed";
    assertEquals("p", block.id(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FactorBlock(new String[] {"p", null}, new long[] {1, 2}, new float[] {1, 2}, 1));
    assertTrue(e.getMessage().contains("id 1 is null"), e.getMessage());
  }

  /** The engine's former form: Java's default serialization of the same fields, one String per id. */
  private record PlainBlock(String[] ids, long[] orders, float[] data, int dim, double maxNorm)
      implements Serializable {}

  @Test
  void blockOf4096EightCharIdsBy64IsSmallerThanTheDefaultForm() throws Exception {
    int rows = 4096;
    int d = 64; // the benchmark's shape: 20,000 x 64 in blocks of 4,096
    String[] ids = new String[rows];
    long[] orders = new long[rows];
    float[] data = new float[rows * d];
    Random rnd = new Random(11);
    for (int r = 0; r < rows; r++) {
      ids[r] = String.format("it%06d", r);
      orders[r] = (5L << 32) | (r + r / 100); // consecutive keys with a few gaps (zero-norm items)
    }
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rnd.nextGaussian();
    }
    FactorBlock block = new FactorBlock(ids, orders, data, d);
    int compact = serialize(block).length;
    int plain = serialize(new PlainBlock(ids, orders, data, d, block.maxNorm())).length;
    int floats = rows * d * 4;
    double compactPerId = (compact - floats) / (double) rows;
    double plainPerId = (plain - floats) / (double) rows;
    System.out.printf("FactorBlock 4096 x %d, 8-char ids: default %d bytes (%.2f per id beyond the floats), "
        + "compact %d bytes (%.2f per id)%n", d, plain, plainPerId, compact, compactPerId);
    assertTrue(compact < plain, compact + " >= " + plain);
    // 8 id bytes + 1 length byte + 1 key-delta byte per row, plus a fixed header
    assertTrue(compactPerId < 10.5, "compact bytes per id " + compactPerId);
    // the default form: TC_STRING + 2-byte length + 8 chars per id, and an 8-byte key
    assertTrue(plainPerId > 19.0, "default bytes per id " + plainPerId);
    assertSameBlock(block, deserialize(serialize(block)));
  }

  @Test
  void corruptIdLengthsFailWithAClearMessage() throws Exception {
    FactorBlock block = new FactorBlock(new String[] {"a", "bb", "ccc"}, new long[] {1, 2, 3}, new float[] {1, 2, 3}, 1);
    byte[] b = serialize(block);
    int at = indexOf(b, "abbccc".getBytes(StandardCharsets.US_ASCII));
    // after the id bytes: the int count of length bytes (3), then the lengths 1, 2, 3
    assertEquals(3, b[at + 6 + 3]);
    assertEquals(3, b[at + 6 + 4 + 2]);
    b[at + 6 + 4 + 2] = 4; // the third id now claims 4 bytes: 7 in all, only 6 written
    InvalidObjectException e = assertThrows(InvalidObjectException.class, () -> deserialize(b));
    assertTrue(e.getMessage().contains("FactorBlock ids") && e.getMessage().contains("7 bytes, only 6"),
        e.getMessage());
    b[at + 6 + 4 + 2] = 2; // now the ids use 5 of the 6 bytes
    InvalidObjectException short_ = assertThrows(InvalidObjectException.class, () -> deserialize(b));
    assertTrue(short_.getMessage().contains("use 5 of 6 id bytes"), short_.getMessage());
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("pattern not in the stream");
  }
}
