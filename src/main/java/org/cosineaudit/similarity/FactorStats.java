package org.cosineaudit.similarity;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.cosineaudit.run.InputException;

/**
 * Validation facts of one partition of a factors table sorted by id, mergeable in partition
 * order: row count, first/last id (duplicates across partition borders), duplicates, rows
 * with null/NaN/infinite components and the dimensions seen. (The centering mean is summed
 * elsewhere, over a fixed partitioning: {@code ItemNeighbours.Prepared#centering}.)
 * Example ids are the smallest few, so messages are deterministic.
 */
public final class FactorStats implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Example ids kept per kind of problem. */
  static final int EXAMPLES = 5;

  long rows;
  long nullIds;
  String firstId;
  String lastId;
  long duplicateRows;
  final TreeSet<String> duplicateExamples = new TreeSet<>();
  long invalidRows;
  final TreeSet<String> invalidExamples = new TreeSet<>();
  /** dimension -> rows with it, and example ids. */
  final TreeMap<Integer, DimCount> dims = new TreeMap<>();

  /** Rows and example ids of one dimension. */
  static final class DimCount implements Serializable {
    private static final long serialVersionUID = 1L;
    long rows;
    final TreeSet<String> examples = new TreeSet<>();
  }

  /**
   * Adds the next row (rows must arrive in id order).
   *
   * @param id the id (null allowed: counted)
   * @param values components; null when the features are missing; NaN for a null component
   */
  public void add(String id, double[] values) {
    rows++;
    if (id == null) {
      nullIds++;
      return;
    }
    if (id.equals(lastId)) {
      duplicateRows++;
      keep(duplicateExamples, id);
    }
    if (firstId == null) {
      firstId = id;
    }
    lastId = id;
    if (values == null) {
      invalidRows++;
      keep(invalidExamples, id);
      return;
    }
    DimCount dc = dims.computeIfAbsent(values.length, x -> new DimCount());
    dc.rows++;
    keep(dc.examples, id);
    for (double v : values) {
      if (!Double.isFinite(v)) {
        invalidRows++;
        keep(invalidExamples, id);
        return;
      }
    }
  }

  /** Merges the next partition's stats (partitions in id order). */
  public FactorStats merge(FactorStats next) {
    FactorStats m = this;
    if (lastId != null && lastId.equals(next.firstId)) {
      m.duplicateRows++;
      keep(m.duplicateExamples, lastId);
    }
    m.rows += next.rows;
    m.nullIds += next.nullIds;
    if (m.firstId == null) {
      m.firstId = next.firstId;
    }
    if (next.lastId != null) {
      m.lastId = next.lastId;
    }
    m.duplicateRows += next.duplicateRows;
    next.duplicateExamples.forEach(id -> keep(m.duplicateExamples, id));
    m.invalidRows += next.invalidRows;
    next.invalidExamples.forEach(id -> keep(m.invalidExamples, id));
    for (Map.Entry<Integer, DimCount> e : next.dims.entrySet()) {
      DimCount dc = m.dims.computeIfAbsent(e.getKey(), x -> new DimCount());
      dc.rows += e.getValue().rows;
      e.getValue().examples.forEach(id -> keep(dc.examples, id));
    }
    return m;
  }

  /** Merges partition stats in the given (partition) order: deterministic sums. */
  public static FactorStats mergeAll(List<FactorStats> parts) {
    FactorStats total = new FactorStats();
    for (FactorStats p : parts) {
      total.merge(p);
    }
    return total;
  }

  public long rows() {
    return rows;
  }

  /**
   * Checks the merged stats and returns the common dimension.
   *
   * @param label what the table is, for messages (e.g. a path)
   * @param expectedDim the dimension rows must have, or -1 to take the most common one
   * @throws InputException naming the first offending ids and their count
   */
  public int validate(String label, int expectedDim) {
    if (rows == 0) {
      throw new InputException(label + " holds no embeddings; give a non-empty factors table");
    }
    if (nullIds > 0) {
      throw new InputException(label + ": " + nullIds + " rows have no id; every embedding needs a unique id");
    }
    if (duplicateRows > 0) {
      throw new InputException(label + ": " + duplicateRows + " duplicate ids (" + quote(duplicateExamples)
          + (duplicateRows > duplicateExamples.size() ? ", ..." : "") + "); ids must be unique: drop or rename them");
    }
    int dim = expectedDim >= 0 ? expectedDim : commonDimension();
    long wrong = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<Integer, DimCount> e : dims.entrySet()) {
      if (e.getKey() != dim) {
        wrong += e.getValue().rows;
        for (String id : e.getValue().examples) {
          examples.add("'" + id + "' has " + e.getKey());
        }
      }
    }
    if (wrong > 0) {
      examples.sort(null);
      List<String> first = examples.subList(0, Math.min(EXAMPLES, examples.size()));
      throw new InputException(label + ": " + wrong + " embeddings do not have " + dim + " components"
          + (expectedDim >= 0 ? ", the dimension of the embeddings they go with" : "") + " (e.g. "
          + String.join(", ", first) + "); " + (expectedDim >= 0 ? "give the factors of the same model"
              : "all embeddings must have the same dimension"));
    }
    if (dim == 0) {
      throw new InputException(label + ": the embeddings have 0 components");
    }
    if (invalidRows > 0) {
      throw new InputException(label + ": " + invalidRows + " embeddings have NaN, infinite or missing components ("
          + quote(invalidExamples) + (invalidRows > invalidExamples.size() ? ", ..." : "")
          + "); fix or drop them before computing similarities");
    }
    return dim;
  }

  /** The dimension most rows have (ties: the smaller). */
  int commonDimension() {
    int best = -1;
    long bestRows = -1;
    for (Map.Entry<Integer, DimCount> e : dims.entrySet()) {
      if (e.getValue().rows > bestRows) {
        best = e.getKey();
        bestRows = e.getValue().rows;
      }
    }
    return best;
  }

  private static void keep(TreeSet<String> set, String id) {
    set.add(id);
    if (set.size() > EXAMPLES) {
      set.pollLast();
    }
  }

  private static String quote(TreeSet<String> ids) {
    List<String> q = new ArrayList<>();
    for (String id : ids) {
      q.add("'" + id + "'");
    }
    return String.join(", ", q);
  }
}
