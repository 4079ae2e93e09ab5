package org.cosineaudit.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.io.Manifest;

/**
 * File access for the report on any Hadoop file system (local, hdfs://, s3a://): listing a
 * run directory, reading small JSON files, writing the page and its figures.
 */
final class RunFiles {

  private final FileSystem fs;

  RunFiles(SparkSession spark, String anyPath) {
    try {
      this.fs = new Path(anyPath).getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the file system of " + anyPath + ": " + e.getMessage(), e);
    }
  }

  boolean exists(Path p) {
    try {
      return fs.exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  boolean isDirectory(Path p) {
    try {
      return fs.exists(p) && fs.getFileStatus(p).isDirectory();
    } catch (IOException e) {
      return false;
    }
  }

  /** Entries of a directory sorted by name; empty when it is missing. */
  List<FileStatus> list(Path dir) {
    try {
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<FileStatus> out = new ArrayList<>(List.of(fs.listStatus(dir)));
      out.sort((x, y) -> x.getPath().getName().compareTo(y.getPath().getName()));
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** True for a table folder written by Spark (Parquet or CSV part files). */
  boolean isTable(Path dir) {
    for (FileStatus f : list(dir)) {
      String n = f.getPath().getName();
      if (f.isFile() && (n.endsWith(".parquet") || n.endsWith(".csv"))) {
        return true;
      }
    }
    return false;
  }

  byte[] readBytes(Path p) {
    try {
      FileStatus st = fs.getFileStatus(p);
      byte[] b = new byte[(int) st.getLen()];
      try (FSDataInputStream in = fs.open(p)) {
        in.readFully(b);
      }
      return b;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  JsonNode readJson(Path p) {
    try {
      return Manifest.JSON.readTree(new String(readBytes(p), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(p + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  void write(Path p, byte[] bytes) {
    try (OutputStream out = fs.create(p, true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + p + ": " + e.getMessage(), e);
    }
  }

  void delete(Path p) {
    try {
      fs.delete(p, true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete " + p + ": " + e.getMessage(), e);
    }
  }

  void mkdirs(Path p) {
    try {
      fs.mkdirs(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + p + ": " + e.getMessage(), e);
    }
  }
}
