package org.cosineaudit.similarity;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * Up to one block of (already transformed) item vectors packed row-major into one contiguous
 * {@code float[]}, the layout a single GEMM call consumes.
 *
 * <p>{@code orders} are the rows' order keys: they increase with the item id, so comparing
 * keys compares ids (ties in score go to the smaller key) and equal keys mean the same item.
 *
 * <p>The ids are held as one UTF-8 {@link IdBlob} (two arrays, not one {@code String} per row),
 * so caching a block or estimating its size does not walk thousands of objects; {@link #ids()}
 * decodes them once, on first use, for the scoring kernel. Java serialization writes the compact
 * {@link Wire} form: the id blob, order keys as varint deltas and the floats in bulk, validated on
 * read. Nothing of this changes a score or an order.
 */
public final class FactorBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  private final IdBlob idBlob;
  /** The decoded ids, made on first {@link #ids()} (the kernel needs them); never serialized. */
  private transient volatile String[] ids;
  private final long[] orders;
  private final float[] data;
  private final int dim;
  private final double maxNorm;

  /**
   * @param ids item ids, one per row
   * @param orders order keys, one per row, increasing with the id
   * @param data rows x dim floats, row-major
   * @param dim components per row
   */
  public FactorBlock(String[] ids, long[] orders, float[] data, int dim) {
    if (ids.length != orders.length || (long) ids.length * dim != data.length) {
      throw new IllegalArgumentException("block of " + ids.length + " ids, " + orders.length + " keys and "
          + data.length + " floats does not have dimension " + dim);
    }
    this.idBlob = IdBlob.of(ids);
    this.orders = orders;
    this.data = data;
    this.dim = dim;
    double max = 0;
    for (int r = 0; r < ids.length; r++) {
      max = Math.max(max, norm(data, r * dim, dim));
    }
    this.maxNorm = max;
  }

  /** A deserialized block (lengths validated by {@link Wire}). */
  private FactorBlock(IdBlob idBlob, long[] orders, float[] data, int dim, double maxNorm) {
    this.idBlob = idBlob;
    this.orders = orders;
    this.data = data;
    this.dim = dim;
    this.maxNorm = maxNorm;
  }

  public int rows() {
    return orders.length;
  }

  public int dim() {
    return dim;
  }

  public String id(int row) {
    String[] decoded = ids;
    return decoded != null ? decoded[row] : idBlob.get(row);
  }

  public long order(int row) {
    return orders[row];
  }

  /** The packed data; do not modify. */
  float[] data() {
    return data;
  }

  /** All ids, decoded on the first call (then shared; do not modify). */
  String[] ids() {
    String[] decoded = ids;
    if (decoded == null) {
      decoded = idBlob.toArray();
      ids = decoded; // idempotent: a racing thread decodes the same ids
    }
    return decoded;
  }

  IdBlob idBlob() {
    return idBlob;
  }

  long[] orders() {
    return orders;
  }

  /** The largest Euclidean norm of a row (bounds the GEMM rounding error). */
  public double maxNorm() {
    return maxNorm;
  }

  /** Euclidean norm of {@code len} floats from {@code off}, in double. */
  public static double norm(float[] a, int off, int len) {
    double s = 0;
    for (int i = 0; i < len; i++) {
      double v = a[off + i];
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private Object writeReplace() {
    return new Wire(this);
  }

  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a FactorBlock is read through its FactorBlock.Wire form only");
  }

  /**
   * The serialized form of a {@link FactorBlock}: rows, dim, maxNorm; the ids as one UTF-8 blob
   * plus varint byte lengths ({@link IdBlob#write}); the order keys as the first key and then
   * zigzag {@link Varints varint} deltas (one byte each for consecutive keys); the floats as one unshared array.
   * No per-row objects. Reading validates every length and fails with {@link InvalidObjectException}.
   */
  private static final class Wire implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient FactorBlock block;

    Wire(FactorBlock block) {
      this.block = block;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      FactorBlock b = block;
      int rows = b.rows();
      out.writeInt(rows);
      out.writeInt(b.dim);
      out.writeDouble(b.maxNorm);
      b.idBlob.write(out);
      byte[] keys = new byte[Varints.MAX_BYTES * rows];
      int n = 0;
      long prev = 0;
      for (int r = 0; r < rows; r++) {
        n = Varints.put(keys, n, Varints.zigzag(b.orders[r] - prev));
        prev = b.orders[r];
      }
      out.writeInt(n);
      out.write(keys, 0, n);
      // one unshared array: bulk-converted by the stream, without block-data headers every 1 KiB
      out.writeUnshared(b.data);
    }

    private void readObject(ObjectInputStream in) throws IOException {
      int rows = in.readInt();
      int dim = in.readInt();
      double maxNorm = in.readDouble();
      if (rows < 0 || dim < 0 || (long) rows * dim > Integer.MAX_VALUE - 8) {
        throw new InvalidObjectException("FactorBlock: impossible shape " + rows + " rows x " + dim + " components");
      }
      IdBlob ids = IdBlob.read(in, rows, "FactorBlock ids");
      int keyBytes = in.readInt();
      if (keyBytes < rows || keyBytes > (long) Varints.MAX_BYTES * rows) {
        throw new InvalidObjectException("FactorBlock: " + keyBytes + " key bytes cannot encode " + rows + " keys");
      }
      byte[] keys = new byte[keyBytes];
      in.readFully(keys);
      long[] orders = new long[rows];
      Varints.Reader keysIn = new Varints.Reader(keys, "FactorBlock: truncated or malformed order key ");
      long prev = 0;
      for (int r = 0; r < rows; r++) {
        prev += Varints.unzigzag(keysIn.next(70, r, rows));
        orders[r] = prev;
      }
      if (keysIn.position() != keyBytes) {
        throw new InvalidObjectException("FactorBlock: " + rows + " order keys used " + keysIn.position() + " of "
            + keyBytes + " key bytes; the stream is corrupt");
      }
      Object floats;
      try {
        floats = in.readUnshared();
      } catch (ClassNotFoundException e) {
        throw new InvalidObjectException("FactorBlock: the vectors are not a float array (" + e.getMessage() + ")");
      }
      if (!(floats instanceof float[] data) || data.length != rows * dim) {
        String got = floats instanceof float[] f ? f.length + " floats"
            : floats == null ? "null" : floats.getClass().getName();
        throw new InvalidObjectException("FactorBlock: expected " + rows + " x " + dim + " floats, got " + got);
      }
      block = new FactorBlock(ids, orders, data, dim, maxNorm);
    }

    private Object readResolve() {
      return block;
    }
  }
}
