package org.cosineaudit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.cli.Main;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.GenerateJob;
import org.cosineaudit.data.PaperSimulation;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;

/** Small inputs and a way to run the sweep as the CLI does (without the CLI's session handling). */
final class SweepFixtures {

  private SweepFixtures() {}

  static SparkSession spark() {
    return SparkTestSession.get();
  }

  /** Spark's sample ratings file (30 users, 100 items, 1,501 ratings, "::"-separated), or null when absent. */
  static String sparkSampleRatings() {
    Path file = SparkTestSession.sharedData().resolve("spark-sample-movielens/sample_movielens_ratings.txt");
    return Files.isRegularFile(file) ? file.toString() : null;
  }

  /** A file of ../shared/data, or null when absent (tests then skip). */
  static String sharedFile(String relative) {
    Path file = SparkTestSession.sharedData().resolve(relative);
    return Files.isRegularFile(file) ? file.toString() : null;
  }

  /** The paper's generator, scaled down: {@code users} x {@code items}, 3 clusters. */
  static String synthetic(Path dir, int users, int items) {
    return synthetic(dir, users, items, 3);
  }

  static String synthetic(Path dir, int users, int items, int clusters) {
    PaperSimulation.Params p = new PaperSimulation.Params(users, items, clusters, 7L, 0.25, 1.5, 0.5, 3, 1.0);
    Settings gs = Settings.of("generate", new GenerateJob().options(),
        Map.of("output", dir.resolve("generate").toString()));
    RunOutput gen = RunOutput.open(spark(), "generate", gs,
        OutputSpec.fresh(dir.resolve("generate").toString(), TableFormat.PARQUET, false), Map.of());
    GenerateJob.Result r = GenerateJob.execute(spark(), p, 2, gen);
    gen.complete(Outcome.ok(List.of()));
    return r.interactionsPath();
  }

  /** Settings of a sweep from option values. */
  static Settings settings(Map<String, String> values) {
    return SweepJob.settings(values);
  }

  /** Opens the output as the CLI does (resume policy, result configuration) and runs the sweep. */
  static RegularizationSweep.Result run(Map<String, String> values) throws Exception {
    Settings s = settings(values);
    SweepJob.Config c = new SweepJob().configure(s);
    RunOutput out = RunOutput.open(spark(), "sweep", s, c.output(), Main.resultConfig(s));
    RegularizationSweep.Result r = SweepJob.execute(spark(), c, out);
    out.complete(Outcome.ok(List.of()));
    return r;
  }

  static Map<String, String> with(Map<String, String> base, String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>(base);
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  /** id -> factor vector of a factors table. */
  static Map<String, float[]> factors(String path) {
    Map<String, float[]> m = new HashMap<>();
    for (Row r : Factorization.readFactors(spark(), path).collectAsList()) {
      List<Float> f = r.getList(1);
      float[] a = new float[f.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = f.get(i);
      }
      m.put(r.getString(0), a);
    }
    return m;
  }

  /** Both sweeps hold the same models with bit-identical factors and identical metrics. */
  static void assertSameModels(String sweepA, String sweepB, List<String> modelIds) {
    for (String id : modelIds) {
      for (String table : List.of(RegularizationSweep.USER_FACTORS, RegularizationSweep.ITEM_FACTORS)) {
        Map<String, float[]> a = factors(sweepA + "/models/" + id + "/" + table);
        Map<String, float[]> b = factors(sweepB + "/models/" + id + "/" + table);
        assertEquals(a.keySet(), b.keySet(), id + " " + table + " ids");
        for (Map.Entry<String, float[]> e : a.entrySet()) {
          // exact comparison on purpose: the same configuration must give the same bits
          assertArrayEquals(e.getValue(), b.get(e.getKey()), id + " " + table + " row " + e.getKey());
        }
      }
      Factorization fa = Factorization.read(spark(), sweepA, id);
      Factorization fb = Factorization.read(spark(), sweepB, id);
      assertEquals(fa.metrics(), fb.metrics(), id + " metrics");
      assertEquals(fa.params(), fb.params(), id + " params");
    }
  }
}
