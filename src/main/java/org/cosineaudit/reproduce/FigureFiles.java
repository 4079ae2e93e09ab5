package org.cosineaudit.reproduce;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.cosineaudit.run.RunOutput;

/** Writes binary figure files (PNG) into a run folder on any Hadoop file system. */
final class FigureFiles {

  /** The figures folder of a reproduction run. */
  static final String DIR = "figures";

  private FigureFiles() {}

  /** Writes {@code figures/<name>.png}; returns the relative path. */
  static String write(RunOutput out, String name, byte[] png) {
    String relative = DIR + "/" + name + ".png";
    Path p = new Path(out.path(relative));
    try {
      FileSystem fs = p.getFileSystem(out.spark().sparkContext().hadoopConfiguration());
      try (OutputStream os = fs.create(p, true)) {
        os.write(png);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot write figure " + p + ": " + e.getMessage(), e);
    }
    return relative;
  }
}
