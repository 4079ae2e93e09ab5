package org.cosineaudit.data;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The result of {@link Ingestion#read}: Datasets per the table contracts (ids are the
 * original ids as strings), cached because every consumer reads them several times; call
 * {@link #release()} when done with them.
 *
 * @param interactions {@code user} string, {@code item} string, {@code value} double, {@code timestamp} long (nullable)
 * @param rejects {@code source} string, {@code line} long (nullable), {@code raw} string, {@code reason} string
 * @param userIds {@code id} string, {@code index} int: dense 0..users-1, ordered by (id length, id)
 *     so numeric ids keep their numeric order; deterministic for the same accepted ids
 * @param itemIds the same for items
 * @param counts the accounting (read = accepted + rejected + merged)
 * @param layout how the input was read
 * @param usableTimestamps every interaction has a timestamp and at least two differ (the rule of
 *     {@link HeldOutSplit.Mode#AUTO}), found in the same pass as the counts
 */
public record Ingested(Dataset<Row> interactions, Dataset<Row> rejects, Dataset<Row> userIds, Dataset<Row> itemIds,
    IngestCounts counts, InputLayout layout, boolean usableTimestamps, Runnable releaser) {

  /**
   * The interactions with the dense indices ALS needs: {@code user}, {@code item},
   * {@code user_index} int, {@code item_index} int, {@code value}, {@code timestamp}.
   */
  public Dataset<Row> indexed() {
    Dataset<Row> u = userIds.select(col("id").as("user"), col("index").as("user_index"));
    Dataset<Row> i = itemIds.select(col("id").as("item"), col("index").as("item_index"));
    return interactions.join(u, "user").join(i, "item")
        .select("user", "item", "user_index", "item_index", "value", "timestamp");
  }

  /** Drops the cached data behind these Datasets. */
  public void release() {
    releaser.run();
  }
}
