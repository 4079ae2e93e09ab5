package org.cosineaudit.audit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.cosineaudit.io.EmbeddingReader;
import org.cosineaudit.io.Tables;
import org.cosineaudit.run.InputException;
import org.cosineaudit.similarity.ItemNeighbours;

/**
 * Reads an embedding snapshot for the audit WITHOUT rejecting bad vectors: NaN components,
 * wrong lengths and duplicate ids must reach {@link IntegrityChecks} to be counted and
 * reported. Only an unusable file or schema is an {@link InputException} (exit 2).
 */
public final class AuditInputs {

  private AuditInputs() {}

  /**
   * {@code id string, features array<double>} from any embedding format of
   * {@link EmbeddingReader} (Parquet, CSV {@code id,f0,..}, word2vec/GloVe text), or from a
   * factors table this project wrote as CSV ({@code id,features} with space-separated numbers).
   * Parquet keeps NaN, wrong lengths and duplicates for the integrity checks; the text readers
   * refuse a malformed line (naming file and line), which makes the audit exit with 2.
   */
  public static Dataset<Row> embeddings(SparkSession spark, String path) {
    Dataset<Row> t;
    try {
      EmbeddingReader.Format format = EmbeddingReader.detect(spark, path);
      boolean projectCsv = format == EmbeddingReader.Format.CSV
          && Arrays.equals(spark.read().option("header", "true").csv(path).columns(), new String[] {"id", "features"});
      t = projectCsv ? Tables.read(spark, path) : EmbeddingReader.read(spark, path);
    } catch (InputException e) {
      throw e.getMessage().contains(path) ? e : new InputException("embeddings " + path + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new InputException("cannot read embeddings " + path + ": " + e.getMessage()
          + "; expected Parquet (id, features), CSV (id,f0,... or id,features) or word2vec text", e);
    }
    // the engine's own column rules: features as array<double>, unparseable components null,
    // which integrity counts as non-finite
    return ItemNeighbours.standardize(t, "embeddings " + path);
  }

  /**
   * {@code id string, title string} from a metadata table: the id is the column {@code id}
   * (else the first column), the title the column {@code title} (else the second).
   */
  public static Dataset<Row> metadata(SparkSession spark, String path) {
    Dataset<Row> t = table(spark, path, "metadata", "a table with an id and a title column (CSV with header or Parquet)");
    StructField[] fields = t.schema().fields();
    if (fields.length < 2) {
      throw new InputException("metadata " + path + " has " + fields.length + " column(s); expected id and title");
    }
    StructField id = orElse(field(fields, "id"), fields[0]);
    StructField title = orElse(field(fields, "title"), fields[1]);
    // an id listed twice gets its smallest title: the same on every run, whatever row comes first
    return t.select(col(id.name()).cast(DataTypes.StringType).as("id"),
        col(title.name()).cast(DataTypes.StringType).as("title")).groupBy("id")
        .agg(min("title").as("title"));
  }

  private static Dataset<Row> table(SparkSession spark, String path, String role, String expected) {
    try {
      return Tables.read(spark, path);
    } catch (InputException e) {
      throw new InputException(role + ": " + e.getMessage() + "; expected " + expected, e);
    } catch (RuntimeException e) {
      throw new InputException("cannot read " + role + " " + path + ": " + e.getMessage() + "; expected " + expected, e);
    }
  }

  private static StructField orElse(StructField a, StructField b) {
    return a != null ? a : b;
  }

  private static StructField field(StructField[] fields, String name) {
    for (StructField f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    return null;
  }
}
