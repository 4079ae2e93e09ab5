package org.cosineaudit.data;

import static org.cosineaudit.data.IngestionFixture.read;
import static org.cosineaudit.data.IngestionFixture.sorted;
import static org.cosineaudit.data.IngestionFixture.strings;
import static org.cosineaudit.data.IngestionFixture.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dense, deterministic id maps that round-trip to the original ids. */
class IdMapsTest {

  @TempDir Path dir;

  @Test
  void idsAreDenseAndOrderedByLengthThenTextSoNumbersKeepNumericOrder() {
    Path f = write(dir, "ids.csv", "10,b,1\n9,a,1\n100,a,1\nx,b,1\n010,a,1\n");
    Ingested in = read(dir, f, "input-format", "delimited");
    // users by (length, id): 9, x, 10, 010, 100; "010" is a different id from "10"
    assertEquals(List.of("9 0", "x 1", "10 2", "010 3", "100 4"),
        strings(in.userIds().orderBy("index").select("id", "index")).stream()
            .sorted((a, b) -> Integer.compare(Integer.parseInt(a.split(" ")[1]), Integer.parseInt(b.split(" ")[1])))
            .toList());
    assertEquals(sorted("a 0", "b 1"), strings(in.itemIds()));
    assertEquals(5, in.counts().users());
    assertEquals(2, in.counts().items());
  }

  @Test
  void indexedInteractionsMapBackToTheOriginalIds() {
    Path f = write(dir, "ids.csv", "u7,itemB,1\nu12,itemA,2\nu7,itemA,3\n");
    Ingested in = read(dir, f, "input-format", "delimited");
    // u7 -> 0, u12 -> 1 (shorter first); itemA -> 0, itemB -> 1
    assertEquals(sorted("u7 itemB 0 1 1.0", "u12 itemA 1 0 2.0", "u7 itemA 0 0 3.0"),
        strings(in.indexed().select("user", "item", "user_index", "item_index", "value")));
    // round trip: joining the indices back through the maps gives the original rows
    var back = in.indexed()
        .join(in.userIds().withColumnRenamed("id", "u2").withColumnRenamed("index", "user_index"), "user_index")
        .join(in.itemIds().withColumnRenamed("id", "i2").withColumnRenamed("index", "item_index"), "item_index")
        .select("u2", "i2", "value");
    assertEquals(strings(in.interactions().select("user", "item", "value")), strings(back));
  }
}
