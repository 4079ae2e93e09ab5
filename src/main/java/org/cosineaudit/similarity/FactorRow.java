package org.cosineaudit.similarity;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * One embedding as the engine reads it: id and components in double.
 *
 * @param id the original id (null when the row had none; reported by validation)
 * @param values the components; null when the row had no features; a null component is NaN
 */
public record FactorRow(String id, double[] values) implements Serializable {

  /** From a row of a standardized factors table ({@code id} string, {@code features} array<double>). */
  public static FactorRow of(Row row) {
    String id = row.isNullAt(0) ? null : row.getString(0);
    if (row.isNullAt(1)) {
      return new FactorRow(id, null);
    }
    List<Object> list = row.getList(1);
    double[] v = new double[list.size()];
    for (int i = 0; i < v.length; i++) {
      Object o = list.get(i);
      v[i] = o == null ? Double.NaN : ((Number) o).doubleValue();
    }
    return new FactorRow(id, v);
  }
}
