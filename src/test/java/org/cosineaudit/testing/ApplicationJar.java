package org.cosineaudit.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The application jar and Spark classpath for tests that run jobs in separate JVMs
 * ({@code ./submit.sh} against a standalone cluster).
 *
 * <p>{@code mvn test} never reaches the {@code package} phase, so the jar is built here from
 * {@code target/classes} (what surefire tests anyway; Spark itself comes from the cluster's
 * jars). The Spark classpath is {@code target/runtime-classpath.txt}, which the pom writes in
 * {@code process-classes}, before any test runs. Both work on a clean clone.
 */
public final class ApplicationJar {

  private static Path jar;

  private ApplicationJar() {}

  /** Builds (once per JVM) {@code target/cluster-it/cosine-audit-classes.jar} from target/classes. */
  public static synchronized Path get() {
    if (jar == null) {
      Path classes = SparkTestSession.projectDir().resolve("target/classes");
      if (!Files.isRegularFile(classes.resolve("org/cosineaudit/cli/Main.class"))) {
        throw new IllegalStateException(classes + " holds no compiled classes; run 'mvn test-compile' first");
      }
      Path out = SparkTestSession.projectDir().resolve("target/cluster-it/cosine-audit-classes.jar");
      try {
        Files.createDirectories(out.getParent());
        write(classes, out);
      } catch (IOException e) {
        throw new IllegalStateException("cannot build " + out + ": " + e.getMessage(), e);
      }
      jar = out;
    }
    return jar;
  }

  /** The file listing Spark's runtime jars (provided + compile scope), written by the build. */
  public static Path sparkClasspathFile() {
    Path f = SparkTestSession.projectDir().resolve("target/runtime-classpath.txt");
    if (!Files.isRegularFile(f)) {
      throw new IllegalStateException(f + " is missing; it is written by 'mvn process-classes' (any 'mvn test' does it)");
    }
    return f;
  }

  private static void write(Path classes, Path out) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "org.cosineaudit.cli.Main");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp); JarOutputStream jos = new JarOutputStream(os, manifest)) {
      for (Path f : files) {
        String name = classes.relativize(f).toString().replace('\\', '/');
        if (name.equals("META-INF/MANIFEST.MF")) {
          continue;
        }
        jos.putNextEntry(new JarEntry(name));
        Files.copy(f, jos);
        jos.closeEntry();
      }
    }
    Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
