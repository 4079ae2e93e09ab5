package org.cosineaudit.similarity;

import java.io.InvalidObjectException;

/**
 * Unsigned base-128 varints (7 bits per byte, low bits first, the high bit set on every byte but
 * the last) and the zigzag map for signed values: the compact integers of the engine's serialized
 * forms ({@link IdBlob}'s id lengths, {@link FactorBlock}'s order-key deltas). Small values take
 * one byte; a long takes at most {@value #MAX_BYTES}.
 */
final class Varints {

  /** Bytes of the longest varint (a 64-bit value). */
  static final int MAX_BYTES = 10;

  private Varints() {}

  /** Writes {@code v}, read as unsigned, at {@code pos} of {@code buf}; returns the next position. */
  static int put(byte[] buf, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
    return pos;
  }

  /** Signed to unsigned, small magnitudes to small values: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ... */
  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long z) {
    return (z >>> 1) ^ -(z & 1);
  }

  /** Reads consecutive varints from {@code bytes}, failing on a truncated or overlong one. */
  static final class Reader {
    private final byte[] bytes;
    private final String malformed;
    private int pos;

    /**
     * @param malformed the start of the failure message, completed with "i of n" of the value
     *     ("FactorBlock: truncated or malformed order key ")
     */
    Reader(byte[] bytes, String malformed) {
      this.bytes = bytes;
      this.malformed = malformed;
    }

    /** The next varint, value {@code index} of {@code count}, at most {@code maxBits} bits long. */
    long next(int maxBits, int index, int count) throws InvalidObjectException {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        if (pos >= bytes.length || shift >= maxBits) {
          throw new InvalidObjectException(malformed + index + " of " + count);
        }
        byte b = bytes[pos++];
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
    }

  /** Bytes read so far. */
    int position() {
      return pos;
    }
  }
}
