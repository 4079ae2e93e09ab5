package org.cosineaudit.audit;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.similarity.EngineOptions;
import org.cosineaudit.similarity.ItemNeighbours;
import org.cosineaudit.similarity.Measure;
import org.cosineaudit.similarity.NeighbourResult;
import org.cosineaudit.stability.NeighbourAgreement;
import org.cosineaudit.stability.PopularityStrata;
import org.cosineaudit.stability.StabilityJob;
import org.cosineaudit.stability.SummaryRow;

/**
 * Drift against the previous snapshot: which ids came and went, and how much the top-k
 * neighbour lists of the ids in both changed (Jaccard and RBO, overall and by popularity
 * decile). Neighbours are computed in each snapshot over the shared ids only, so that new and
 * removed items do not count as drift; the lists are compared by the stability stage
 * ({@link StabilityJob#execute}, a sub-run in {@code drift/} with its own manifest). With user
 * embeddings for both snapshots, score-cosine lists are compared too: they see through
 * prediction-preserving rescalings, so "cosine drifted, score-cosine did not" means the
 * predictions stayed and only the arbitrary gauge moved.
 */
public final class DriftChecks {

  public static final String GROUP = "drift";
  /** The sub-run of the comparison (stability tables under {@code drift/comparison/stability/}). */
  public static final String DIR = "drift/comparison";
  /** Ids in one snapshot only: {@code id, change} ("added" or "removed"). */
  public static final String ID_CHANGES = "drift/id_changes";
  /** The items whose cosine neighbours changed most: {@code item, jaccard, rbo_ext, popularity_decile, title}. */
  public static final String CHANGED_MOST = "drift/changed_most";

  static final String BASELINE = "baseline-cosine";
  static final String CURRENT = "current-cosine";
  static final String BASELINE_SCORE = "baseline-score-cosine";
  static final String CURRENT_SCORE = "current-score-cosine";

  private DriftChecks() {}

  /**
   * The snapshots compared.
   *
   * @param current usable current vectors ({@code id, features, ...})
   * @param baseline usable baseline vectors
   * @param currentUsers current user factors, or null
   * @param baselineUsers baseline user factors, or null
   * @param popularity {@code item, popularity} ({@link PopularityStrata#read}), or null
   * @param metadata {@code id, title}, or null
   */
  public record Inputs(Dataset<Row> current, Dataset<Row> baseline, Dataset<Row> currentUsers,
      Dataset<Row> baselineUsers, Dataset<Row> popularity, Dataset<Row> metadata) {}

