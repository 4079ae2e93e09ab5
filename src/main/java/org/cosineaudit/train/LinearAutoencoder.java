package org.cosineaudit.train;

import java.io.Serializable;

/**
 * A linear model {@code X ~ X A B^T} with {@code A, B} in R^{p x k} (Steck et al. 2024, Sec. 2):
 * item embeddings are the rows of B, user embeddings the rows of {@code X A}, and the score
 * of user u for item i is {@code <x_u A, b_i>}. Plain Java, row-major arrays.
 *
 * @param items p
 * @param rank k
 * @param a A, p x k row-major
 * @param b B, p x k row-major
 */
public record LinearAutoencoder(int items, int rank, double[] a, double[] b) implements Serializable {

  public LinearAutoencoder {
    if (a.length != (long) items * rank || b.length != (long) items * rank) {
      throw new IllegalArgumentException("A and B must both be " + items + " x " + rank);
    }
  }

  /** {@code A B^T} (p x p, row-major): everything the predictions depend on. O(p^2 k). */
  public double[] product() {
    return multiplyTransposed(a, b, items, rank);
  }

  /** Row {@code i} of {@code A B^T}: the weights every item gives to item... column-wise scores. */
  public double[] productRow(int i) {
    double[] row = new double[items];
    for (int j = 0; j < items; j++) {
      double s = 0;
      for (int c = 0; c < rank; c++) {
        s += a[i * rank + c] * b[j * rank + c];
      }
      row[j] = s;
    }
    return row;
  }

  /** The user embedding {@code x_u A} of a sparse interaction row (item indexes, values). */
  public double[] userFactor(int[] itemIndexes, double[] values) {
    double[] f = new double[rank];
    for (int n = 0; n < itemIndexes.length; n++) {
      int off = itemIndexes[n] * rank;
      double x = values[n];
      for (int c = 0; c < rank; c++) {
        f[c] += x * a[off + c];
      }
    }
    return f;
  }

  /** Item {@code i}'s embedding (row of B) as floats, the factor-table type. */
  public float[] itemFactor(int i) {
    float[] f = new float[rank];
    for (int c = 0; c < rank; c++) {
      f[c] = (float) b[i * rank + c];
    }
    return f;
  }

  /** {@code (A R, B R)} for a k x k matrix R (row-major); with R orthogonal, predictions are unchanged. */
  public LinearAutoencoder rotate(double[] r) {
    if (r.length != rank * rank) {
      throw new IllegalArgumentException("rotation must be " + rank + " x " + rank);
    }
    return new LinearAutoencoder(items, rank, multiply(a, r, items, rank, rank), multiply(b, r, items, rank, rank));
  }

  /** M (rows x inner) times N (inner x cols), row-major. */
  static double[] multiply(double[] m, double[] n, int rows, int inner, int cols) {
    double[] out = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int t = 0; t < inner; t++) {
        double x = m[i * inner + t];
        if (x == 0) {
          continue;
        }
        for (int j = 0; j < cols; j++) {
          out[i * cols + j] += x * n[t * cols + j];
        }
      }
    }
    return out;
  }

  /** M N^T for M, N both rows x k, row-major. */
  static double[] multiplyTransposed(double[] m, double[] n, int rows, int k) {
    double[] out = new double[rows * rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < rows; j++) {
        double s = 0;
        for (int c = 0; c < k; c++) {
          s += m[i * k + c] * n[j * k + c];
        }
        out[i * rows + j] = s;
      }
    }
    return out;
  }
}
