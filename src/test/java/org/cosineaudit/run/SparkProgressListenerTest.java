package org.cosineaudit.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

class SparkProgressListenerTest {

  /** Each partition sleeps, so the stage outlives the listener's interval. */
  static final class SlowPartition implements MapPartitionsFunction<Long, Long> {
    @Override
    public Iterator<Long> call(Iterator<Long> rows) throws Exception {
      Thread.sleep(700);
      long n = 0;
      while (rows.hasNext()) {
        n += rows.next();
      }
      return Collections.singletonList(n).iterator();
    }
  }

  @Test
  void aSlowStageIsLoggedWithItsTaskCountsAndAQuickOneIsNot() {
    SparkSession spark = SparkTestSession.get();
    List<String> lines = new CopyOnWriteArrayList<>();
    SparkProgressListener listener = new SparkProgressListener(0.3, lines::add);
    spark.sparkContext().addSparkListener(listener);
    try {
      spark.sparkContext().setJobDescription("slow test job");
      // 4 partitions on 2 cores, 0.7 s each: at least 1.4 s of stage time
      spark.range(0, 100, 1, 4).as(Encoders.LONG()).mapPartitions(new SlowPartition(), Encoders.LONG()).count();
      assertFalse(lines.isEmpty(), "no progress line for a 1.4 s stage with a 0.3 s interval");
      String line = lines.get(0);
      assertTrue(line.startsWith("spark stage "), line);
      assertFalse(line.contains("withThreadLocalCaptured"), line);
      assertTrue(line.matches(".*: [0-4]/4 tasks \\(\\d+%\\), .* elapsed.*"), line);
      assertTrue(lines.stream().anyMatch(l -> l.contains("slow test job")), lines.toString());
    } finally {
      spark.sparkContext().setJobDescription(null);
      spark.sparkContext().removeSparkListener(listener);
      listener.close();
    }
  }

  @Test
  void stageNamedByTheFirstProjectFrameOfItsCallStack() {
    String details = "org.apache.spark.sql.Dataset.count(Dataset.scala:1)\n"
        + "org.cosineaudit.similarity.ItemNeighbours.compute(ItemNeighbours.java:88)\n"
        + "org.cosineaudit.cli.Main.run(Main.java:1)";
    assertEquals("collect in ItemNeighbours.compute (ItemNeighbours.java:88)",
        SparkProgressListener.stageName("collect at Foo.scala:1", details));
    assertEquals("ItemNeighbours.compute (ItemNeighbours.java:88)",
        SparkProgressListener.stageName("$anonfun$withThreadLocalCaptured$1 at CompletableFuture.java:1768", details));
    assertEquals("count at X.java:3", SparkProgressListener.stageName("count at X.java:3", "no project frame"));
    assertEquals("Exchange", SparkProgressListener.operation("{\"id\":\"0\",\"name\":\"Exchange\"}"));
  }

  @Test
  void nonPositiveIntervalIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new SparkProgressListener(0, s -> { }));
  }
}
