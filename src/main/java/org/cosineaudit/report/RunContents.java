package org.cosineaudit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * What a run directory holds, found by walking it: the report renders a section for each
 * kind of output it finds, so it works for any job (and for {@code demo}, whose stages are
 * nested runs) without the jobs telling it anything.
 *
 * <p>Recognized layouts (paths relative to any run folder under the root, up to
 * {@value #MAX_DEPTH} levels deep): {@code manifest.json}; a sweep's {@code model_index}
 * table with {@code models/<id>/model.json} and {@code models/<id>/neighbours/<measure>};
 * {@code stability/summary}; tables whose name contains {@code gauge}; {@code claims.json}
 * with {@code figures/*.png} (reproduce); {@code summary.json} holding {@code checks}
 * (audit); {@code neighbours/<measure>} and {@code neighbours/<variant>/<measure>};
 * a ground-truth {@code items} table and {@code interactions}. The {@code report} folder
 * itself, folders starting with {@code _} or {@code .} and table folders are not entered.
 */
final class RunContents {

  static final int MAX_DEPTH = 4;

  /** A nested or top-level run: its folder relative to the root and its manifest. */
  record RunDir(String relative, Path dir, JsonNode manifest) {}

  /** A sweep: the folder holding {@code model_index} and {@code models/}. */
  record SweepDir(String relative, Path dir, List<ModelDir> models) {}

  /** One model of a sweep with its {@code model.json} (null when missing or unreadable). */
  record ModelDir(String id, Path dir, JsonNode modelJson) {}

  /**
   * A neighbour table ({@code item, rank, neighbour, score}).
   *
   * @param modelId the sweep model it belongs to, or null
   * @param source the variant or run it belongs to, for labels
   */
  record NeighbourTable(String source, String modelId, String measure, Path path) {}

  final Path root;
  final List<RunDir> runs = new ArrayList<>();
  final List<SweepDir> sweeps = new ArrayList<>();
  final List<Path> stabilitySummaries = new ArrayList<>();
  final List<Path> gaugeTables = new ArrayList<>();
  final List<Path> reproduceDirs = new ArrayList<>();
  final List<Path> auditSummaries = new ArrayList<>();
  final List<NeighbourTable> neighbourTables = new ArrayList<>();
  final List<Path> itemTables = new ArrayList<>();
  final List<Path> interactionTables = new ArrayList<>();

  private final RunFiles files;

  private RunContents(RunFiles files, Path root) {
    this.files = files;
    this.root = root;
  }

  static RunContents discover(RunFiles files, Path root) {
    RunContents c = new RunContents(files, root);
    c.walk(root, "", 0);
    return c;
  }

  /** The folder of {@code p} relative to the root ("" for the root itself). */
  String relative(Path p) {
    String r = root.toUri().getPath();
    String s = p.toUri().getPath();
    if (s.startsWith(r)) {
      s = s.substring(r.length());
    }
    return s.startsWith("/") ? s.substring(1) : s;
  }

  private void walk(Path dir, String rel, int depth) {
    List<FileStatus> entries = files.list(dir);
    for (FileStatus f : entries) {
      if (!f.isFile()) {
        continue;
      }
      String n = f.getPath().getName();
      switch (n) {
        case "manifest.json" -> runs.add(new RunDir(rel, dir, tryJson(f.getPath())));
        case "claims.json" -> reproduceDirs.add(dir);
        case "summary.json" -> {
          JsonNode j = tryJson(f.getPath());
          if (j != null && j.has("checks")) {
            auditSummaries.add(f.getPath());
          }
        }
        default -> { }
      }
    }
    for (FileStatus f : entries) {
      if (!f.isDirectory()) {
        continue;
      }
      Path p = f.getPath();
      String n = p.getName();
      String childRel = rel.isEmpty() ? n : rel + "/" + n;
      if (n.startsWith("_") || n.startsWith(".") || (n.equals("report") && depth <= MAX_DEPTH)) {
        continue;
      }
      if (n.equals("models") && files.exists(new Path(dir, "model_index"))) {
        continue; // read with the sweep below
      }
      if (n.equals("neighbours")) {
        collectNeighbours(p, rel.isEmpty() ? "" : rel, null);
        continue;
      }
      if (files.isTable(p)) {
        classifyTable(p, n, dir.getName());
        continue;
      }
      if (depth < MAX_DEPTH) {
        walk(p, childRel, depth + 1);
      }
    }
  }

  private void classifyTable(Path p, String name, String parentName) {
    if (name.equals("model_index")) {
      sweeps.add(readSweep(p.getParent()));
    } else if (name.equals("summary") && parentName.equals("stability")) {
      stabilitySummaries.add(p);
    } else if (name.contains("gauge") || parentName.contains("gauge")) {
      gaugeTables.add(p);
    } else if (name.equals("items") && !parentName.equals("stability")) {
      itemTables.add(p);
    } else if (name.equals("interactions")) {
      interactionTables.add(p);
    }
  }

  private SweepDir readSweep(Path dir) {
    List<ModelDir> models = new ArrayList<>();
    for (FileStatus m : files.list(new Path(dir, "models"))) {
      if (!m.isDirectory() || m.getPath().getName().startsWith("_")) {
        continue;
      }
      String id = m.getPath().getName();
      Path json = new Path(m.getPath(), "model.json");
      models.add(new ModelDir(id, m.getPath(), files.exists(json) ? tryJson(json) : null));
      Path nb = new Path(m.getPath(), "neighbours");
      if (files.isDirectory(nb)) {
        collectNeighbours(nb, relative(dir), id);
      }
    }
    return new SweepDir(relative(dir), dir, models);
  }

  /** {@code neighbours/<measure>} tables, or {@code neighbours/<variant>/<measure>}. */
  private void collectNeighbours(Path dir, String source, String modelId) {
    for (FileStatus f : files.list(dir)) {
      if (!f.isDirectory() || f.getPath().getName().startsWith("_")) {
        continue;
      }
      Path p = f.getPath();
      if (files.isTable(p)) {
        neighbourTables.add(new NeighbourTable(source, modelId, p.getName(), p));
      } else {
        for (FileStatus g : files.list(p)) {
          if (g.isDirectory() && files.isTable(g.getPath())) {
            String variant = p.getName();
            neighbourTables.add(new NeighbourTable(variant, modelId, g.getPath().getName(), g.getPath()));
          }
        }
      }
    }
  }

  private JsonNode tryJson(Path p) {
    try {
      return files.readJson(p);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
