package org.cosineaudit.similarity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The top-k neighbours of every item under one measure, and what the engine saw.
 *
 * <p>{@code neighbours} is cached (computed once, counted); {@link #close()} releases it.
 *
 * @param measure the measure
 * @param k the k asked for
 * @param neighbours {@code item, rank, neighbour, score} ({@link ItemNeighbours#SCHEMA}); rank 1
 *     is the most similar; equal scores by neighbour id ascending; never an item itself
 * @param items embeddings in the input
 * @param scoredItems items that took part (items minus zero-norm ones for normalizing measures)
 * @param neighboursPerItem min(k, scoredItems - 1): the rows each scored item has
 * @param dimension components per embedding
 * @param zeroNormIds the smallest {@link EngineOptions#maxReportedIds()} ids of excluded
 *     zero-norm vectors (empty for {@code dot})
 * @param zeroNormCount how many items were excluded as zero-norm
 * @param blasImplementation the netlib BLAS class the driver and executors used
 * @param scoreSpaceFactor for score-cosine: "cholesky" or "eigen" (G singular); else null
 * @param stats timings and kernel counters
 */
public record NeighbourResult(
    Measure measure,
    int k,
    Dataset<Row> neighbours,
    long items,
    long scoredItems,
    int neighboursPerItem,
    int dimension,
    List<String> zeroNormIds,
    long zeroNormCount,
    String blasImplementation,
    String scoreSpaceFactor,
    EngineStats stats) implements AutoCloseable {

  public NeighbourResult {
    zeroNormIds = List.copyOf(zeroNormIds);
  }

  /**
   * Timings (seconds, wall clock on the driver) and kernel counters (summed over tasks).
   *
   * @param prepareSeconds validation, transform and packing
   * @param scoreSeconds the scoring phase: GEMM, top-k, materializing the result
   * @param gemmFlops floating-point operations in GEMM
   * @param gemmSeconds time inside GEMM, summed over tasks
   * @param rescored candidates rescored in double
   * @param queryTasks scoring tasks
   * @param blocks packed blocks
   */
  public record EngineStats(double prepareSeconds, double scoreSeconds, long gemmFlops, double gemmSeconds,
      long rescored, int queryTasks, int blocks) {}

  /** Facts for a manifest: counts, zero-norm ids, BLAS, timings. */
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("measure", measure.id());
    m.put("k", k);
    m.put("items", items);
    m.put("scored_items", scoredItems);
    m.put("neighbours_per_item", neighboursPerItem);
    m.put("dimension", dimension);
    m.put("zero_norm_count", zeroNormCount);
    m.put("zero_norm_ids", zeroNormIds);
    m.put("zero_norm_ids_truncated", zeroNormIds.size() < zeroNormCount);
    m.put("blas", blasImplementation);
    if (scoreSpaceFactor != null) {
      m.put("score_space_factor", scoreSpaceFactor);
    }
    m.put("prepare_seconds", round(stats.prepareSeconds()));
    m.put("score_seconds", round(stats.scoreSeconds()));
    m.put("gemm_gflop", round(stats.gemmFlops() / 1e9));
    m.put("gemm_task_seconds", round(stats.gemmSeconds()));
    m.put("rescored_candidates", stats.rescored());
    m.put("query_tasks", stats.queryTasks());
    m.put("blocks", stats.blocks());
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** Releases the cached neighbours. */
  @Override
  public void close() {
    neighbours.unpersist(false);
  }
}
