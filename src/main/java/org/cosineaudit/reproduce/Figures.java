package org.cosineaudit.reproduce;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cosineaudit.run.RunOutput;

/**
 * Figure 1 and its companions, written under {@code figures/}: the paper's five panels
 * ({@code figure1.png}: ground truth, Eq. 1 under three rescalings, Eq. 2), the same models in
 * score space ({@code figure1-score-cosine.png}), the lambda sweeps, and one PNG per variant.
 */
final class Figures {

  /** Pixels per panel in the composite figures. */
  static final int PANEL = 420;
  /** Pixels of a single-variant figure. */
  static final int SINGLE = 640;

  private Figures() {}

  static void write(RunOutput out, List<FigureItems.Item> shown, boolean clusters,
      Map<String, Reproduction.ClosedForm> models, Map<String, Reproduction.ClosedForm> eq1Sweep,
      Map<String, Reproduction.ClosedForm> eq2Sweep, Map<String, double[]> cosine, Map<String, double[]> scoreCosine,
      double[] fullRank) {
    int m = shown.size();
    List<Integer> starts = clusters ? FigureItems.clusterStarts(shown) : List.of();
    List<HeatMaps.Panel> figure1 = new ArrayList<>();
    if (clusters) {
      figure1.add(new HeatMaps.Panel(Variants.GROUND_TRUTH, "Ground truth (same cluster = 1)",
          SimilarityMatrix.coMembership(shown), m));
    }
    List<HeatMaps.Panel> scorePanels = new ArrayList<>();
    for (Reproduction.ClosedForm f : models.values()) {
      HeatMaps.Panel cos = new HeatMaps.Panel(f.id(), f.title(), cosine.get(f.id()), m);
      HeatMaps.Panel score = new HeatMaps.Panel(f.id() + "-score-cosine", f.title() + ": score-cosine",
          scoreCosine.get(f.id()), m);
      if (!f.id().equals(Variants.EQ2_ROTATED)) {
        figure1.add(cos);
        scorePanels.add(score);
      }
      FigureFiles.write(out, cos.id(), HeatMaps.png(cos, starts, SINGLE, SINGLE));
      FigureFiles.write(out, score.id(), HeatMaps.png(score, starts, SINGLE, SINGLE));
    }
    for (HeatMaps.Panel p : figure1) {
      if (p.id().equals(Variants.GROUND_TRUTH)) {
        FigureFiles.write(out, p.id(), HeatMaps.png(p, starts, SINGLE, SINGLE));
      }
    }
    FigureFiles.write(out, "figure1", HeatMaps.grid(figure1, starts, figure1.size(), PANEL));
    FigureFiles.write(out, "figure1-score-cosine", HeatMaps.grid(scorePanels, starts, scorePanels.size(), PANEL));
    FigureFiles.write(out, "eq1-lambda-sweep", HeatMaps.grid(panels(eq1Sweep, cosine, m), starts,
        eq1Sweep.size(), PANEL));
    FigureFiles.write(out, "eq2-lambda-sweep", HeatMaps.grid(panels(eq2Sweep, cosine, m), starts,
        eq2Sweep.size(), PANEL));
    if (fullRank != null) {
      HeatMaps.Panel full = new HeatMaps.Panel(Variants.FULL_RANK, "Eq. 1 at full rank, B = V: cosine = I",
          fullRank, m);
      FigureFiles.write(out, full.id(), HeatMaps.png(full, starts, SINGLE, SINGLE));
    }
  }

  /** The ALS models: {@code figure1-als.png} (cosine, then score-cosine row) and one PNG per model. */
  static void writeAls(RunOutput out, List<FigureItems.Item> shown, boolean clusters, Map<String, String> titles,
      Map<String, double[]> cosine, Map<String, double[]> scoreCosine) {
    if (titles.isEmpty()) {
      return;
    }
    int m = shown.size();
    List<Integer> starts = clusters ? FigureItems.clusterStarts(shown) : List.of();
    List<HeatMaps.Panel> grid = new ArrayList<>();
    List<HeatMaps.Panel> scores = new ArrayList<>();
    for (Map.Entry<String, String> e : titles.entrySet()) {
      HeatMaps.Panel cos = new HeatMaps.Panel(e.getKey(), e.getValue(), cosine.get(e.getKey()), m);
      HeatMaps.Panel score = new HeatMaps.Panel(e.getKey() + "-score-cosine", e.getValue() + ": score-cosine",
          scoreCosine.get(e.getKey()), m);
      grid.add(cos);
      scores.add(score);
      FigureFiles.write(out, cos.id(), HeatMaps.png(cos, starts, SINGLE, SINGLE));
      FigureFiles.write(out, score.id(), HeatMaps.png(score, starts, SINGLE, SINGLE));
    }
    grid.addAll(scores);
    FigureFiles.write(out, "figure1-als", HeatMaps.grid(grid, starts, titles.size(), PANEL));
  }

  private static List<HeatMaps.Panel> panels(Map<String, Reproduction.ClosedForm> group, Map<String, double[]> cosine,
      int m) {
    List<HeatMaps.Panel> out = new ArrayList<>();
    for (Reproduction.ClosedForm f : group.values()) {
      out.add(new HeatMaps.Panel(f.id(), f.title(), cosine.get(f.id()), m));
    }
    return out;
  }
}
