package org.cosineaudit.data;

import static org.cosineaudit.data.IngestionFixture.interactions;
import static org.cosineaudit.data.IngestionFixture.read;
import static org.cosineaudit.data.IngestionFixture.rejects;
import static org.cosineaudit.data.IngestionFixture.sorted;
import static org.cosineaudit.data.IngestionFixture.spark;
import static org.cosineaudit.data.IngestionFixture.strings;
import static org.cosineaudit.data.IngestionFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.cosineaudit.run.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: every reject reason, the accounting identity, duplicates, the reject limit, missing input. */
class IngestionRejectsTest {

  @TempDir Path dir;

  /** Explicit MovieLens .dat: one line per reason that explicit text can have. */
  private static final String BAD_DAT = String.join("\n",
      "1::10::4::100",          // 1 ok
      "1::11",                  // 2 missing_field
      "1::12::3::100::extra",   // 3 extra_field
      "\"1::13::3::100",        // 4 unbalanced_quote
      "1::14::four::100",       // 5 unparsable_number (value)
      "1::15::3::yesterday",    // 6 unparsable_number (timestamp)
      "1::16::NaN::100",        // 7 non_finite_value
      "1::17::1e400::100",      // 8 non_finite_value (overflow)
      "bad\u0001id::18::3::100", // 9 bad_id
      "",                       // 10 blank: skipped and counted
      "2::20::5::100",          // 11 duplicate_pair
      "2::20::1::200",          // 12 duplicate_pair
      "::21::3::100",           // 13 missing_field (empty user)
      "3::30::-2::100")         // 14 ok: explicit ratings may be negative
      + "\n";

  @Test
  void everyExplicitRejectReasonIsQuarantinedWithItsLine() {
    Path f = write(dir, "bad.dat", BAD_DAT);
    Ingested in = read(dir, f, "input-format", "movielens-dat");
    assertEquals(sorted(
        "2 missing_field 1::11",
        "3 extra_field 1::12::3::100::extra",
        "4 unbalanced_quote \"1::13::3::100",
        "5 unparsable_number 1::14::four::100",
        "6 unparsable_number 1::15::3::yesterday",
        "7 non_finite_value 1::16::NaN::100",
        "8 non_finite_value 1::17::1e400::100",
        "9 bad_id bad\u0001id::18::3::100",
        "11 duplicate_pair 2::20::5::100",
        "12 duplicate_pair 2::20::1::200",
        "13 missing_field ::21::3::100"), rejects(in));
    assertEquals(sorted("1 10 4.0 100", "3 30 -2.0 100"), interactions(in));
    Row source = in.rejects().select("source").first();
    assertTrue(source.getString(0).endsWith("bad.dat"), source.getString(0));
  }

  @Test
  void accountingIdentityHoldsForEveryLine() {
    Path f = write(dir, "bad.dat", BAD_DAT);
    IngestCounts c = read(dir, f, "input-format", "movielens-dat").counts();
    assertEquals(14, c.lines());
    assertEquals(1, c.blankLines());
    assertEquals(13, c.rowsRead());
    assertEquals(2, c.accepted());
    assertEquals(11, c.rejected());
    assertEquals(c.rowsRead(), c.accepted() + c.rejected() + c.merged());
    assertEquals(c.lines(), c.rowsRead() + c.headerLines() + c.blankLines());
    assertEquals(2L, c.rejectedByReason().get("missing_field"));
    assertEquals(2L, c.rejectedByReason().get("duplicate_pair"));
    assertEquals(11, c.rejectedAgainstLimit());
    assertTrue(c.summaryLines().get(1).contains("rows read 13 = accepted 2 + rejected 11 + merged 0"),
        c.summaryLines().toString());
  }

  @Test
  void implicitRejectReasonsAndEveryReasonIsCovered() {
    Path f = write(dir, "plays.tsv", "u\ti\tw\tt\na\tx\t3\t1\na\ty\t-1\t1\nb\tx\t2\t5\nb\tx\t7\t9\n");
    Ingested in = read(dir, f, "input-format", "delimited", "delimiter", "tab", "header", "true",
        "timestamp-col", "t", "feedback", "implicit", "duplicates", "keep-last");
    assertEquals(sorted("3 negative_implicit_weight a\ty\t-1\t1", "4 superseded_duplicate b\tx\t2\t5"), rejects(in));
    assertEquals(sorted("a x 3.0 1", "b x 7.0 9"), interactions(in));
    // the superseded row was asked for by the policy: it does not count against the limit
    assertEquals(1, in.counts().rejectedAgainstLimit());

    Set<RejectReason> seen = EnumSet.noneOf(RejectReason.class);
    for (String r : strings(in.rejects().select("reason"))) {
      seen.add(RejectReason.parse(r));
    }
    for (String r : strings(read(dir, write(dir, "bad.dat", BAD_DAT), "input-format", "movielens-dat")
        .rejects().select("reason"))) {
      seen.add(RejectReason.parse(r));
    }
    assertEquals(EnumSet.allOf(RejectReason.class), seen, "a reject reason without a test");
  }

