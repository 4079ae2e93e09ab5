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

  /** A packed block and its global index (blocks numbered in id order). */
  record IndexedBlock(int index, FactorBlock block) implements java.io.Serializable {}

  /**
   * Which task owns which block, and which block pairs a task scores. With {@code symmetric}
   * each unordered pair of distinct blocks is scored once (every measure is symmetric), by the
   * owner of the block from which the other is at most half-way round the circle of blocks:
   * every block is the query side of about half the pairs, so the work stays balanced.
   */
  record BlockPlan(int[] partitionOffsets, int[] taskOfBlock, int tasks, boolean symmetric)
      implements java.io.Serializable {

    static BlockPlan of(List<Integer> blocksPerPartition, int tasks, boolean symmetric) {
      int s = blocksPerPartition.size();
      int[] offsets = new int[s + 1];
      for (int i = 0; i < s; i++) {
        offsets[i + 1] = offsets[i] + blocksPerPartition.get(i);
      }
      int[] owner = new int[offsets[s]];
      for (int p = 0; p < s; p++) {
        int task = (int) ((long) p * tasks / s);
        for (int g = offsets[p]; g < offsets[p + 1]; g++) {
          owner[g] = task;
        }
      }
      return new BlockPlan(offsets, owner, tasks, symmetric);
    }

    int blocks() {
      return taskOfBlock.length;
    }

    int index(int partition, int position) {
      return partitionOffsets[partition] + position;
    }

    /** True when the owner of query block i scores target block j. */
    boolean needs(int i, int j) {
      if (!symmetric || i == j) {
        return true;
      }
      int b = blocks();
      int ahead = Math.floorMod(j - i, b);
      if (2 * ahead != b) {
        return 2 * ahead < b;
      }
      // exactly half-way (even b): alternate between the lower and the upper block of the pair,
      // so the b/2 half-way pairs do not all land on the tasks owning the first half
      int lo = Math.min(i, j);
      int taker = lo % 2 == 0 ? lo : Math.max(i, j);
      return i == taker;
    }

    /** True when task t scores target block j against at least one of its blocks. */
    boolean taskNeeds(int t, int j) {
      for (int i = 0; i < taskOfBlock.length; i++) {
        if (taskOfBlock[i] == t && needs(i, j)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Which copies of a block a task receives: the query blocks it owns, or the targets it scores. */
  private enum BlockRole { QUERY, TARGET }

  /** Keys every packed block by the task(s) that receive it in the given {@link BlockRole}. */
  static final class RouteBlocks implements PairFlatMapFunction<PackedPartition, Integer, IndexedBlock> {
    private static final long serialVersionUID = 1L;
    private final BlockPlan plan;
    private final BlockRole role;

    private RouteBlocks(BlockPlan plan, BlockRole role) {
      this.plan = plan;
      this.role = role;
    }

    /** Each block once, keyed by the query task that owns it. */
    static RouteBlocks queries(BlockPlan plan) {
      return new RouteBlocks(plan, BlockRole.QUERY);
    }

    /** Each block once per task that scores it as a target. */
    static RouteBlocks targets(BlockPlan plan) {
      return new RouteBlocks(plan, BlockRole.TARGET);
    }

    @Override
    public Iterator<Tuple2<Integer, IndexedBlock>> call(PackedPartition p) {
      List<Tuple2<Integer, IndexedBlock>> out = new ArrayList<>();
      for (int i = 0; i < p.blocks().size(); i++) {
        int g = plan.index(p.partition(), i);
        IndexedBlock block = new IndexedBlock(g, p.blocks().get(i));
        switch (role) {
          case QUERY -> out.add(new Tuple2<>(plan.taskOfBlock()[g], block));
          case TARGET -> {
            for (int t = 0; t < plan.tasks(); t++) {
              if (plan.taskNeeds(t, g)) {
                out.add(new Tuple2<>(t, block));
              }
            }
          }
        }
      }
      return out.iterator();
    }
  }

  /**
   * One scoring task: holds its query blocks, streams its target blocks through the
   * {@link BlockScorer}, emits per-item neighbour lists: final ones for its query rows when
   * pairs are not shared, otherwise partial lists (its query rows, and the target rows it
   * scored for other tasks) that {@link MergeLists} completes.
   */
  static final class NeighbourSearch implements FlatMapFunction2<Iterator<Tuple2<Integer, IndexedBlock>>,
      Iterator<Tuple2<Integer, IndexedBlock>>, Tuple2<String, NeighbourList>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(NeighbourSearch.class);
    private final int k;
    private final int chunkRows;
    private final BlockPlan plan;
    private final LongAccumulator flops;
    private final LongAccumulator gemmNanos;
    private final LongAccumulator rescored;
    private final CollectionAccumulator<String> blasNames;

    NeighbourSearch(int k, int chunkRows, BlockPlan plan, LongAccumulator flops, LongAccumulator gemmNanos,
        LongAccumulator rescored, CollectionAccumulator<String> blasNames) {
      this.k = k;
      this.chunkRows = chunkRows;
      this.plan = plan;
      this.flops = flops;
      this.gemmNanos = gemmNanos;
      this.rescored = rescored;
      this.blasNames = blasNames;
    }

    @Override
    public Iterator<Tuple2<String, NeighbourList>> call(Iterator<Tuple2<Integer, IndexedBlock>> queryIt,
        Iterator<Tuple2<Integer, IndexedBlock>> targetIt) {
      List<IndexedBlock> indexed = new ArrayList<>();
      queryIt.forEachRemaining(t -> indexed.add(t._2()));
      indexed.sort(Comparator.comparingInt(IndexedBlock::index));
      List<FactorBlock> queries = new ArrayList<>();
      java.util.Map<Integer, Integer> position = new java.util.HashMap<>();
      for (IndexedBlock b : indexed) {
        position.put(b.index(), queries.size());
        queries.add(b.block());
      }
      BlockScorer scorer = new BlockScorer(queries, k, chunkRows);
      List<Tuple2<String, NeighbourList>> out = new ArrayList<>();
      long start = System.nanoTime();
      long targets = 0;
      while (targetIt.hasNext()) {
        IndexedBlock target = targetIt.next()._2();
        targets++;
        if (queries.isEmpty()) {
          continue;
        }
        FactorBlock tb = target.block();
        Integer own = position.get(target.index());
        TopK remote = plan.symmetric() && own == null ? new TopK(tb.rows(), k) : null;
        for (int qi = 0; qi < queries.size(); qi++) {
          int i = indexed.get(qi).index();
          if (!plan.needs(i, target.index())) {
            continue;
          }
          if (!plan.symmetric() || i == target.index()) {
            scorer.scorePair(qi, tb, null, 0);
          } else if (own != null) {
            scorer.scorePair(qi, tb, scorer.topK(), scorer.rowOffset(own));
          } else {
            scorer.scorePair(qi, tb, remote, 0);
          }
        }
        if (remote != null) {
          for (int r = 0; r < tb.rows(); r++) {
            if (remote.size(r) > 0) {
              out.add(new Tuple2<>(tb.id(r), NeighbourList.of(remote, r)));
            }
          }
        }
      }
      int row = 0;
      for (FactorBlock q : queries) {
        for (int r = 0; r < q.rows(); r++, row++) {
          out.add(new Tuple2<>(q.id(r), NeighbourList.of(scorer.topK(), row)));
        }
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
      return out.iterator();
    }
  }

  /** Merges the partial lists of one item (exact: the order is total). */
  static final class MergeLists implements Function2<NeighbourList, NeighbourList, NeighbourList> {
    private static final long serialVersionUID = 1L;
    private final int k;

    MergeLists(int k) {
      this.k = k;
    }

    @Override
    public NeighbourList call(NeighbourList a, NeighbourList b) {
      return NeighbourList.merge(a, b, k);
    }
  }

  /** An item's final list as {@code item, rank, neighbour, score} rows. */
  static final class ToRows implements FlatMapFunction<Tuple2<String, NeighbourList>, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Row> call(Tuple2<String, NeighbourList> t) {
      NeighbourList l = t._2();
      List<Row> rows = new ArrayList<>(l.size());
      for (int i = 0; i < l.size(); i++) {
        rows.add(RowFactory.create(t._1(), i + 1, l.id(i), l.scores()[i]));
      }
      return rows.iterator();
    }
  }

  /** Distinct names, sorted, joined. */
  static String joinDistinct(List<String> names) {
    TreeSet<String> set = new TreeSet<>(names);
    return set.isEmpty() ? BLAS.getInstance().getClass().getSimpleName() : String.join(",", set);
  }
}
