package org.cosineaudit.reproduce;

import java.util.List;

/**
 * Small dense item-item similarity matrices on the driver, for the heat maps and the exact
 * checks of the claims on the figure's items: at most {@code m x p} entries for m figure items
 * (never all pairs of a large catalogue). The neighbour tables come from the distributed engine.
 */
public final class SimilarityMatrix {

  private SimilarityMatrix() {}

  /**
   * Cosines between rows {@code rows} and {@code cols} of the item factors {@code b}
   * (p x k row-major); a zero vector gets cosine 0 with everything (and NaN would poison the
   * color scale). Result rows x cols, row-major.
   */
  public static double[] cosine(double[] b, int k, int[] rows, int[] cols) {
    return scoreCosine(b, k, null, rows, cols);
  }

  /**
   * Score-space cosine {@code q_i^T G q_j / sqrt(q_i^T G q_i q_j^T G q_j)} with {@code G}
   * (k x k row-major; {@code null} means I, plain cosine): the cosine between columns of the
   * predicted score matrix {@code P Q^T} when {@code G = P^T P}.
   */
  public static double[] scoreCosine(double[] b, int k, double[] g, int[] rows, int[] cols) {
    double[] out = new double[rows.length * cols.length];
    double[] rowT = transformed(b, k, g, rows);
    double[] colT = transformed(b, k, g, cols);
    double[] rowNorm = norms(b, k, rowT, rows);
    double[] colNorm = norms(b, k, colT, cols);
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < cols.length; c++) {
        double dot = 0;
        int off = cols[c] * k;
        for (int t = 0; t < k; t++) {
          dot += rowT[r * k + t] * b[off + t];
        }
        double den = rowNorm[r] * colNorm[c];
        out[r * cols.length + c] = den > 0 ? dot / den : 0.0;
      }
    }
    return out;
  }

  /** Ground truth: 1 for two items of the same cluster, 0 otherwise. */
  public static double[] coMembership(List<FigureItems.Item> items) {
    int m = items.size();
    double[] out = new double[m * m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        out[i * m + j] = items.get(i).cluster() == items.get(j).cluster() ? 1.0 : 0.0;
      }
    }
    return out;
  }

  /** Largest absolute entry-wise difference. */
  public static double maxAbsDifference(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("matrices differ in size: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  /** Largest |S_ij - [i == j]| where rows[r] and cols[c] are item indexes. */
  public static double maxDeviationFromIdentity(double[] s, int[] rows, int[] cols) {
    double max = 0;
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < cols.length; c++) {
        double target = rows[r] == cols[c] ? 1.0 : 0.0;
        max = Math.max(max, Math.abs(s[r * cols.length + c] - target));
      }
    }
    return max;
  }

  /** The selected rows of b, times G when given (row-major, |idx| x k). */
  private static double[] transformed(double[] b, int k, double[] g, int[] idx) {
    double[] t = new double[idx.length * k];
    for (int r = 0; r < idx.length; r++) {
      int off = idx[r] * k;
      if (g == null) {
        System.arraycopy(b, off, t, r * k, k);
        continue;
      }
      for (int a = 0; a < k; a++) {
        double x = b[off + a];
        if (x == 0) {
          continue;
        }
        for (int c = 0; c < k; c++) {
          t[r * k + c] += x * g[a * k + c];
        }
      }
    }
    return t;
  }

  private static double[] norms(double[] b, int k, double[] t, int[] idx) {
    double[] n = new double[idx.length];
    for (int r = 0; r < idx.length; r++) {
      double s = 0;
      int off = idx[r] * k;
      for (int c = 0; c < k; c++) {
        s += t[r * k + c] * b[off + c];
      }
      n[r] = Math.sqrt(Math.max(0, s));
    }
    return n;
  }
}
