package org.cosineaudit.train;

import java.util.List;
import java.util.Locale;

/**
 * How ALS runs, the same for every model of a sweep.
 *
 * <p>Danger: ALS initializes each block's factors from {@code (seed, block id)}, so the same
 * seed with another block count gives other factors. Both counts are therefore part of the
 * configuration (not derived from the cluster's size): the same configuration gives the same
 * factors in local mode and on a cluster.
 *
 * @param userBlocks ALS {@code numUserBlocks} (Spark's default is 10)
 * @param itemBlocks ALS {@code numItemBlocks}
 * @param storageLevel Spark storage level for ALS's intermediate and final RDDs
 *     (default MEMORY_AND_DISK; never NONE, which would recompute training)
 * @param checkpointDir where ALS checkpoints its factors every {@code checkpointInterval}
 *     iterations (cuts the lineage of long runs); null: no checkpoints
 * @param checkpointInterval iterations between checkpoints (ALS's default is 10)
 */
public record AlsSettings(int userBlocks, int itemBlocks, String storageLevel, String checkpointDir,
    int checkpointInterval) {

  /** Storage levels accepted by ALS for both its intermediate and final RDDs. */
  public static final List<String> STORAGE_LEVELS =
      List.of("memory_and_disk", "memory_and_disk_ser", "memory_only", "memory_only_ser", "disk_only");

  public AlsSettings {
    if (userBlocks < 1 || itemBlocks < 1) {
      throw new IllegalArgumentException("block counts must be >= 1, got " + userBlocks + " user and "
          + itemBlocks + " item blocks");
    }
    if (!STORAGE_LEVELS.contains(storageLevel.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("storage level must be one of " + STORAGE_LEVELS + ", got " + storageLevel);
    }
    if (checkpointInterval < 1) {
      throw new IllegalArgumentException("checkpoint interval must be >= 1, got " + checkpointInterval);
    }
  }

  public static AlsSettings defaults() {
    return new AlsSettings(4, 4, "memory_and_disk", null, 10);
  }

  /** The level as Spark names it, e.g. {@code MEMORY_AND_DISK}. */
  public String sparkStorageLevel() {
    return storageLevel.toUpperCase(Locale.ROOT);
  }
}
