package org.cosineaudit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * {@code manifest.json}: what a run was (job, resolved configuration with the source of
 * each value, versions, inputs with checksums), what it did (row counts, per-stage timing)
 * and how it ended. Thread-safe: concurrent stages may record into it.
 */
public final class Manifest {

  public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final ObjectNode root = JSON.createObjectNode();
  private final long startNanos = System.nanoTime();

  public Manifest(String job, Map<String, String> config, Map<String, String> sources, Map<String, String> versions) {
    root.put("job", job);
    root.put("started", Instant.now().toString());
    root.put("outcome", "running");
    ObjectNode c = root.putObject("config");
    config.forEach(c::put);
    ObjectNode s = root.putObject("config_sources");
    sources.forEach(s::put);
    ObjectNode v = root.putObject("versions");
    versions.forEach(v::put);
    root.putArray("inputs");
    root.putObject("counts");
    root.putArray("stages");
    root.putObject("outputs");
    root.putObject("details");
  }

  public synchronized void spark(Map<String, String> sparkInfo) {
    ObjectNode s = root.putObject("spark");
    sparkInfo.forEach(s::put);
  }

  public synchronized void input(String role, Fingerprint f) {
    ObjectNode in = ((ArrayNode) root.get("inputs")).addObject();
    in.put("role", role);
    in.put("path", f.path());
    in.put("bytes", f.bytes());
    in.put("files", f.files());
    in.put("sha256", f.sha256());
  }

  public synchronized void count(String name, long value) {
    ((ObjectNode) root.get("counts")).put(name, value);
  }

  public synchronized void output(String table, long rows) {
    ((ObjectNode) root.get("outputs")).put(table, rows);
  }

  public synchronized void stage(String name, double seconds) {
    ObjectNode st = ((ArrayNode) root.get("stages")).addObject();
    st.put("name", name);
    st.put("seconds", Math.round(seconds * 1000) / 1000.0);
  }

  /** Job-specific facts (e.g. the BLAS used, models trained); any JSON-serializable value. */
  public synchronized void detail(String key, Object value) {
    ((ObjectNode) root.get("details")).set(key, JSON.valueToTree(value));
  }

  public synchronized void finish(String outcome, String message) {
    root.put("outcome", outcome);
    if (message != null) {
      root.put("message", message);
    }
    root.put("finished", Instant.now().toString());
    root.put("seconds", Math.round((System.nanoTime() - startNanos) / 1e6) / 1000.0);
  }

  public synchronized JsonNode json() {
    return root.deepCopy();
  }

  public synchronized String toJson() {
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
