package org.cosineaudit.similarity;

import java.io.Serializable;

/**
 * Up to one block of (already transformed) item vectors packed row-major into one contiguous
 * {@code float[]}, the layout a single GEMM call consumes.
 *
 * <p>{@code orders} are the rows' order keys: they increase with the item id, so comparing
 * keys compares ids (ties in score go to the smaller key) and equal keys mean the same item.
 */
public final class FactorBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String[] ids;
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
    this.ids = ids;
    this.orders = orders;
    this.data = data;
    this.dim = dim;
    double max = 0;
    for (int r = 0; r < ids.length; r++) {
      max = Math.max(max, norm(data, r * dim, dim));
    }
    this.maxNorm = max;
  }

  public int rows() {
    return ids.length;
  }

  public int dim() {
    return dim;
  }

  public String id(int row) {
    return ids[row];
  }

  public long order(int row) {
    return orders[row];
  }

  /** The packed data; do not modify. */
  float[] data() {
    return data;
  }

  String[] ids() {
    return ids;
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
}
