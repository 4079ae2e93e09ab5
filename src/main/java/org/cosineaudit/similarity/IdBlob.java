package org.cosineaudit.similarity;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A sequence of ids held as ONE UTF-8 byte array plus the end offset of each id: two objects
 * instead of one {@code String} per id. Java serialization writes a {@code String[]} id by id
 * (one handle-table entry and one {@code writeUTF} each) and Spark's {@code SizeEstimator} walks
 * every {@code String}; this form costs neither. Ids are decoded to {@code String}s only where
 * they are needed ({@link #get}, {@link #toArray}).
 *
 * <p>Wire form ({@link #write}): the byte length, the bytes, then each id's byte length as an
 * unsigned {@link Varints varint} (one byte for ids under 128 bytes). Immutable; never null ids.
 */
final class IdBlob {

  static final IdBlob EMPTY = new IdBlob(new byte[0], new int[0]);

  private final byte[] bytes;
  private final int[] ends;

  private IdBlob(byte[] bytes, int[] ends) {
    this.bytes = bytes;
    this.ends = ends;
  }

  /** Encodes {@code ids} (none may be null). */
  static IdBlob of(String[] ids) {
    Builder b = new Builder(ids.length);
    for (String id : ids) {
      b.add(id);
    }
    return b.build();
  }

  int size() {
    return ends.length;
  }

  int start(int i) {
    return i == 0 ? 0 : ends[i - 1];
  }

  int end(int i) {
    return ends[i];
  }

  /** Bytes of all ids. */
  int byteLength() {
    return bytes.length;
  }

  /** Id {@code i}, decoded. */
  String get(int i) {
    int s = start(i);
    return new String(bytes, s, ends[i] - s, StandardCharsets.UTF_8);
  }

  /** All ids, decoded. */
  String[] toArray() {
    String[] out = new String[ends.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = get(i);
    }
    return out;
  }

  /** Writes the wire form (the id count is the caller's: it is written once per record). */
  void write(ObjectOutput out) throws IOException {
    byte[] lengths = new byte[5 * ends.length];
    int n = 0;
    for (int i = 0; i < ends.length; i++) {
      n = Varints.put(lengths, n, ends[i] - start(i));
    }
    out.writeInt(bytes.length);
    out.write(bytes);
    out.writeInt(n);
    out.write(lengths, 0, n);
  }

  /**
   * Reads the wire form of {@code count} ids.
   *
   * @throws InvalidObjectException when the lengths do not add up (a corrupt or foreign stream)
   */
  static IdBlob read(ObjectInput in, int count, String what) throws IOException {
    int byteLength = in.readInt();
    if (byteLength < 0) {
      throw new InvalidObjectException(what + ": negative id byte length " + byteLength);
    }
    byte[] bytes = new byte[byteLength];
    in.readFully(bytes);
    int lengthBytes = in.readInt();
    if (lengthBytes < count || lengthBytes > 5L * count) {
      throw new InvalidObjectException(what + ": " + lengthBytes + " length bytes cannot encode " + count + " ids");
    }
    byte[] lengths = new byte[lengthBytes];
    in.readFully(lengths);
    int[] ends = new int[count];
    Varints.Reader lengthsIn = new Varints.Reader(lengths, what + ": truncated or malformed length of id ");
    long end = 0;
    for (int i = 0; i < count; i++) {
      long len = lengthsIn.next(35, i, count);
      end += len;
      if (len > Integer.MAX_VALUE || end > byteLength) {
        throw new InvalidObjectException(what + ": ids " + 0 + ".." + i + " need " + end + " bytes, only "
            + byteLength + " were written");
      }
      ends[i] = (int) end;
    }
    if (lengthsIn.position() != lengthBytes || end != byteLength) {
      throw new InvalidObjectException(what + ": " + count + " ids use " + end + " of " + byteLength + " id bytes and "
          + lengthsIn.position() + " of " + lengthBytes + " length bytes; the stream is corrupt");
    }
    return new IdBlob(bytes, ends);
  }

  /** Appends ids (encoded, or copied as bytes from another blob) into a growing blob. */
  static final class Builder {
    private byte[] bytes;
    private int length;
    private final int[] ends;
    private int count;

    Builder(int ids) {
      this.bytes = new byte[Math.max(16, ids * 12)];
      this.ends = new int[ids];
    }

    Builder add(String id) {
      if (id == null) {
        throw new IllegalArgumentException("id " + count + " is null; ids must be non-null");
      }
      byte[] b = id.getBytes(StandardCharsets.UTF_8);
      append(b, 0, b.length);
      return this;
    }

    /** Appends id {@code i} of {@code from} without decoding it. */
    Builder add(IdBlob from, int i) {
      int s = from.start(i);
      append(from.bytes, s, from.ends[i] - s);
      return this;
    }

    private void append(byte[] src, int off, int len) {
      if (length + len > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(length + len, bytes.length * 2));
      }
      System.arraycopy(src, off, bytes, length, len);
      length += len;
      ends[count++] = length;
    }

    IdBlob build() {
      if (count != ends.length) {
        throw new IllegalStateException(count + " of " + ends.length + " ids added");
      }
      return new IdBlob(length == bytes.length ? bytes : Arrays.copyOf(bytes, length), ends);
    }
  }
}
