package org.cosineaudit.similarity;

/**
 * Tuning of the top-k engine. Results never depend on these (the engine is exact); time and
 * memory do.
 *
 * @param blockSize rows per packed block of item vectors (default {@value #DEFAULT_BLOCK_SIZE}).
 *     One GEMM scores a chunk of query rows against one block; a task holds its query rows, one
 *     streamed target block and a {@code chunk x blockSize} float score buffer
 *     ({@value #CHUNK_ROWS} x 4096 x 4 bytes = 4 MiB at the default). Smaller blocks mean less
 *     memory and more, smaller GEMM calls. Allowed: 16 .. 1,048,576.
 * @param partitions query tasks (0 = automatic: Spark's default parallelism, raised so that no
 *     task holds more than {@value #MAX_QUERY_BLOCKS_PER_TASK} blocks of query rows, and lowered
 *     so that every task has at least one block). Every task streams all target blocks, so the
 *     shuffle writes {@code partitions x items x dim x 4} bytes: more partitions balance better
 *     but move more data.
 * @param maxReportedIds how many ids of zero-norm vectors the result lists (the count is
 *     always exact); default {@value #DEFAULT_MAX_REPORTED_IDS}.
 */
public record EngineOptions(int blockSize, int partitions, int maxReportedIds) {

  public static final int DEFAULT_BLOCK_SIZE = 4096;
  public static final int DEFAULT_MAX_REPORTED_IDS = 1000;
  /** Query rows per GEMM call: bounds the score buffer, big enough for BLAS efficiency. */
  public static final int CHUNK_ROWS = 256;
  /** A query task holds at most this many blocks of query rows (plus their top-k state). */
  public static final int MAX_QUERY_BLOCKS_PER_TASK = 16;

  public EngineOptions {
    if (blockSize < 16 || blockSize > 1 << 20) {
      throw new IllegalArgumentException("block size must be in [16, 1048576], got " + blockSize);
    }
    if (partitions < 0) {
      throw new IllegalArgumentException("partitions must be >= 0 (0 = automatic), got " + partitions);
    }
    if (maxReportedIds < 0) {
      throw new IllegalArgumentException("maxReportedIds must be >= 0, got " + maxReportedIds);
    }
  }

  /** Block size 4096, automatic partitions, up to 1000 zero-norm ids reported. */
  public static EngineOptions defaults() {
    return new EngineOptions(DEFAULT_BLOCK_SIZE, 0, DEFAULT_MAX_REPORTED_IDS);
  }

  public EngineOptions withBlockSize(int size) {
    return new EngineOptions(size, partitions, maxReportedIds);
  }

  public EngineOptions withPartitions(int n) {
    return new EngineOptions(blockSize, n, maxReportedIds);
  }
}
