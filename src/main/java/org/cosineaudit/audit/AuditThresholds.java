package org.cosineaudit.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cosineaudit.audit.Check.Bound;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;

/**
 * The warning and failure levels of every audit check. Each is one option holding
 * {@code WARN,FAIL} (e.g. {@code --max-mean-cosine 0.5,0.8}), defaulted in
 * {@code conf/audit.properties} and overridable on the command line.
 *
 * <p>Fractions are of the vectors read (integrity) or of the baseline's / current ids (drift).
 * Agreements are mean Jaccard / RBO over items, in [0, 1]. Defaults are deliberately strict on
 * integrity (any broken vector fails) and lenient on geometry, whose "normal" depends on the
 * model; tune them on a known-good snapshot. {@code max-first-component-share} must be read
 * against 1/d, the share of an isotropic space.
 */
public record AuditThresholds(
    Levels dimensionMismatch,
    Levels nonFinite,
    Levels zeroNorm,
    Levels nearZeroNorm,
    double nearZeroNormRatio,
    Levels duplicateIds,
    Levels normCv,
    Levels normPopularitySpearman,
    Levels meanCosine,
    Levels firstComponentShare,
    Levels hubnessSkew,
    Levels hubOccurrence,
    Levels removedIds,
    Levels addedIds,
    Levels driftJaccard,
    Levels driftRbo,
    Levels driftDecileJaccard,
    Levels gaugeAgreement,
    Levels scoreCosineAgreement,
    Levels dotAgreement) {

  /** A warning and a failure level, on the side of the value given by {@code bound}. */
  public record Levels(double warn, double fail, Bound bound) {
    public Check judge(String name, String group, double value, String detail) {
      return Check.judged(name, group, value, bound, warn, fail, detail);
    }
  }

  private record Spec(String key, String def, double min, double max, Bound bound, String description) {}

  private static final List<Spec> SPECS = List.of(
      new Spec("max-dimension-mismatch", "0,0", 0, 1, Bound.AT_MOST,
          "fraction of vectors whose length differs from the common dimension"),
      new Spec("max-non-finite", "0,0", 0, 1, Bound.AT_MOST, "fraction of vectors with a NaN or infinite component"),
      new Spec("max-zero-norm", "0,0", 0, 1, Bound.AT_MOST, "fraction of all-zero vectors"),
      new Spec("max-near-zero-norm", "0.001,0.01", 0, 1, Bound.AT_MOST,
          "fraction of vectors with a norm below near-zero-norm-ratio x the median norm (zero vectors excluded)"),
      new Spec("max-duplicate-ids", "0,0", 0, 1, Bound.AT_MOST, "fraction of vectors whose id occurs more than once"),
      new Spec("max-norm-cv", "1,5", 0, 1e6, Bound.AT_MOST, "coefficient of variation (stddev/mean) of the norms"),
      new Spec("max-norm-popularity-spearman", "0.5,0.9", 0, 1, Bound.ABS_AT_MOST,
          "|Spearman correlation| of norm with popularity (with --popularity): norms that encode popularity"),
      new Spec("max-mean-cosine", "0.5,0.8", -1, 1, Bound.AT_MOST,
          "mean cosine over all pairs of distinct items (anisotropy: a narrow cone)"),
      new Spec("max-first-component-share", "0.5,0.8", 0, 1, Bound.AT_MOST,
          "share of the variance of the unit vectors on their first principal direction (isotropic: 1/d)"),
      new Spec("max-hubness-skew", "3,10", -1e6, 1e6, Bound.AT_MOST,
          "skewness of the k-occurrence distribution (how often items appear in others' top-k cosine lists)"),
      new Spec("max-hub-occurrence", "0.2,0.5", 0, 1, Bound.AT_MOST,
          "fraction of all top-k lists that contain the biggest hub"),
      new Spec("max-removed-ids", "0.05,0.2", 0, 1, Bound.AT_MOST,
          "fraction of the baseline's ids missing from the embeddings (with --baseline)"),
      new Spec("max-added-ids", "0.5,1", 0, 1, Bound.AT_MOST,
          "fraction of the embeddings' ids new since the baseline (with --baseline)"),
      new Spec("min-drift-jaccard", "0.3,0.1", 0, 1, Bound.AT_LEAST,
          "mean top-k Jaccard of cosine neighbours against the baseline, over shared ids (with --baseline)"),
      new Spec("min-drift-rbo", "0.3,0.1", 0, 1, Bound.AT_LEAST,
          "mean rank-biased overlap (rbo_ext) of cosine neighbours against the baseline (with --baseline)"),
      new Spec("min-drift-decile-jaccard", "0.2,0.05", 0, 1, Bound.AT_LEAST,
          "mean Jaccard of the worst popularity decile against the baseline (with --baseline and --popularity)"),
      new Spec("min-gauge-agreement", "0.5,0.2", 0, 1, Bound.AT_LEAST,
          "mean Jaccard of cosine neighbours before/after rescalings that keep every prediction (with --user-embeddings)"),
      new Spec("min-score-cosine-agreement", "0.5,0.2", 0, 1, Bound.AT_LEAST,
          "mean Jaccard of cosine vs score-cosine neighbours (with --user-embeddings)"),
      new Spec("min-dot-agreement", "0.2,0", 0, 1, Bound.AT_LEAST,
          "mean Jaccard of cosine vs dot-product neighbours (with --user-embeddings)"));

  /** The threshold options, each {@code WARN,FAIL}. */
  public static List<OptionSpec> options() {
    List<OptionSpec> out = new ArrayList<>();
    for (Spec s : SPECS) {
      out.add(OptionSpec.reals(s.key(), s.def(), s.min(), s.max(), s.description() + "; WARN,FAIL levels"));
    }
    out.add(OptionSpec.real("near-zero-norm-ratio", 1e-3, 0, 1,
        "a norm below this fraction of the median norm counts as near zero"));
    return out;
  }

  /** Reads and checks every level; a warning level beyond its failure level is an error. */
  public static AuditThresholds from(Settings s) {
    Map<String, Levels> l = new HashMap<>();
    for (Spec spec : SPECS) {
      List<Double> v = s.reals(spec.key());
      if (v.size() != 2) {
        throw new ConfigException("invalid value for '" + spec.key() + "': '" + String.join(",", s.list(spec.key()))
            + "'; expected two numbers WARN,FAIL, e.g. " + spec.def());
      }
      double warn = v.get(0);
      double fail = v.get(1);
      boolean ordered = spec.bound() == Bound.AT_LEAST ? warn >= fail : warn <= fail;
      if (!ordered) {
        throw new ConfigException(String.format(Locale.ROOT,
            "invalid value for '%s': warning level %s is beyond the failure level %s; the warning must come first (%s)",
            spec.key(), v.get(0), v.get(1), spec.bound() == Bound.AT_LEAST ? "WARN >= FAIL" : "WARN <= FAIL"));
      }
      l.put(spec.key(), new Levels(warn, fail, spec.bound()));
    }
    // by key, not by position: a check added anywhere in SPECS cannot shift the others
    return new AuditThresholds(l.get("max-dimension-mismatch"), l.get("max-non-finite"), l.get("max-zero-norm"),
        l.get("max-near-zero-norm"), s.real("near-zero-norm-ratio"), l.get("max-duplicate-ids"),
        l.get("max-norm-cv"), l.get("max-norm-popularity-spearman"), l.get("max-mean-cosine"),
        l.get("max-first-component-share"), l.get("max-hubness-skew"), l.get("max-hub-occurrence"),
        l.get("max-removed-ids"), l.get("max-added-ids"), l.get("min-drift-jaccard"), l.get("min-drift-rbo"),
        l.get("min-drift-decile-jaccard"), l.get("min-gauge-agreement"), l.get("min-score-cosine-agreement"),
        l.get("min-dot-agreement"));
  }
}
