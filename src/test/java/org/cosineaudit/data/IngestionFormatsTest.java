package org.cosineaudit.data;

import static org.cosineaudit.data.IngestionFixture.interactions;
import static org.cosineaudit.data.IngestionFixture.read;
import static org.cosineaudit.data.IngestionFixture.rejects;
import static org.cosineaudit.data.IngestionFixture.sorted;
import static org.cosineaudit.data.IngestionFixture.write;
import static org.cosineaudit.data.IngestionFixture.writeParquet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.io.TableFormat;
import org.cosineaudit.io.Tables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each input format, with tiny files checkable by eye. */
class IngestionFormatsTest {

  @TempDir Path dir;

  @Test
  void movieLens100kTabSeparatedIsDetected() {
    Path f = write(dir, "u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n");
    Ingested in = read(dir, f);
    assertEquals(InputFormat.MOVIELENS_100K, in.layout().format());
    assertEquals(sorted("196 242 3.0 881250949", "186 302 3.0 891717742", "22 377 1.0 878887116"), interactions(in));
    assertEquals(3, in.counts().rowsRead());
    assertEquals(0, in.counts().headerLines());
  }

  @Test
  void usableTimestampsAreFoundInTheCountingPassWithTheSplitsRule() {
    // differing timestamps on every accepted row: usable (a rejected row without one does not count)
    Ingested timed = read(dir, write(dir, "a.csv", "u,i,v,t\n1,1,4.0,100\n1,2,3.0,200\n2,1,x,\n"), "timestamp-col", "3");
    assertTrue(timed.usableTimestamps());
    assertEquals(true, HeldOutSplit.hasUsableTimestamps(timed.interactions()));
    // one accepted row without a timestamp, or all equal: not usable
    Ingested missing = read(dir, write(dir, "b.csv", "u,i,v,t\n1,1,4.0,100\n1,2,3.0,200\n1,3,3.0,\n"), "timestamp-col", "3");
    assertEquals(3, missing.counts().accepted());
    assertEquals(false, missing.usableTimestamps());
    assertEquals(false, HeldOutSplit.hasUsableTimestamps(missing.interactions()));
    Ingested equal = read(dir, write(dir, "c.csv", "u,i,v,t\n1,1,4.0,100\n1,2,3.0,100\n"), "timestamp-col", "3");
    assertEquals(false, equal.usableTimestamps());
    assertEquals(HeldOutSplit.Mode.RANDOM, HeldOutSplit.resolve(equal.usableTimestamps(), HeldOutSplit.Mode.AUTO));
    // only accepted rows count: not a rejected row's timestamp, nor a merged duplicate's (the kept
    // row of a summed pair carries the pair's latest timestamp)
    Ingested rejectedDiffers = read(dir, write(dir, "d.csv", "u,i,v,t\n1,1,4.0,100\n1,2,3.0,100\n2,1,x,300\n"),
        "timestamp-col", "3");
    assertEquals(1, rejectedDiffers.counts().rejected());
    assertEquals(false, rejectedDiffers.usableTimestamps());
    Ingested summed = read(dir, write(dir, "e.csv", "u,i,v,t\n1,1,4.0,100\n1,1,1.0,300\n1,2,3.0,300\n"),
        "timestamp-col", "3", "duplicates", "sum");
    assertEquals(1, summed.counts().merged());
    assertEquals(false, summed.usableTimestamps());
    assertEquals(false, HeldOutSplit.hasUsableTimestamps(summed.interactions()));
    assertEquals(HeldOutSplit.Mode.TIME, HeldOutSplit.resolve(timed.usableTimestamps(), HeldOutSplit.Mode.AUTO));
  }

