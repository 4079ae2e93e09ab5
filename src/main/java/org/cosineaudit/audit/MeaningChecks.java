package org.cosineaudit.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.similarity.ItemNeighbours;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.similarity.NeighbourResult;
import org.cosineaudit.stability.GaugeCheck;
import org.cosineaudit.stability.NeighbourAgreement;
import org.cosineaudit.stability.PopularityStrata;
import org.cosineaudit.stability.StabilityJob;
import org.cosineaudit.stability.SummaryRow;

/**
 * Does cosine mean anything for this model? With the user embeddings U next to the item
 * embeddings V:
 *
 * <ul>
 *   <li>gauge sensitivity: for seeded random positive diagonals D, (U D, V D^-1) predicts exactly
 *       the same scores; how much do the cosine lists of V D^-1 still agree with those of V?
 *       Low agreement: the model does not pin down its cosines (the paper's Eq. 1 case);
 *   <li>cosine against score-cosine (cosine between the items' predicted-score columns, the
 *       paper's remedy): low agreement means cosine ranks by something the predictions do not carry;
 *   <li>cosine against dot: how much the norms (often popularity) reorder the lists.
 * </ul>
 *
 * Every list is compared with the cosine lists of V in ONE stability comparison (a sub-run in
 * {@code meaning/} with its own manifest and tables).
 */
public final class MeaningChecks {

  public static final String GROUP = "meaning";
  /** The sub-run of the comparison (stability tables under {@code meaning/stability/}). */
  public static final String DIR = "meaning";

  private MeaningChecks() {}

  /**
   * @param items usable item vectors ({@code id, features, ...})
   * @param cosine their cosine lists (computed once, for hubness)
   * @param users the user factors of the same model
   */
  public static List<Check> run(SparkSession spark, Dataset<Row> items, int dimension, NeighbourResult cosine,
      Dataset<Row> users, AuditJob.Config c, RunOutput out) {
    AuditThresholds t = c.thresholds();
    Dataset<Row> v = items.select("id", "features");
    String itemsLabel = "embeddings " + c.embeddings();
    List<NeighbourAgreement.NamedTable> tables = new ArrayList<>();
    List<NeighbourResult> lists = new ArrayList<>();
    tables.add(new NeighbourAgreement.NamedTable("cosine", cosine.neighbours()));
    try {
      // the stability stage's seeded gauge transforms: V -> V D^-1 (with U -> U D every prediction
      // stays); only the item side matters for item-item cosine
      Dataset<Row> standardized = ItemNeighbours.standardize(v, itemsLabel);
      int drawn = 0;
      for (GaugeCheck.Transform g : GaugeCheck.transforms(dimension, c.gaugeRescalings(), c.gaugeSpread(), c.seed())) {
        if (g.kind() == GaugeCheck.Kind.RESCALE) {
          drawn++;
          lists.add(DriftChecks.neighbours(spark, GaugeCheck.transform(standardized, g.itemMatrix(), dimension), null,
              Measure.COSINE, c, itemsLabel + " (" + g.name() + ")", null));
          tables.add(new NeighbourAgreement.NamedTable("cosine-rescaled-" + drawn, lists.get(lists.size() - 1).neighbours()));
        }
      }
      lists.add(DriftChecks.neighbours(spark, v, users, Measure.SCORE_COSINE, c, itemsLabel,
          "user embeddings " + c.userEmbeddings()));
      tables.add(new NeighbourAgreement.NamedTable("score-cosine", lists.get(lists.size() - 1).neighbours()));
      lists.add(DriftChecks.neighbours(spark, v, null, Measure.DOT, c, itemsLabel, null));
      tables.add(new NeighbourAgreement.NamedTable("dot", lists.get(lists.size() - 1).neighbours()));

      RunOutput sub = out.child(DIR, "stability", c.settings(), Map.of());
      StabilityJob.Result r = StabilityJob.execute(spark, tables, NeighbourAgreement.againstBaseline(tables.size(), 0),
          null, null, DriftChecks.agreementOptions(c), false, List.of(), sub);
      List<SummaryRow> summary = r.agreement().summary();
      r.agreement().release();
      sub.complete(Outcome.ok(List.of()));

      double sum = 0;
      double worst = Double.POSITIVE_INFINITY;
      for (int i = 1; i <= c.gaugeRescalings(); i++) {
        double m = DriftChecks.mean(summary, "cosine-rescaled-" + i, "jaccard", PopularityStrata.ALL);
        sum += m;
        worst = Math.min(worst, m);
      }
      List<Check> checks = new ArrayList<>();
      checks.add(t.gaugeAgreement().judge("meaning.gauge-agreement", GROUP, sum / c.gaugeRescalings(),
          String.format(Locale.ROOT, "mean Jaccard of the top-%d cosine lists before/after %d random rescalings "
              + "(log-sd %.2f) that leave every prediction unchanged (worst %.3f); low = cosine is set by an "
              + "arbitrary gauge, not by the model's predictions", c.k(), c.gaugeRescalings(), c.gaugeSpread(), worst)));
      checks.add(t.scoreCosineAgreement().judge("meaning.score-cosine-agreement", GROUP,
          DriftChecks.mean(summary, "score-cosine", "jaccard", PopularityStrata.ALL), String.format(Locale.ROOT,
              "mean Jaccard of the top-%d cosine vs score-cosine lists (cosine of the items' predicted-score "
                  + "columns, unchanged by rescalings)", c.k())));
      checks.add(t.dotAgreement().judge("meaning.dot-agreement", GROUP,
          DriftChecks.mean(summary, "dot", "jaccard", PopularityStrata.ALL), String.format(Locale.ROOT,
              "mean Jaccard of the top-%d cosine vs dot-product lists; low = norms (often popularity) reorder "
                  + "the lists", c.k())));
      return checks;
    } finally {
      lists.forEach(NeighbourResult::close);
    }
  }
}
