package org.cosineaudit.data;

import static org.cosineaudit.data.IngestionFixture.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The licensed real datasets in ../shared/data, read with the counts their SOURCE.md verified;
 * skipped when the data is absent (it is never copied into the repository).
 */
class IngestionRealDataTest {

  @TempDir Path dir;

  private static Path data(String relative) {
    Path p = SparkTestSession.sharedData().resolve(relative);
    assumeTrue(Files.isRegularFile(p), "real data not available: " + p);
    return p;
  }

  @Test
  void movieLensLatestSmallRatingsCsvIsDetectedAndFullyAccepted() {
    Ingested in = read(dir, data("ml-latest-small/ratings.csv"), "max-reject-fraction", "0");
    IngestCounts c = in.counts();
    assertEquals(InputFormat.MOVIELENS_CSV, in.layout().format());
    assertEquals(100_836, c.rowsRead());
    assertEquals(100_836, c.accepted());
    assertEquals(0, c.rejected());
    assertEquals(610, c.users());
    assertEquals(9_724, c.items());
    assertEquals(100_837, c.lines());
    in.release();
  }

  @Test
  void lastFmUserArtistsTabSeparatedWithHeaderAsImplicitPlayCounts() {
    Ingested in = read(dir, data("hetrec2011-lastfm-2k/user_artists.dat"), "feedback", "implicit",
        "max-reject-fraction", "0");
    IngestCounts c = in.counts();
    assertEquals(InputFormat.DELIMITED, in.layout().format());
    assertEquals(92_834, c.rowsRead());
    assertEquals(92_834, c.accepted());
    assertEquals(0, c.merged());
    assertEquals(1_892, c.users());
    assertEquals(17_632, c.items());
    // SOURCE.md: weights run from 1 to 352,698
    assertEquals(352_698.0, in.interactions().agg(org.apache.spark.sql.functions.max("value")).first().getDouble(0));
    in.release();
  }

  @Test
  void sparkSampleMovieLensDoubleColonFile() {
    Ingested in = read(dir, data("spark-sample-movielens/sample_movielens_ratings.txt"), "max-reject-fraction", "0");
    IngestCounts c = in.counts();
    assertEquals(InputFormat.MOVIELENS_DAT, in.layout().format());
    assertEquals(1_501, c.accepted());
    assertEquals(0, c.rejected());
    assertEquals(30, c.users());
    assertEquals(100, c.items());
    // ids 0..29 in numeric order thanks to the (length, id) ordering
    assertEquals(29, in.userIds().filter("id = '29'").first().getInt(1));
    in.release();
  }
}
