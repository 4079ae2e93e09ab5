package org.cosineaudit.similarity;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * A (possibly partial) neighbour list of one item, best first: what a task found for it.
 * Lists from different tasks merge exactly ({@link #merge}) because the order (score
 * descending, order key ascending) is total.
 *
 * <p>The neighbour ids are held as one UTF-8 {@link IdBlob}, not one {@code String} each: lists
 * are shuffled and merged ({@code reduceByKey}) by the million, and both Java serialization and
 * Spark's size estimates pay per object. {@link #merge} copies id bytes without decoding them;
 * {@link #id} decodes one id, {@link #ids} all of them (a new array per call). Java serialization
 * writes the compact {@link Wire} form, validated on read.
 */
public final class NeighbourList implements Serializable {
  private static final long serialVersionUID = 2L;

  private final double[] scores;
  private final long[] orders;
  private final IdBlob ids;

  /**
   * @param scores scores, best first
   * @param orders the neighbours' order keys, one per score
   * @param ids the neighbours' ids, one per score (non-null)
   */
  public NeighbourList(double[] scores, long[] orders, String[] ids) {
    this(scores, orders, IdBlob.of(ids));
  }

  private NeighbourList(double[] scores, long[] orders, IdBlob ids) {
    if (scores.length != orders.length || scores.length != ids.size()) {
      throw new IllegalArgumentException("neighbour list of " + scores.length + " scores, " + orders.length
          + " keys and " + ids.size() + " ids");
    }
    this.scores = scores;
    this.orders = orders;
    this.ids = ids;
  }

  public int size() {
    return scores.length;
  }

  /** The scores, best first; do not modify. */
  public double[] scores() {
    return scores;
  }

  /** The order keys, best first; do not modify. */
  public long[] orders() {
    return orders;
  }

  /** The neighbour ids, best first, decoded into a new array on each call. */
  public String[] ids() {
    return ids.toArray();
  }

  /** Neighbour {@code i}'s id, decoded. */
  public String id(int i) {
    return ids.get(i);
  }

  /** The best-first list of row {@code row} of a top-k. */
  public static NeighbourList of(TopK top, int row) {
    TopK.Entry[] e = top.sorted(row);
    double[] s = new double[e.length];
    long[] o = new long[e.length];
    IdBlob.Builder id = new IdBlob.Builder(e.length);
    for (int i = 0; i < e.length; i++) {
      s[i] = e[i].score();
      o[i] = e[i].order();
      id.add(e[i].id());
    }
    return new NeighbourList(s, o, id.build());
  }

  /** The best {@code k} of two best-first lists (a merge step of merge sort). */
  public static NeighbourList merge(NeighbourList a, NeighbourList b, int k) {
    int n = Math.min(k, a.size() + b.size());
    double[] s = new double[n];
    long[] o = new long[n];
    IdBlob.Builder id = new IdBlob.Builder(n);
    int i = 0;
    int j = 0;
    for (int r = 0; r < n; r++) {
      boolean takeA = j >= b.size() || (i < a.size() && !TopK.worse(a.scores[i], a.orders[i], b.scores[j], b.orders[j]));
      if (takeA) {
        s[r] = a.scores[i];
        o[r] = a.orders[i];
        id.add(a.ids, i++);
      } else {
        s[r] = b.scores[j];
        o[r] = b.orders[j];
        id.add(b.ids, j++);
      }
    }
    return new NeighbourList(s, o, id.build());
  }

  private Object writeReplace() {
    return new Wire(this);
  }

  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a NeighbourList is read through its NeighbourList.Wire form only");
  }

  /**
   * The serialized form of a {@link NeighbourList}: the size, the scores and order keys in bulk
   * (big-endian), then the ids as one UTF-8 blob plus varint byte lengths ({@link IdBlob#write}).
   * No per-neighbour objects. Reading validates every length and fails with {@link InvalidObjectException}.
   */
  private static final class Wire implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient NeighbourList list;

    Wire(NeighbourList list) {
      this.list = list;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      int n = list.size();
      ByteBuffer buf = ByteBuffer.allocate(n * 16);
      buf.asDoubleBuffer().put(list.scores);
      buf.position(n * 8);
      buf.slice().asLongBuffer().put(list.orders);
      out.writeInt(n);
      out.write(buf.array());
      list.ids.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException {
      int n = in.readInt();
      if (n < 0 || n > (Integer.MAX_VALUE - 8) / 16) {
        throw new InvalidObjectException("NeighbourList: impossible size " + n);
      }
      byte[] raw = new byte[n * 16];
      in.readFully(raw);
      ByteBuffer buf = ByteBuffer.wrap(raw);
      double[] scores = new double[n];
      long[] orders = new long[n];
      buf.asDoubleBuffer().get(scores);
      buf.position(n * 8);
      buf.slice().asLongBuffer().get(orders);
      list = new NeighbourList(scores, orders, IdBlob.read(in, n, "NeighbourList ids"));
    }

    private Object readResolve() {
      return list;
    }
  }
}
