package org.cosineaudit.similarity;

import dev.ludovic.netlib.blas.BLAS;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/** The engine's Spark functions: named, serializable, no captured job state. */
final class EngineFunctions {

  private EngineFunctions() {}

  /** Validation facts of one sorted partition (one {@link FactorStats} per partition). */
  static final class PartitionStats implements FlatMapFunction<Iterator<FactorRow>, FactorStats> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<FactorStats> call(Iterator<FactorRow> rows) {
      FactorStats s = new FactorStats();
      while (rows.hasNext()) {
        FactorRow r = rows.next();
        s.add(r.id(), r.values());
      }
      return List.of(s).iterator();
    }
  }

  /** Validation facts plus the partial Gram matrix UᵀU of one partition of user factors. */
  static final class PartitionGram implements FlatMapFunction<Iterator<FactorRow>, Tuple2<FactorStats, double[]>> {
    private static final long serialVersionUID = 1L;
    private static final int CHUNK = 1024;
    private final int dim;

    PartitionGram(int dim) {
      this.dim = dim;
    }

    @Override
    public Iterator<Tuple2<FactorStats, double[]>> call(Iterator<FactorRow> rows) {
      FactorStats s = new FactorStats();
      double[] gram = new double[dim * dim];
      double[] chunk = new double[CHUNK * dim];
      int n = 0;
      BLAS blas = BLAS.getInstance();
      while (rows.hasNext()) {
        FactorRow r = rows.next();
        s.add(r.id(), r.values());
        double[] v = r.values();
        if (r.id() == null || v == null || v.length != dim || !allFinite(v)) {
          continue; // reported by validation; the run fails
        }
        System.arraycopy(v, 0, chunk, n * dim, dim);
        if (++n == CHUNK) {
          // chunk is column-major dim x n: G += chunk chunkᵀ
          blas.dsyrk("U", "N", dim, n, 1.0, chunk, dim, 1.0, gram, dim);
          n = 0;
        }
      }
      if (n > 0) {
        blas.dsyrk("U", "N", dim, n, 1.0, chunk, dim, 1.0, gram, dim);
      }
      return List.of(new Tuple2<>(s, gram)).iterator();
    }
  }

  static boolean allFinite(double[] v) {
    for (double x : v) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  /** One sorted partition, transformed and packed into blocks, plus its excluded zero-norm ids. */
  record PackedPartition(int partition, List<FactorBlock> blocks, long kept, long excluded,
      List<String> excludedIds) implements java.io.Serializable {}

  /**
   * Transforms and packs one sorted partition. Order key = (partition << 32) | position:
   * partitions of a range-partitioned sort are in id order, so keys follow ids.
   */
  static final class PackPartition implements Function2<Integer, Iterator<FactorRow>, Iterator<PackedPartition>> {
    private static final long serialVersionUID = 1L;
    private final ItemTransform transform;
    private final int blockSize;
    private final int maxIds;

    PackPartition(ItemTransform transform, int blockSize, int maxIds) {
      this.transform = transform;
      this.blockSize = blockSize;
      this.maxIds = maxIds;
    }

    @Override
    public Iterator<PackedPartition> call(Integer partition, Iterator<FactorRow> rows) {
      int d = transform.dim();
      double[] scratch = new double[d];
      float[] one = new float[d];
      List<String> ids = new ArrayList<>();
      List<Long> orders = new ArrayList<>();
      List<float[]> vectors = new ArrayList<>();
      List<String> excludedIds = new ArrayList<>();
      long excluded = 0;
      long position = 0;
      while (rows.hasNext()) {
        FactorRow r = rows.next();
        long order = ((long) partition << 32) | position++;
        if (transform.apply(r.values(), scratch, one, 0)) {
          ids.add(r.id());
          orders.add(order);
          vectors.add(one.clone());
        } else {
          excluded++;
          if (excludedIds.size() < maxIds) {
            excludedIds.add(r.id());
          }
        }
      }
      int m = ids.size();
      List<FactorBlock> blocks = new ArrayList<>();
      if (m > 0) {
        // equal-sized blocks, none larger than blockSize
        int count = (m + blockSize - 1) / blockSize;
        int size = (m + count - 1) / count;
        for (int from = 0; from < m; from += size) {
          int to = Math.min(m, from + size);
          String[] bid = new String[to - from];
          long[] bord = new long[to - from];
          float[] data = new float[(to - from) * d];
          for (int i = from; i < to; i++) {
            bid[i - from] = ids.get(i);
            bord[i - from] = orders.get(i);
            System.arraycopy(vectors.get(i), 0, data, (i - from) * d, d);
          }
          blocks.add(new FactorBlock(bid, bord, data, d));
        }
      }
      return List.of(new PackedPartition(partition, blocks, m, excluded, excludedIds)).iterator();
    }
  }

  /** Each block once, keyed by the query task that owns its sort partition. */
  static final class QueryBlocks implements PairFlatMapFunction<PackedPartition, Integer, FactorBlock> {
    private static final long serialVersionUID = 1L;
    private final int tasks;
    private final int sortPartitions;

    QueryBlocks(int tasks, int sortPartitions) {
      this.tasks = tasks;
      this.sortPartitions = sortPartitions;
    }

    @Override
    public Iterator<Tuple2<Integer, FactorBlock>> call(PackedPartition p) {
      int task = (int) ((long) p.partition() * tasks / sortPartitions);
      List<Tuple2<Integer, FactorBlock>> out = new ArrayList<>();
      for (FactorBlock b : p.blocks()) {
        out.add(new Tuple2<>(task, b));
      }
      return out.iterator();
    }
  }

  /** Each block once per query task: every task streams every target block. */
  static final class TargetBlocks implements PairFlatMapFunction<PackedPartition, Integer, FactorBlock> {
    private static final long serialVersionUID = 1L;
    private final int tasks;

    TargetBlocks(int tasks) {
      this.tasks = tasks;
    }

    @Override
    public Iterator<Tuple2<Integer, FactorBlock>> call(PackedPartition p) {
      List<Tuple2<Integer, FactorBlock>> out = new ArrayList<>();
      for (FactorBlock b : p.blocks()) {
        for (int t = 0; t < tasks; t++) {
          out.add(new Tuple2<>(t, b));
        }
      }
      return out.iterator();
    }
  }

  /**
   * One query task: holds its query blocks, streams all target blocks through the
   * {@link BlockScorer}, emits {@code item, rank, neighbour, score} rows.
   */
  static final class NeighbourSearch implements
      FlatMapFunction2<Iterator<Tuple2<Integer, FactorBlock>>, Iterator<Tuple2<Integer, FactorBlock>>, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(NeighbourSearch.class);
    private final int k;
    private final int chunkRows;
    private final LongAccumulator flops;
    private final LongAccumulator gemmNanos;
    private final LongAccumulator rescored;
    private final CollectionAccumulator<String> blasNames;

    NeighbourSearch(int k, int chunkRows, LongAccumulator flops, LongAccumulator gemmNanos, LongAccumulator rescored,
        CollectionAccumulator<String> blasNames) {
      this.blasNames = blasNames;
      this.k = k;
      this.chunkRows = chunkRows;
      this.flops = flops;
      this.gemmNanos = gemmNanos;
      this.rescored = rescored;
    }

    @Override
    public Iterator<Row> call(Iterator<Tuple2<Integer, FactorBlock>> queryIt,
        Iterator<Tuple2<Integer, FactorBlock>> targetIt) {
      List<FactorBlock> queries = new ArrayList<>();
      queryIt.forEachRemaining(t -> queries.add(t._2()));
      // output in id order whatever the shuffle's arrival order
      queries.sort(Comparator.comparingLong(b -> b.order(0)));
      BlockScorer scorer = new BlockScorer(queries, k, chunkRows);
      long start = System.nanoTime();
      long targets = 0;
      while (targetIt.hasNext()) {
        FactorBlock target = targetIt.next()._2();
        if (!queries.isEmpty()) {
          scorer.score(target);
        }
        targets++;
      }
      flops.add(scorer.flops());
      gemmNanos.add(scorer.gemmNanos());
      rescored.add(scorer.rescored());
      blasNames.add(BLAS.getInstance().getClass().getSimpleName());
      if (!queries.isEmpty()) {
        LOG.info("top-k task: {} query rows x {} target blocks, {} GFLOP in {} s of GEMM ({} s total), "
            + "{} rescored, BLAS {}", scorer.topK().rows(), targets, scorer.flops() / 1e9,
            scorer.gemmNanos() / 1e9, (System.nanoTime() - start) / 1e9, scorer.rescored(),
            BLAS.getInstance().getClass().getSimpleName());
      }
      return new ResultRows(scorer);
    }
  }

  /** Lazily turns a finished scorer's top-k into rows. */
  private static final class ResultRows implements Iterator<Row> {
    private final BlockScorer scorer;
    private int block;
    private int row;
    private int globalRow;
    private TopK.Entry[] current = new TopK.Entry[0];
    private String currentId;
    private int next;

    ResultRows(BlockScorer scorer) {
      this.scorer = scorer;
    }

    @Override
    public boolean hasNext() {
      while (next >= current.length) {
        List<FactorBlock> q = scorer.queries();
        if (block >= q.size()) {
          return false;
        }
        if (row >= q.get(block).rows()) {
          block++;
          row = 0;
          continue;
        }
        currentId = q.get(block).id(row);
        current = scorer.topK().sorted(globalRow);
        next = 0;
        row++;
        globalRow++;
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      TopK.Entry e = current[next++];
      return RowFactory.create(currentId, next, e.id(), e.score());
    }
  }

  /** Distinct names, sorted, joined. */
  static String joinDistinct(List<String> names) {
    TreeSet<String> set = new TreeSet<>(names);
    return set.isEmpty() ? BLAS.getInstance().getClass().getSimpleName() : String.join(",", set);
  }
}