  /** Three rows of (u1, i1) at timestamps 10, 30, 20 and one other pair. */
  private Path duplicates() {
    return write(dir, "dups.csv", "u1,i1,1,10\nu1,i1,2,30\nu1,i1,4,20\nu2,i1,5,10\n");
  }

  private Ingested readDuplicates(String... kv) {
    String[] base = {"input-format", "delimited", "timestamp-col", "3"};
    String[] all = new String[base.length + kv.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(kv, 0, all, base.length, kv.length);
    return read(dir, duplicates(), all);
  }

  @Test
  void duplicatesErrorRejectsEveryRowOfThePairAndIsTheExplicitDefault() {
    Ingested in = readDuplicates();
    assertEquals(DuplicatePolicy.ERROR, InteractionInput.of(IngestionFixture.opts("input", "x")).duplicates());
    assertEquals(List.of("u2 i1 5.0 10"), interactions(in));
    assertEquals(sorted("1 duplicate_pair u1,i1,1,10", "2 duplicate_pair u1,i1,2,30", "3 duplicate_pair u1,i1,4,20"),
        rejects(in));
  }

  @Test
  void duplicatesKeepLastKeepsTheLatestTimestampNotTheLastLine() {
    Ingested in = readDuplicates("duplicates", "keep-last");
    assertEquals(sorted("u1 i1 2.0 30", "u2 i1 5.0 10"), interactions(in));
    assertEquals(sorted("1 superseded_duplicate u1,i1,1,10", "3 superseded_duplicate u1,i1,4,20"), rejects(in));
  }

  @Test
  void duplicatesKeepLastWithoutTimestampsKeepsTheLastLine() {
    Path f = write(dir, "nots.csv", "u1,i1,1\nu1,i1,2\nu1,i1,3\n");
    Ingested in = read(dir, f, "input-format", "delimited", "duplicates", "keep-last");
    assertEquals(List.of("u1 i1 3.0 null"), interactions(in));
  }

  @Test
  void duplicatesSumAddsValuesKeepsLatestTimestampAndCountsMerged() {
    Ingested in = readDuplicates("duplicates", "sum");
    assertEquals(sorted("u1 i1 7.0 30", "u2 i1 5.0 10"), interactions(in));
    assertEquals(List.of(), rejects(in));
    IngestCounts c = in.counts();
    assertEquals(2, c.merged());
    assertEquals(4, c.rowsRead());
    assertEquals(c.rowsRead(), c.accepted() + c.rejected() + c.merged());
  }

  @Test
  void implicitThresholdBinarizesAfterSummingDuplicates() {
    // u1,i1 sums to 7 >= 5 -> 1; u2,i1 is 5 >= 5 -> 1; u3,i2 is 2 < 5 -> 0 (kept: nothing is lost)
    Path f = write(dir, "w.csv", "u1,i1,1\nu1,i1,6\nu2,i1,5\nu3,i2,2\n");
    Ingested in = read(dir, f, "input-format", "delimited", "feedback", "implicit", "implicit-threshold", "5");
    assertEquals(sorted("u1 i1 1.0 null", "u2 i1 1.0 null", "u3 i2 0.0 null"), interactions(in));
  }

  @Test
  void rejectsAboveTheLimitFailWithCountsPerReasonAndTheFirstLines() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 10; i++) {
      sb.append(i == 4 || i == 9 ? "u" + i + ",i,oops" : "u" + i + ",i,1").append('\n');
    }
    Path f = write(dir, "ten.csv", sb.toString());
    InputException e = assertThrows(InputException.class,
        () -> read(dir, f, "input-format", "delimited", "max-reject-fraction", "0.1"));
    String m = e.getMessage();
    assertTrue(m.contains(f.toString()), m);
    assertTrue(m.contains("2 of 10 rows rejected"), m);
    assertTrue(m.contains("unparsable_number 2"), m);
    assertTrue(m.contains("line 4: unparsable_number 'u4,i,oops'"), m);
    assertTrue(m.contains("line 9: unparsable_number 'u9,i,oops'"), m);
    assertTrue(m.contains("--max-reject-fraction"), m);
  }

  @Test
  void rejectsExactlyAtTheLimitPass() {
    Path f = write(dir, "ten.csv", "a,i,1\nb,i,1\nc,i,1\nd,i,x\ne,i,1\nf,i,1\ng,i,1\nh,i,1\nj,i,1\nk,i,1\n");
    Ingested in = read(dir, f, "input-format", "delimited", "max-reject-fraction", "0.1");
    assertEquals(9, in.counts().accepted());
  }

  @Test
  void missingInputFailsNamingThePath() {
    Path missing = dir.resolve("nope/ratings.csv");
    InputException e = assertThrows(InputException.class, () -> read(dir, missing));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
        e.getMessage());
  }

  @Test
  void emptyFileEmptyFolderAndHeaderOnlyFailNamingThePath() throws Exception {
    Path empty = write(dir, "empty.csv", "");
    InputException e1 = assertThrows(InputException.class, () -> read(dir, empty));
    assertTrue(e1.getMessage().contains(empty.toString()) && e1.getMessage().contains("empty"), e1.getMessage());

    Path folder = Files.createDirectories(dir.resolve("nothing"));
    write(dir, "nothing/_SUCCESS", "");
    InputException e2 = assertThrows(InputException.class, () -> read(dir, folder));
    assertTrue(e2.getMessage().contains(folder.toString()) && e2.getMessage().contains("empty"), e2.getMessage());

    Path headerOnly = write(dir, "header.csv", "userId,movieId,rating,timestamp\n");
    InputException e3 = assertThrows(InputException.class, () -> read(dir, headerOnly));
    assertTrue(e3.getMessage().contains(headerOnly.toString()) && e3.getMessage().contains("no data rows"),
        e3.getMessage());
  }

  @Test
  void foldersAreReadFileByFileWithLinesNumberedPerFileAndHiddenFilesSkipped() {
    write(dir, "parts/part-0.csv", "user,item,value\na,x,1\nb,x,2\n");
    write(dir, "parts/part-1.csv", "user,item,value\nc,y,3\nd,y,oops\n");
    write(dir, "parts/_SUCCESS", "");
    write(dir, "parts/.part-1.csv.crc", "garbage");
    Ingested in = read(dir, dir.resolve("parts"), "input-format", "delimited", "header", "true");
    assertEquals(List.of("3 unparsable_number d,y,oops"), rejects(in));
    assertTrue(in.rejects().first().getString(0).endsWith("part-1.csv"));
    assertEquals(2, in.counts().files());
    assertEquals(2, in.counts().headerLines());
    assertEquals(3, in.counts().accepted());
  }

  @Test
  void lineNumbersStayExactWhenOneFileIsSplitManyTimes() {
    StringBuilder sb = new StringBuilder();
    for (int line = 1; line <= 3000; line++) {
      boolean bad = line == 1 || line == 1234 || line == 3000;
      sb.append("user").append(line).append("::item").append(line % 7).append("::")
          .append(bad ? "bad" : "3").append("::").append(line).append('\n');
    }
    Path f = write(dir, "big.dat", sb.toString());
    Configuration conf = spark().sparkContext().hadoopConfiguration();
    String key = "mapreduce.input.fileinputformat.split.maxsize";
    String before = conf.get(key);
    conf.set(key, "4096");
    try {
      Ingested in = read(dir, f, "input-format", "movielens-dat");
      Set<String> lines = new TreeSet<>(strings(in.rejects().select("line")));
      assertEquals(new TreeSet<>(List.of("1", "1234", "3000")), lines);
      assertEquals(3000, in.counts().lines());
      assertEquals(2997, in.counts().accepted());
    } finally {
      if (before == null) {
        conf.unset(key);
      } else {
        conf.set(key, before);
      }
    }
  }

  @Test
  void rowsWithoutAUserSpreadOverAllPartitionsAndKeepTheirFates() {
    // a file of mostly rejects (a wrong delimiter, say): before, every row without a user went to
    // one partition, so one task sorted and cached them all
    List<Row> rows = new java.util.ArrayList<>();
    for (int line = 1; line <= 200; line++) {
      rows.add(Ingestion.markerRow(0, line, "garbage " + line, RejectReason.MISSING_FIELD.id()));
    }
    rows.add(Ingestion.parsedRow(0, 201, null,
        InteractionParser.check("u1", "i1", "1", null, true, Feedback.EXPLICIT)));
    rows.add(Ingestion.parsedRow(0, 202, null,
        InteractionParser.check("u1", "i1", "2", null, true, Feedback.EXPLICIT)));
    rows.add(Ingestion.parsedRow(0, 203, null,
        InteractionParser.check("u2", "i1", "3", null, true, Feedback.EXPLICIT)));
    org.apache.spark.sql.Dataset<Row> resolved = Ingestion.resolveDuplicates(
        spark().createDataFrame(rows, Ingestion.PARSED_SCHEMA), DuplicatePolicy.ERROR, 4);

    List<Integer> rejectsPerPartition = resolved.javaRDD().mapPartitions(it -> {
      int n = 0;
      while (it.hasNext()) {
        n += it.next().getAs("fate").equals(RejectReason.MISSING_FIELD.id()) ? 1 : 0;
      }
      return List.of(n).iterator();
    }).collect();
    assertEquals(4, rejectsPerPartition.size());
    for (int n : rejectsPerPartition) {
      assertTrue(n > 20, "rows without a user are spread over the partitions: " + rejectsPerPartition);
    }
    Set<String> fates = new TreeSet<>();
    for (Row r : resolved.select("line", "fate").collectAsList()) {
      if (r.getLong(0) > 200) {
        fates.add(r.getLong(0) + " " + r.getString(1));
      }
    }
    assertEquals(Set.of("201 duplicate_pair", "202 duplicate_pair", "203 accepted"), fates);
  }
}
