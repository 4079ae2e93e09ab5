package org.cosineaudit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cosineaudit.io.EmbeddingReader.Format;
import org.cosineaudit.run.InputException;
import org.cosineaudit.run.RunOutput;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingReaderTest {

  private static final SparkSession SPARK = SparkTestSession.get();

  @TempDir Path dir;

  @Test
  void parsesLinesOfEachTextFormat() {
    assertNull(EmbeddingReader.parseLine(Format.CSV, "id,f0,f1", true), "CSV header");
    assertArrayEquals(new float[] {1.5f, -2f}, EmbeddingReader.parseLine(Format.CSV, "\"x\", 1.5,-2", false).values());
    assertEquals("x", EmbeddingReader.parseLine(Format.CSV, "\"x\", 1.5,-2", false).id());
    assertNull(EmbeddingReader.parseLine(Format.TEXT, "3 2", true), "word2vec header");
    assertEquals("the", EmbeddingReader.parseLine(Format.TEXT, "the 0.1\t0.2 ", false).id());
    assertEquals("column 3 ('abc') is not a number", EmbeddingReader.parseLine(Format.CSV, "a,1,abc", false).error());
    assertTrue(EmbeddingReader.parseLine(Format.TEXT, "   ", false).values() == null, "blank line");
  }

  @Test
  void nonFiniteComponentsParseInNumpyAndCSpellingsSoTheEngineNamesTheirIds() throws IOException {
    assertArrayEquals(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY,
        Float.POSITIVE_INFINITY, Float.NaN, 1000f},
        EmbeddingReader.parseLine(Format.TEXT, "w nan -Inf INF +infinity NaN 1e3", false).values());
    assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 2f},
        EmbeddingReader.parseLine(Format.CSV, "x,-inf,2", false).values());
    assertEquals("value 1 ('nanx') of 'w' is not a number",
        EmbeddingReader.parseLine(Format.TEXT, "w nanx", false).error());
    Path numpy = write("numpy.csv", "id,f0,f1\na,1,0\nb,nan,2\nc,inf,1\n");
    Map<String, List<Double>> read = asMap(EmbeddingReader.read(SPARK, numpy.toString()).collectAsList());
    assertTrue(read.get("b").get(0).isNaN() && read.get("c").get(0).isInfinite(), read.toString());
  }

  @Test
  void readsCsvWord2vecGloveAndParquetToTheSameFactors() throws IOException {
    Path csv = write("e.csv", "id,f0,f1\na,1,0\nb,0.5,2\n");
    Path w2v = write("e.vec", "2 2\na 1 0\nb 0.5 2\n");
    Path glove = write("e.txt", "a 1 0\n\nb 0.5 2\n");
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("vec",
        DataTypes.createArrayType(DataTypes.DoubleType));
    Path parquet = dir.resolve("p");
    SPARK.createDataFrame(List.of(RowFactory.create(7, new Double[] {1.0, 0.0}),
        RowFactory.create(8, new Double[] {0.5, 2.0})), schema).write().parquet(parquet.toString());
    assertEquals(Format.CSV, EmbeddingReader.detect(SPARK, csv.toString()));
    assertEquals(Format.TEXT, EmbeddingReader.detect(SPARK, w2v.toString()));
    assertEquals(Format.PARQUET, EmbeddingReader.detect(SPARK, parquet.toString()));
    Map<String, List<Double>> expected = new TreeMap<>(Map.of("a", List.of(1.0, 0.0), "b", List.of(0.5, 2.0)));
    for (Path p : List.of(csv, w2v, glove)) {
      assertEquals(expected, asMap(EmbeddingReader.read(SPARK, p.toString()).collectAsList()), p.toString());
    }
    assertEquals(new TreeMap<>(Map.of("7", List.of(1.0, 0.0), "8", List.of(0.5, 2.0))),
        asMap(EmbeddingReader.read(SPARK, parquet.toString()).collectAsList()));
  }

  @Test
  void readsTheFactorTablesThisProjectWritesAsCsv() {
    // a sweep's item_factors with --format csv: "id,features", the vector as space-separated numbers
    List<Row> rows = List.of(RowFactory.create("a", new Float[] {0.1f, -2.5e-7f, 3f}),
        RowFactory.create("b", new Float[] {1f, 0f, Float.MIN_VALUE}));
    Path table = dir.resolve("item_factors");
    Tables.write(SPARK.createDataFrame(rows, EmbeddingReader.SCHEMA), table.toString(), TableFormat.CSV);
    assertEquals(Format.CSV, EmbeddingReader.detect(SPARK, table.toString()));
    Map<String, List<Double>> read = asMap(EmbeddingReader.read(SPARK, table.toString()).collectAsList());
    // bit for bit: Spark writes each float's shortest decimal, which parses back to the same float
    assertEquals(new TreeMap<>(Map.of("a", List.of((double) 0.1f, (double) -2.5e-7f, 3.0),
        "b", List.of(1.0, 0.0, (double) Float.MIN_VALUE))), read);
    assertEquals("value 2 of column 2 ('x') is not a number",
        EmbeddingReader.parseLine(Format.CSV, "a,1 x 3", false).error());
  }

  @Test
  void quotedCsvIdsMayHoldCommasAndDoubledQuotes() {
    assertEquals("a,b", EmbeddingReader.parseLine(Format.CSV, "\"a,b\",1,2", false).id());
    assertArrayEquals(new float[] {1f, 2f}, EmbeddingReader.parseLine(Format.CSV, "\"a,b\",1,2", false).values());
    EmbeddingReader.Parsed spaced = EmbeddingReader.parseLine(Format.CSV, "\"a,b\",0.1 0.2", false);
    assertEquals("a,b", spaced.id());
    assertArrayEquals(new float[] {0.1f, 0.2f}, spaced.values());
    assertEquals("x\"y", EmbeddingReader.parseLine(Format.CSV, "\"x\"\"y\",1,2", false).id());
    assertTrue(EmbeddingReader.parseLine(Format.CSV, "\"open,1,2", false).error().contains("not closed"));
    // the factor tables this project writes with --format csv, ids with a quote and a comma
    List<Row> rows = List.of(RowFactory.create("x\"y", new Float[] {1f, 0f}),
        RowFactory.create("a,b", new Float[] {0.5f, 2f}), RowFactory.create("\"q\"", new Float[] {0f, 1f}));
    Path table = dir.resolve("item_factors");
    Tables.write(SPARK.createDataFrame(rows, EmbeddingReader.SCHEMA), table.toString(), TableFormat.CSV);
    assertEquals(new TreeMap<>(Map.of("x\"y", List.of(1.0, 0.0), "a,b", List.of(0.5, 2.0), "\"q\"",
        List.of(0.0, 1.0))), asMap(EmbeddingReader.read(SPARK, table.toString()).collectAsList()));
  }

  @Test
  void gzippedTextAndCsvAreReadThroughTheirCodec() throws IOException {
    Map<String, List<Double>> expected = new TreeMap<>(Map.of("a", List.of(1.0, 0.0), "b", List.of(0.5, 2.0)));
    Path csv = gzip("e.csv.gz", "id,f0,f1\na,1,0\nb,0.5,2\n");
    Path vec = gzip("e.vec.gz", "2 2\na 1 0\nb 0.5 2\n");
    assertEquals(Format.CSV, EmbeddingReader.detect(SPARK, csv.toString()));
    assertEquals(Format.TEXT, EmbeddingReader.detect(SPARK, vec.toString()));
    for (Path p : List.of(csv, vec)) {
      assertEquals(expected, asMap(EmbeddingReader.read(SPARK, p.toString()).collectAsList()), p.toString());
    }
    // line numbers count the decompressed lines
    assertMessage(gzip("bad.csv.gz", "id,f0,f1\na,1,0\nb,1,x\n"), "bad.csv.gz line 3: column 3 ('x') is not a number");
  }

  @Test
  void csvWithoutTheIdHeaderIsNamedAsSuch() throws IOException {
    assertMessage(write("items.csv", "item,f0,f1\na,1,0\n"), "items.csv line 1: 'item,f0,f1' is not a CSV "
        + "header starting with 'id'; CSV embeddings need the header id,f0,...,f{d-1} (or id,features)");
    assertMessage(write("noheader.csv", "a,1,0\nb,0,1\n"), "noheader.csv line 1: 'a,1,0' is not a CSV header");
    // a GloVe word may be a comma: text, as before
    Path glove = write("glove.txt", ", 1 0\nb 0.5 2\n");
    assertEquals(Format.TEXT, EmbeddingReader.detect(SPARK, glove.toString()));
    assertEquals(List.of(1.0, 0.0), asMap(EmbeddingReader.read(SPARK, glove.toString()).collectAsList()).get(","));
  }

  @Test
  void badLinesAreReportedWithFileAndLine() throws IOException {
    Path notNumber = write("bad.csv", "id,f0,f1\na,1,0\nb,1,x\n");
    assertMessage(notNumber, "bad.csv line 3: column 3 ('x') is not a number");
    Path fields = write("fields.csv", "id,f0,f1\na,1,0\nb,1,0\nc,1\n");
    assertMessage(fields, "fields.csv line 4 (id 'c'): 1 values, expected 2");
    Path spaced = write("spaced.csv", "id,f0,f1\na,1,0\nb,0.5 2\n");
    assertMessage(spaced, "spaced.csv line 3: one field of space-separated numbers, but the header gives 3 columns");
    Path dims = write("dims.txt", "a 1 0 0\nb 1 0 0\nc 1 0\nd 0 1 1\n");
    assertMessage(dims, "dims.txt line 3 (id 'c'): 2 values, expected 3 (most lines); 1 line has another number");
    Path tie = write("tie.txt", "a 1 0\nb 1\nc 0 1\nd 0\n");
    assertMessage(tie, "tie.txt disagree on their dimension: 2 lines have 1 value, 2 lines have 2 values; every "
        + "embedding needs the same number of values");
    Path count = write("count.vec", "3 2\na 1 0\nb 0 1\n");
    assertMessage(count, "count.vec line 1: the header announces 3 vectors, the file holds 2");
    Path empty = write("empty.txt", "");
    assertMessage(empty, "empty.txt are empty");
    assertMessage(dir.resolve("missing"), "missing do not exist");
  }

  @Test
  void aRunFolderGivenAsEmbeddingsNamesTheTableToGive() throws IOException {
    // a sweep's model folder: model.json beside its factor tables, which read as text would be taken for embeddings
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("model.json"), "{}");
    Files.createDirectories(model.resolve("item_factors"));
    Files.createDirectories(model.resolve("user_factors"));
    assertMessage(model, "is a folder of folders (item_factors, user_factors), not one table of embeddings; give the "
        + "table itself, e.g. " + model.resolve("item_factors"));
    Path sweep = Files.createDirectories(dir.resolve("sweep"));
    Files.writeString(sweep.resolve(RunOutput.MANIFEST), "{}");
    Files.createDirectories(sweep.resolve("models"));
    Files.createDirectories(sweep.resolve("model_index"));
    assertMessage(sweep, "is the output folder of a cosine-audit run (model_index, models)");
    assertMessage(sweep, sweep + "/models/<model-id>/item_factors of a sweep");
    // partition folders (k=v) are one table, not a folder of tables
    Path partitioned = Files.createDirectories(dir.resolve("partitioned").resolve("part=0"));
    assertMessage(partitioned.getParent(), "is an empty folder");
  }

  private void assertMessage(Path p, String expected) {
    InputException e = assertThrows(InputException.class, () -> EmbeddingReader.read(SPARK, p.toString()).count());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private Path gzip(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  private static Map<String, List<Double>> asMap(List<Row> rows) {
    Map<String, List<Double>> m = new TreeMap<>();
    for (Row r : rows) {
      List<Double> v = new ArrayList<>();
      for (Object o : r.getList(1)) {
        v.add(((Number) o).doubleValue());
      }
      m.put(r.getString(0), v);
    }
    return m;
  }
}
