package org.cosineaudit.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StageProgressTest {

  private static final long S = 1_000_000_000L;

  @Test
  void shortStagesAreNeverReported() {
    StageProgress p = new StageProgress(15 * S);
    p.stageSubmitted(1, "count at X.java:1", 4, 0);
    p.taskSucceeded(1);
    assertEquals(List.of(), p.report(14 * S));
    p.stageCompleted(1);
    assertEquals(List.of(), p.report(100 * S));
  }

  @Test
  void longStageShowsTasksDoneOfTotalAndEta() {
    StageProgress p = new StageProgress(15 * S);
    p.jobStarted(7, List.of(3, 4), "similarity: block pairs", null);
    p.stageSubmitted(4, "collect at TopK.java:88", 10, 0);
    for (int i = 0; i < 4; i++) {
      p.taskSucceeded(4);
    }
    // 4 of 10 tasks in 20 s: 6 left at 5 s each = 30 s
    assertEquals(List.of("spark stage 4 (collect at TopK.java:88) [job 7, stage 2 of 2: similarity: block pairs]: "
        + "4/10 tasks (40%), 20.0s elapsed, ETA 30.0s"), p.report(20 * S));
  }

  @Test
  void threadPoolCallSitesAreReplacedByTheJobsOperator() {
    StageProgress p = new StageProgress(S);
    p.jobStarted(1, List.of(9), null, "Exchange");
    p.stageSubmitted(9, "$anonfun$withThreadLocalCaptured$1 at CompletableFuture.java:1768", 4, 0);
    assertTrue(p.report(2 * S).get(0).startsWith("spark stage 9 (Exchange) [job 1]: 0/4 tasks"), p.report(2 * S).get(0));
  }

  @Test
  void stageWithoutFinishedTasksSaysSoInsteadOfAnEta() {
    StageProgress p = new StageProgress(S);
    p.stageSubmitted(2, "fit at ALS.scala:1", 2, 0);
    String line = p.report(90 * S).get(0);
    assertTrue(line.endsWith("0/2 tasks (0%), 1m30s elapsed, no task finished yet"), line);
  }

  @Test
  void extraSuccessesNeverExceedTheTotal() {
    StageProgress p = new StageProgress(S);
    p.stageSubmitted(2, "s", 2, 0);
    for (int i = 0; i < 5; i++) {
      p.taskSucceeded(2); // speculative duplicates
    }
    assertTrue(p.report(2 * S).get(0).contains("2/2 tasks (100%)"));
  }

  @Test
  void manyConcurrentStagesAreCappedWithACount() {
    StageProgress p = new StageProgress(S);
    for (int i = 0; i < StageProgress.MAX_LINES + 3; i++) {
      p.stageSubmitted(i, "s" + i, 1, 0);
    }
    List<String> lines = p.report(5 * S);
    assertEquals(StageProgress.MAX_LINES + 1, lines.size());
    assertEquals("... and 3 more running Spark stages", lines.get(lines.size() - 1));
  }
}
