package org.cosineaudit.stability;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-item metrics of the stability tables, in column order. The cluster precisions are
 * present only when ground-truth labels are given.
 */
public enum StabilityMetric {
  JACCARD("jaccard"),
  OVERLAP("overlap"),
  RBO_MIN("rbo_min"),
  RBO_RESIDUAL("rbo_residual"),
  RBO_EXT("rbo_ext"),
  KENDALL("kendall"),
  FOOTRULE("footrule"),
  SCORE_SPEARMAN("score_spearman"),
  CLUSTER_PRECISION_A("cluster_precision_a"),
  CLUSTER_PRECISION_B("cluster_precision_b");

  private final String column;

  StabilityMetric(String column) {
    this.column = column;
  }

  /** The column name in the items table and the {@code metric} value in the summary. */
  public String column() {
    return column;
  }

  /** The metrics computed for a run, with or without labels. */
  public static List<StabilityMetric> computed(boolean labels) {
    List<StabilityMetric> out = new ArrayList<>();
    for (StabilityMetric m : values()) {
      boolean cluster = m == CLUSTER_PRECISION_A || m == CLUSTER_PRECISION_B;
      if (labels || !cluster) {
        out.add(m);
      }
    }
    return out;
  }
}
