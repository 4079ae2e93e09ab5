package org.cosineaudit.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.cosineaudit.run.InputException;

/**
 * The identity of an input: path, total bytes, number of files and a SHA-256 over the
 * contents of every data file (sorted by relative path; names starting with {@code _} or
 * {@code .} skipped), so that a manifest pins exactly what a run read.
 */
public record Fingerprint(String path, long bytes, int files, String sha256) {

  public static Fingerprint of(String path, Configuration hadoopConf) {
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(hadoopConf);
      if (!fs.exists(root)) {
        throw new InputException("input " + path + " does not exist; check the path");
      }
      List<FileStatus> files = new ArrayList<>();
      if (fs.getFileStatus(root).isFile()) {
        files.add(fs.getFileStatus(root));
      } else {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          if (!hidden(root, f.getPath())) {
            files.add(f);
          }
        }
      }
      files.sort(Comparator.comparing(f -> f.getPath().toString()));
      MessageDigest all = newDigest();
      long bytes = 0;
      byte[] buf = new byte[1 << 16];
      byte[] last = new byte[0];
      for (FileStatus f : files) {
        last = fileDigest(fs, f.getPath(), buf);
        bytes += f.getLen();
        all.update(relative(root, f.getPath()).getBytes(StandardCharsets.UTF_8));
        all.update(last);
      }
      // a single file gets its plain sha256, comparable with `sha256sum`
      byte[] digest = files.size() == 1 ? last : all.digest();
      return new Fingerprint(path, bytes, files.size(), HexFormat.of().formatHex(digest));
    } catch (IOException e) {
      throw new InputException("cannot read input " + path + ": " + e.getMessage(), e);
    }
  }

  private static byte[] fileDigest(FileSystem fs, Path p, byte[] buf) throws IOException {
    MessageDigest one = newDigest();
    try (InputStream in = fs.open(p)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        one.update(buf, 0, n);
      }
    }
    return one.digest();
  }

  /** True for files Spark and Hadoop treat as metadata: any path part below root starting with _ or . */
  public static boolean hidden(Path root, Path file) {
    for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
      String n = p.getName();
      if (n.startsWith("_") || n.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static String relative(Path root, Path file) {
    String r = root.toUri().getPath();
    String f = file.toUri().getPath();
    return f.startsWith(r) ? f.substring(r.length()) : f;
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
