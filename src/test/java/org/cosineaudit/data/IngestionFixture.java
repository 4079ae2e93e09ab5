package org.cosineaudit.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.config.Settings;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;

/** Helpers for the ingestion tests: tiny files, a run output per call, small results as sorted strings. */
final class IngestionFixture {

  private static final AtomicInteger RUNS = new AtomicInteger();

  private IngestionFixture() {}

  static SparkSession spark() {
    return SparkTestSession.get();
  }

  static Path write(Path dir, String name, String content) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
      return p;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A Parquet table {@code dir/name} of the rows, in one file so its row numbers follow the given order. */
  static Path writeParquet(Path dir, String name, StructType schema, Row... rows) {
    Path p = dir.resolve(name);
    spark().createDataFrame(Arrays.asList(rows), schema).coalesce(1).write().parquet(p.toString());
    return p;
  }

  /** Options as alternating key, value. */
  static Map<String, String> opts(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static RunOutput output(Path dir) {
    Settings s = Settings.of("ingest", InteractionInput.options(), Map.of("input", "unused"));
    return RunOutput.open(spark(), "ingest", s,
        OutputSpec.fresh(dir.resolve("run-" + RUNS.incrementAndGet()).toString(), TableFormat.PARQUET, false), Map.of());
  }

  /** Ingestion.read of {@code input} with the options; max-reject-fraction 1 unless given. */
  static Ingested read(Path dir, Path input, String... kv) {
    Map<String, String> o = opts(kv);
    o.put("input", input.toString());
    o.putIfAbsent("max-reject-fraction", "1");
    return Ingestion.read(spark(), InteractionInput.of(o), output(dir));
  }

  /** "user item value timestamp" per accepted row, sorted. */
  static List<String> interactions(Ingested in) {
    return strings(in.interactions().select("user", "item", "value", "timestamp"));
  }

  /** "line reason raw" per reject, sorted. */
  static List<String> rejects(Ingested in) {
    return strings(in.rejects().select("line", "reason", "raw"));
  }

  static List<String> sorted(String... lines) {
    List<String> out = new ArrayList<>(List.of(lines));
    out.sort(null);
    return out;
  }

  static List<String> strings(Dataset<Row> d) {
    List<String> out = new ArrayList<>();
    for (Row r : d.collectAsList()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        if (i > 0) {
          sb.append(' ');
        }
        sb.append(r.isNullAt(i) ? "null" : r.get(i).toString());
      }
      out.add(sb.toString());
    }
    out.sort(null);
    return out;
  }
}