  public static List<Check> run(SparkSession spark, Inputs in, AuditJob.Config c, RunOutput out) {
    AuditThresholds t = c.thresholds();
    List<Check> checks = new ArrayList<>();
    Dataset<Row> cur = in.current().select("id", "features");
    Dataset<Row> base = in.baseline().select("id", "features");
    Dataset<Row> curIds = cur.select(col("id").as("cur_id"));
    Dataset<Row> baseIds = base.select(col("id").as("base_id"));
    Dataset<Row> changes = curIds.join(baseIds, col("cur_id").equalTo(col("base_id")), "full_outer")
        .select(coalesce(col("cur_id"), col("base_id")).as("id"),
            when(col("base_id").isNull(), lit("added")).when(col("cur_id").isNull(), lit("removed"))
                .otherwise(lit("shared")).as("change"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long added = 0;
    long removed = 0;
    long shared = 0;
    for (Row r : changes.groupBy("change").count().collectAsList()) {
      switch (r.getString(0)) {
        case "added" -> added = r.getLong(1);
        case "removed" -> removed = r.getLong(1);
        default -> shared = r.getLong(1);
      }
    }
    out.writeTable(ID_CHANGES, changes.filter(col("change").notEqual("shared")));
    long currentCount = added + shared;
    long baselineCount = removed + shared;
    checks.add(t.removedIds().judge("drift.removed-ids", GROUP,
        baselineCount == 0 ? 0 : (double) removed / baselineCount, String.format(Locale.ROOT,
            "%,d of the baseline's %,d usable ids are gone%s", removed, baselineCount, examples(changes, "removed"))));
    checks.add(t.addedIds().judge("drift.added-ids", GROUP, currentCount == 0 ? 0 : (double) added / currentCount,
        String.format(Locale.ROOT, "%,d of the %,d usable ids are new%s", added, currentCount,
            examples(changes, "added"))));
    if (shared < 2) {
      changes.unpersist();
      checks.add(t.driftJaccard().judge("drift.cosine-jaccard", GROUP, Double.NaN,
          "fewer than 2 ids in both snapshots: nothing to compare"));
      return checks;
    }

    Dataset<Row> sharedIds = changes.filter(col("change").equalTo("shared")).select("id");
    Dataset<Row> curShared = cur.join(sharedIds, "id");
    Dataset<Row> baseShared = base.join(sharedIds, "id");
    boolean scoreSpace = in.currentUsers() != null && in.baselineUsers() != null;
    List<NeighbourResult> lists = new ArrayList<>();
    Dataset<Row> deciles = null;
    RunOutput sub = out.child(DIR, "stability", c.settings(), Map.of());
    try {
      List<NeighbourAgreement.NamedTable> tables = new ArrayList<>();
      lists.add(neighbours(spark, baseShared, null, Measure.COSINE, c, "baseline " + c.baseline(), null));
      tables.add(new NeighbourAgreement.NamedTable(BASELINE, lists.get(0).neighbours()));
      lists.add(neighbours(spark, curShared, null, Measure.COSINE, c, "embeddings " + c.embeddings(), null));
      tables.add(new NeighbourAgreement.NamedTable(CURRENT, lists.get(1).neighbours()));
      List<int[]> pairs = new ArrayList<>(List.of(new int[] {0, 1}));
      if (scoreSpace) {
        lists.add(neighbours(spark, baseShared, in.baselineUsers(), Measure.SCORE_COSINE, c,
            "baseline " + c.baseline(), "baseline user embeddings " + c.baselineUserEmbeddings()));
        tables.add(new NeighbourAgreement.NamedTable(BASELINE_SCORE, lists.get(2).neighbours()));
        lists.add(neighbours(spark, curShared, in.currentUsers(), Measure.SCORE_COSINE, c,
            "embeddings " + c.embeddings(), "user embeddings " + c.userEmbeddings()));
        tables.add(new NeighbourAgreement.NamedTable(CURRENT_SCORE, lists.get(3).neighbours()));
        pairs.add(new int[] {2, 3});
      }
      deciles = in.popularity() == null ? null : PopularityStrata.deciles(spark, in.popularity());
      // one comparison (one shuffle) for every pair; outputs in drift/stability/, per item included
      StabilityJob.Result r = StabilityJob.execute(spark, tables, pairs, deciles, null, agreementOptions(c), true,
          List.of(), sub);
      List<SummaryRow> summary = r.agreement().summary();
      String scope = String.format(Locale.ROOT, " of the top-%d cosine lists of the %,d ids in both snapshots",
          c.k(), shared);
      checks.add(t.driftJaccard().judge("drift.cosine-jaccard", GROUP,
          mean(summary, CURRENT, "jaccard", PopularityStrata.ALL),
          "mean Jaccard" + scope + "; changed most: " + changedMost(r, in.metadata(), c, out)));
      checks.add(t.driftRbo().judge("drift.cosine-rbo", GROUP, mean(summary, CURRENT, "rbo_ext", PopularityStrata.ALL),
          String.format(Locale.ROOT, "mean rank-biased overlap (rbo_ext, p = %.2f)", c.rboP()) + scope));
      if (deciles != null) {
        SummaryRow worst = worstDecile(summary);
        checks.add(t.driftDecileJaccard().judge("drift.worst-decile-jaccard", GROUP,
            worst == null ? Double.NaN : worst.mean(), worst == null ? "no popularity decile has items"
                : String.format(Locale.ROOT, "mean Jaccard of the cosine lists in the least stable popularity "
                    + "stratum, %s (%,d items); every stratum in %s/%s", worst.stratum(), worst.nItems(), DIR,
                    StabilityJob.SUMMARY)));
      }
      if (scoreSpace) {
        checks.add(t.driftJaccard().judge("drift.score-cosine-jaccard", GROUP,
            mean(summary, CURRENT_SCORE, "jaccard", PopularityStrata.ALL), String.format(Locale.ROOT,
                "mean Jaccard of the top-%d score-cosine lists (unchanged by rescalings that keep predictions); "
                    + "stable while cosine drifts = only the gauge moved, not the model's predictions", c.k())));
      }
      r.agreement().release();
      sub.complete(Outcome.ok(List.of()));
    } finally {
      lists.forEach(NeighbourResult::close);
      if (deciles != null) {
        deciles.unpersist();
      }
      changes.unpersist();
    }
    return checks;
  }

  /** Bootstrap replicates of the summaries' intervals; the checks read means, the intervals are context. */
  static final int BOOTSTRAP = 50;

  /** The comparison settings of the audit: its k, RBO persistence and seed. */
  static NeighbourAgreement.Options agreementOptions(AuditJob.Config c) {
    NeighbourAgreement.Options d = NeighbourAgreement.Options.defaults();
    return new NeighbourAgreement.Options(c.k(), c.rboP(), d.kendallP(), BOOTSTRAP, c.seed(), d.percentileAccuracy());
  }

  /** Top-k lists of one snapshot; labels name the inputs in error messages. */
  static NeighbourResult neighbours(SparkSession spark, Dataset<Row> items, Dataset<Row> users, Measure m,
      AuditJob.Config c, String itemsLabel, String usersLabel) {
    try (ItemNeighbours.Prepared p = ItemNeighbours.prepare(spark, items, users, EngineOptions.defaults(), itemsLabel,
        usersLabel == null ? "user factors" : usersLabel)) {
      return p.compute(m, c.k());
    }
  }

  /** Writes the most-changed items (lowest Jaccard, then RBO, then id) with titles; returns the first three. */
  private static String changedMost(StabilityJob.Result r, Dataset<Row> metadata, AuditJob.Config c, RunOutput out) {
    Dataset<Row> changed = r.agreement().items().filter(col("b").equalTo(CURRENT))
        .orderBy(col("jaccard").asc(), col("rbo_ext").asc(), col("item").asc())
        .limit(c.topItems()).select("item", "jaccard", "rbo_ext", "popularity_decile");
    if (metadata != null) {
      changed = changed.join(metadata, changed.col("item").equalTo(metadata.col("id")), "left")
          .select(changed.col("item"), col("jaccard"), col("rbo_ext"), col("popularity_decile"), col("title"));
    } else {
      changed = changed.withColumn("title", lit(null).cast("string"));
    }
    changed = changed.orderBy(col("jaccard").asc(), col("rbo_ext").asc(), col("item").asc());
    out.writeTable(CHANGED_MOST, changed);
    List<String> top = new ArrayList<>();
    for (Row row : changed.limit(3).collectAsList()) {
      top.add(row.getString(0) + (row.isNullAt(4) ? "" : " \"" + row.getString(4) + "\"")
          + String.format(Locale.ROOT, " (jaccard %.2f)", row.getDouble(1)));
    }
    return String.join(", ", top) + " (see " + CHANGED_MOST + ")";
  }

  static double mean(List<SummaryRow> rows, String b, String metric, String stratum) {
    for (SummaryRow r : rows) {
      if (r.b().equals(b) && r.metric().equals(metric) && r.stratum().equals(stratum)) {
        return r.mean();
      }
    }
    return Double.NaN;
  }

  private static SummaryRow worstDecile(List<SummaryRow> rows) {
    SummaryRow worst = null;
    for (SummaryRow r : rows) {
      if (r.b().equals(CURRENT) && r.metric().equals("jaccard") && r.stratum().startsWith("popularity_d")
          && r.nItems() > 0 && (worst == null || r.mean() < worst.mean())) {
        worst = r;
      }
    }
    return worst;
  }

  private static String examples(Dataset<Row> changes, String change) {
    List<String> ids = changes.filter(col("change").equalTo(change)).select("id").orderBy("id")
        .limit(IntegrityChecks.EXAMPLES).as(Encoders.STRING()).collectAsList();
    return ids.isEmpty() ? "" : "; e.g. " + String.join(", ", ids) + " (all in " + ID_CHANGES + ")";
  }
}
