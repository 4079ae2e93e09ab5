package org.cosineaudit.similarity;

import java.io.Serializable;

/**
 * Turns a raw item embedding into the float vector the engine multiplies, per {@link Measure}:
 * cosine: v/|v|; dot: v; centered-cosine: (v-μ)/|v-μ|; score-cosine: Wᵀv/|Wᵀv| with W Wᵀ = UᵀU.
 * Computed in double, stored as float.
 *
 * <p>Zero-norm rule (measures that normalize): cosine excludes exactly zero vectors;
 * centered-cosine excludes |v-μ| ≤ 1e-6 · RMS item norm (the input's float precision
 * cannot tell such a vector from the mean); score-cosine excludes |Wᵀv| ≤ 1e-6 · sqrt(trace G) · |v|
 * (the item's predicted scores are all ~0: its column of U Vᵀ has no direction).
 */
public final class ItemTransform implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Relative size below which a vector counts as zero (float input has ~7 significant digits). */
  static final double RELATIVE_ZERO = 1e-6;

  private final Measure measure;
  private final int dim;
  private final double[] mean;
  private final double[] w;
  private final double zeroAbsolute;
  private final double zeroRelative;

  private ItemTransform(Measure measure, int dim, double[] mean, double[] w, double zeroAbsolute, double zeroRelative) {
    this.measure = measure;
    this.dim = dim;
    this.mean = mean;
    this.w = w;
    this.zeroAbsolute = zeroAbsolute;
    this.zeroRelative = zeroRelative;
  }

  public static ItemTransform cosine(int dim) {
    return new ItemTransform(Measure.COSINE, dim, null, null, 0, 0);
  }

  public static ItemTransform dot(int dim) {
    return new ItemTransform(Measure.DOT, dim, null, null, 0, 0);
  }

  /**
   * @param mean the mean item embedding
   * @param rmsNorm the root mean square norm of the item embeddings (scale of the zero test)
   */
  public static ItemTransform centered(double[] mean, double rmsNorm) {
    return new ItemTransform(Measure.CENTERED_COSINE, mean.length, mean.clone(), null, RELATIVE_ZERO * rmsNorm, 0);
  }

  /** @param gram G = UᵀU, d x d row-major */
  public static ItemTransform scoreSpace(ScoreSpace.Factor factor, double[] gram) {
    int d = factor.dim();
    double trace = 0;
    for (int i = 0; i < d; i++) {
      trace += gram[i * d + i];
    }
    return new ItemTransform(Measure.SCORE_COSINE, d, null, factor.w().clone(), 0, RELATIVE_ZERO * Math.sqrt(trace));
  }

  public Measure measure() {
    return measure;
  }

  public int dim() {
    return dim;
  }

  /**
   * Writes the transformed vector of {@code raw} into {@code out} and returns true, or returns
   * false when the vector counts as zero under a normalizing measure (it is then excluded).
   *
   * @param scratch a double[dim] work array
   */
  public boolean apply(double[] raw, double[] scratch, float[] out, int outOffset) {
    double[] v;
    switch (measure) {
      case DOT -> {
        for (int i = 0; i < dim; i++) {
          out[outOffset + i] = BlockScorer.stored(raw[i]);
        }
        return true;
      }
      case CENTERED_COSINE -> {
        for (int i = 0; i < dim; i++) {
          scratch[i] = raw[i] - mean[i];
        }
        v = scratch;
      }
      case SCORE_COSINE -> {
        ScoreSpace.applyTranspose(w, dim, raw, scratch);
        v = scratch;
      }
      default -> v = raw;
    }
    double norm = norm(v);
    double limit = zeroAbsolute + (zeroRelative > 0 ? zeroRelative * norm(raw) : 0);
    if (!(norm > limit)) {
      return false;
    }
    for (int i = 0; i < dim; i++) {
      out[outOffset + i] = BlockScorer.stored(v[i] / norm);
    }
    return true;
  }

  private double norm(double[] v) {
    double s = 0;
    for (int i = 0; i < dim; i++) {
      s += v[i] * v[i];
    }
    return Math.sqrt(s);
  }
}
