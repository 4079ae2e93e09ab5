package org.cosineaudit.audit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.config.Settings;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.RunOutput;

/** Small deterministic embedding snapshots with planted problems, written as factors tables. */
final class Snapshots {

  static final StructType FACTORS = new StructType()
      .add("id", DataTypes.StringType, true)
      .add("features", DataTypes.createArrayType(DataTypes.FloatType, true), true);

  /** One factor row. */
  record Vec(String id, float[] v) {}

  private Snapshots() {}

  /** n vectors with i.i.d. N(0, 1) components: an isotropic space. Ids {@code i0..i(n-1)}. */
  static List<Vec> gaussian(int n, int d, long seed) {
    Random r = new Random(seed);
    List<Vec> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[d];
      for (int j = 0; j < d; j++) {
        v[j] = (float) r.nextGaussian();
      }
      out.add(new Vec("i" + i, v));
    }
    return out;
  }

  /** Every vector shifted by {@code offset} along the first axis: a cone around it. */
  static List<Vec> shifted(List<Vec> vs, float offset) {
    List<Vec> out = new ArrayList<>();
    for (Vec x : vs) {
      float[] v = x.v().clone();
      v[0] += offset;
      out.add(new Vec(x.id(), v));
    }
    return out;
  }

  static float[] filled(int d, float value) {
    float[] v = new float[d];
    java.util.Arrays.fill(v, value);
    return v;
  }

  static String write(SparkSession spark, List<Vec> vs, Path dir) {
    List<Row> rows = new ArrayList<>();
    for (Vec x : vs) {
      List<Float> l = null;
      if (x.v() != null) {
        l = new ArrayList<>();
        for (float f : x.v()) {
          l.add(f);
        }
      }
      rows.add(RowFactory.create(x.id(), l));
    }
    String p = dir.toString();
    spark.createDataFrame(rows, FACTORS).coalesce(2).write().mode(SaveMode.Overwrite).parquet(p);
    return p;
  }

  /**
   * Runs the audit with {@code options} into {@code output}, completed as the CLI would (manifest,
   * marker); returns its result.
   */
  static AuditJob.Result audit(SparkSession spark, Map<String, String> options, Path output) {
    AuditJob job = new AuditJob();
    Map<String, String> m = new HashMap<>(options);
    m.put("output", output.toString());
    Settings s = Settings.of("audit", job.options(), m);
    AuditJob.Config c = job.configure(s);
    RunOutput out = RunOutput.open(spark, "audit", s, c.output(), Map.of());
    AuditJob.Result r = AuditJob.execute(spark, c, out);
    out.complete(r.failed() ? Outcome.checksFailed(List.of()) : Outcome.ok(List.of()));
    return r;
  }

  /** The check called {@code name} of a result; fails the test when there is none. */
  static Check check(AuditJob.Result r, String name) {
    return r.checks().stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no check " + name + " in " + r.checks()));
  }
}