  @Test
  void movieLensDatDoubleColonIsDetected() {
    Path f = write(dir, "ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
    Ingested in = read(dir, f);
    assertEquals(InputFormat.MOVIELENS_DAT, in.layout().format());
    assertEquals(sorted("1 1193 5.0 978300760", "1 661 3.0 978302109"), interactions(in));
  }

  @Test
  void movieLensCsvHeaderIsLineOneAndCrlfEndsLines() {
    Path f = write(dir, "ratings.csv",
        "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,x,964981247\r\n2,3,4.5,964982224\r\n");
    Ingested in = read(dir, f);
    assertEquals(InputFormat.MOVIELENS_CSV, in.layout().format());
    assertEquals(sorted("1 1 4.0 964982703", "2 3 4.5 964982224"), interactions(in));
    // the header is line 1, so the bad row is line 3
    assertEquals(List.of("3 unparsable_number 1,3,x,964981247"), rejects(in));
    assertEquals(4, in.counts().lines());
    assertEquals(1, in.counts().headerLines());
  }

  @Test
  void gzipTextIsDetectedAndReadTransparently() throws Exception {
    Path f = dir.resolve("ratings.dat.gz");
    try (var gz = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(f))) {
      gz.write("1::1193::5::978300760\n2::661::x::978302109\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Ingested in = read(dir, f);
    assertEquals(InputFormat.MOVIELENS_DAT, in.layout().format());
    assertEquals(List.of("1 1193 5.0 978300760"), interactions(in));
    assertEquals(List.of("2 unparsable_number 2::661::x::978302109"), rejects(in));
  }

  @Test
  void explicitMovieLensFormatNeedsNoDetection() {
    Path f = write(dir, "odd-name.txt", "7::8::2::1\n");
    Ingested in = read(dir, f, "input-format", "movielens-dat");
    assertEquals(List.of("7 8 2.0 1"), interactions(in));
  }

  @Test
  void delimitedWithNamedColumnsInAnyOrder() {
    Path f = write(dir, "plays.txt", "score;artist;when;listener\n2.5;a1;100;u1\n4;a2;;u2\n");
    Ingested in = read(dir, f, "input-format", "delimited", "delimiter", "semicolon", "user-col", "listener",
        "item-col", "artist", "value-col", "score", "timestamp-col", "when");
    assertEquals(sorted("u1 a1 2.5 100", "u2 a2 4.0 null"), interactions(in));
    assertTrue(in.layout().header());
    assertEquals(3, in.layout().user().position());
  }

  @Test
  void delimitedByPositionWithoutHeaderAndDetectedDelimiter() {
    Path f = write(dir, "pairs.psv", "x|u1|i1|5\nx|u2|i1|1\n");
    Ingested in = read(dir, f, "input-format", "delimited", "user-col", "1", "item-col", "2", "value-col", "3");
    assertEquals("|", in.layout().delimiter());
    assertEquals(sorted("u1 i1 5.0 null", "u2 i1 1.0 null"), interactions(in));
  }

  @Test
  void autoFallsBackToDelimitedWithHeaderDetectedFromTheValueField() {
    Path f = write(dir, "user_artists.dat", "userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n");
    Ingested in = read(dir, f, "feedback", "implicit");
    assertEquals(InputFormat.DELIMITED, in.layout().format());
    assertEquals("\t", in.layout().delimiter());
    assertTrue(in.layout().header());
    assertEquals(sorted("2 51 13883.0 null", "2 52 11690.0 null"), interactions(in));
  }

  @Test
  void quotedIdsMayHoldTheDelimiter() {
    Path f = write(dir, "q.csv", "user,item,value\n\"Smith, J\",\"The \"\"Best\"\"\",1\n");
    Ingested in = read(dir, f, "input-format", "delimited", "header", "true");
    assertEquals(List.of("Smith, J The \"Best\" 1.0 null"), interactions(in));
  }

  @Test
  void aCsvInteractionsTableThisProjectWroteKeepsIdsWithQuotesAndCommas() {
    StructType schema = new StructType().add("user", DataTypes.StringType).add("item", DataTypes.StringType)
        .add("value", DataTypes.DoubleType);
    Path table = dir.resolve("interactions");
    Tables.write(IngestionFixture.spark().createDataFrame(List.of(RowFactory.create("x\"y", "a,b", 1.0),
        RowFactory.create("007", "\"q\"", 2.0)), schema), table.toString(), TableFormat.CSV);
    Map<String, String> options = InteractionInput.forProjectTable(table.toString(), TableFormat.CSV);
    options.put("max-reject-fraction", "0");
    Ingested in = Ingestion.read(IngestionFixture.spark(), InteractionInput.of(options), IngestionFixture.output(dir));
    assertEquals(sorted("x\"y a,b 1.0 null", "007 \"q\" 2.0 null"), interactions(in));
  }

  @Test
  void implicitWithoutValueColumnWeighsEveryRowOne() {
    Path f = write(dir, "clicks.csv", "u1,i1\nu1,i2\nu1,i2\n");
    Ingested in = read(dir, f, "input-format", "delimited", "value-col", "none", "feedback", "implicit");
    // the repeated click sums to 2 (implicit default: sum)
    assertEquals(sorted("u1 i1 1.0 null", "u1 i2 2.0 null"), interactions(in));
    assertEquals(1, in.counts().merged());
  }

  @Test
  void withoutValueColumnAHeaderIsOneThatNamesTheUserAndItemColumns() {
    Path named = write(dir, "named.csv", "userId,item_id\nu1,i1\nu2,i1\n");
    Ingested in = read(dir, named, "input-format", "delimited", "value-col", "none", "feedback", "implicit");
    assertTrue(in.layout().header());
    assertEquals(sorted("u1 i1 1.0 null", "u2 i1 1.0 null"), interactions(in));
    Path data = write(dir, "data.csv", "alice,bookA\nbob,bookA\n");
    Ingested first = read(dir, data, "input-format", "delimited", "value-col", "none", "feedback", "implicit");
    assertFalse(first.layout().header());
    assertEquals(2, first.counts().accepted());
  }

  @Test
  void aHeaderNamingTimestampGivesTheTimestampColumnAsThisToolWritesIt() {
    // the header of this tool's CSV interactions table
    Path f = write(dir, "interactions.csv", "user,item,value,timestamp\nu1,i1,2.0,100\nu1,i2,1.0,200\n");
    Ingested in = read(dir, f, "input-format", "delimited");
    assertEquals(3, in.layout().timestamp().position());
    assertEquals(sorted("u1 i1 2.0 100", "u1 i2 1.0 200"), interactions(in));
    Ingested none = read(dir, f, "input-format", "delimited", "timestamp-col", "none");
    assertEquals(sorted("u1 i1 2.0 null", "u1 i2 1.0 null"), interactions(none));
  }

  @Test
  void parquetWithRenamedColumnsLongIdsAndRowNumbersInRejects() {
    StructType schema = new StructType().add("uid", DataTypes.LongType).add("iid", DataTypes.LongType)
        .add("w", DataTypes.DoubleType).add("t", DataTypes.LongType);
    Path pq = writeParquet(dir, "pq", schema,
        RowFactory.create(1L, 10L, 2.0, 5L),
        RowFactory.create(2L, 10L, Double.NaN, 6L),
        RowFactory.create(null, 11L, 1.0, 7L),
        RowFactory.create(3L, 12L, 4.0, null));
    Ingested in = read(dir, pq, "user-col", "uid", "item-col", "iid", "value-col", "w", "timestamp-col", "t");
    assertEquals(InputFormat.PARQUET, in.layout().format());
    assertEquals(sorted("1 10 2.0 5", "3 12 4.0 null"), interactions(in));
    // Parquet rows are numbered 1.. within their file, like lines
    assertEquals(sorted("2 non_finite_value uid=2, iid=10, w=NaN, t=6",
        "3 missing_field uid=null, iid=11, w=1.0, t=7"), rejects(in));
  }

  @Test
  void parquetDefaultsToTheContractColumnNamesAndRebuildsRawTextOfDuplicates() {
    StructType schema = new StructType().add("user", DataTypes.StringType).add("item", DataTypes.StringType)
        .add("value", DataTypes.DoubleType).add("timestamp", DataTypes.LongType);
    Path contract = writeParquet(dir, "contract", schema,
        RowFactory.create("a", "b", 1.0, null), RowFactory.create("a", "b", 2.0, 5L));
    Ingested in = read(dir, contract, "feedback", "implicit", "duplicates", "keep-last");
    assertEquals(List.of("a b 2.0 5"), interactions(in));
    assertEquals(List.of("1 superseded_duplicate user=a, item=b, value=1.0, timestamp=null"), rejects(in));
  }

  @Test
  void keepLastWithoutTimestampsPrefersTheLaterFileByNameAndRejectsNameTheirFile() {
    // rows carry their file as a number through the duplicate window: the number must order the
    // files by name, so "z.csv" line 1 beats "a.csv" line 2, and rejects get the name back
    write(dir, "in/a.csv", "u1,i1,1\nu1,i1,2\nu2,i1,x\n");
    write(dir, "in/z.csv", "u1,i1,3\nu3,i2,4\n");
    Ingested in = read(dir, dir.resolve("in"), "input-format", "delimited", "duplicates", "keep-last");
    assertEquals(sorted("u1 i1 3.0 null", "u3 i2 4.0 null"), interactions(in));
    List<String> bySource = new java.util.ArrayList<>();
    for (org.apache.spark.sql.Row r : in.rejects().orderBy("source", "line").collectAsList()) {
      String source = r.getString(0);
      bySource.add(source.substring(source.lastIndexOf('/') + 1) + " " + r.getLong(1) + " " + r.getString(3));
    }
    assertEquals(List.of("a.csv 1 superseded_duplicate", "a.csv 2 superseded_duplicate",
        "a.csv 3 unparsable_number"), bySource);
  }

  @Test
  void parquetFilesOfOneFolderAreOrderedByNameAndRejectsNameTheirFile() {
    StructType schema = new StructType().add("user", DataTypes.StringType).add("item", DataTypes.StringType)
        .add("value", DataTypes.DoubleType);
    Path folder = dir.resolve("parts folder");
    writeParquet(dir, "parts folder/b", schema, RowFactory.create("u1", "i1", 1.0));
    writeParquet(dir, "parts folder/a", schema, RowFactory.create("u1", "i1", 2.0),
        RowFactory.create("u2", "i1", Double.NaN));
    // one folder per write: move both part files into one folder of the input
    java.util.List<Path> parts = new java.util.ArrayList<>();
    for (String sub : List.of("a", "b")) {
      try (var files = java.nio.file.Files.list(folder.resolve(sub))) {
        files.filter(f -> f.getFileName().toString().endsWith(".parquet")).forEach(parts::add);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    Path input = dir.resolve("pq in");
    try {
      java.nio.file.Files.createDirectories(input);
      java.nio.file.Files.move(parts.get(0), input.resolve("part-a.parquet"));
      java.nio.file.Files.move(parts.get(1), input.resolve("part-b.parquet"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    Ingested in = read(dir, input, "input-format", "parquet", "duplicates", "keep-last");
    // no timestamps: the later file by name (part-b) wins over part-a
    assertEquals(List.of("u1 i1 1.0 null"), interactions(in));
    List<String> bySource = new java.util.ArrayList<>();
    for (org.apache.spark.sql.Row r : in.rejects().orderBy("source", "line").collectAsList()) {
      String source = r.getString(0);
      assertTrue(source.contains("pq in/"), source); // the folder's name as written, not URL-encoded
      bySource.add(source.substring(source.lastIndexOf('/') + 1) + " " + r.getLong(1) + " " + r.getString(3));
    }
    assertEquals(List.of("part-a.parquet 1 superseded_duplicate", "part-a.parquet 2 non_finite_value"), bySource);
  }

  @Test
  void parquetLaterFileIsByTheEncodedPathAsSparkRendersIt() {
    // "x y.parquet" is encoded "x%20y.parquet", after "x!y.parquet" ('%' > '!'), though decoded ' ' < '!':
    // the tie order stays the one Spark's own paths give, whatever the names
    StructType schema = new StructType().add("user", DataTypes.StringType).add("item", DataTypes.StringType)
        .add("value", DataTypes.DoubleType);
    Path input = dir.resolve("enc");
    int n = 0;
    for (String[] f : new String[][] {{"x y.parquet", "1.0"}, {"x!y.parquet", "2.0"}}) {
      Path tmp = writeParquet(dir, "tmp" + n++, schema, RowFactory.create("u1", "i1", Double.valueOf(f[1])));
      try (var files = java.nio.file.Files.list(tmp)) {
        Path part = files.filter(x -> x.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        java.nio.file.Files.createDirectories(input);
        java.nio.file.Files.move(part, input.resolve(f[0]));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    Ingested in = read(dir, input, "input-format", "parquet", "duplicates", "keep-last");
    assertEquals(List.of("u1 i1 1.0 null"), interactions(in));
    String source = in.rejects().first().getString(0);
    assertTrue(source.endsWith("enc/x!y.parquet"), source);
  }
}
