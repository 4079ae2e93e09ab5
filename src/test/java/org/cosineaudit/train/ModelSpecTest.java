package org.cosineaudit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cosineaudit.data.Feedback;
import org.junit.jupiter.api.Test;

/** Model ids and grid enumeration (plain Java). */
class ModelSpecTest {

  @Test
  void idsAreShortPlainDecimals() {
    assertEquals("als-implicit-r16-reg0.1-a1-s0", new ModelSpec(Feedback.IMPLICIT, 16, 0.1, 1, 0, false, 10).id());
    assertEquals("als-explicit-r8-reg10-s3", new ModelSpec(Feedback.EXPLICIT, 8, 10.0, 5, 3, false, 10).id());
    assertEquals("als-implicit-r2-reg0.001-a0-s-1-nn",
        new ModelSpec(Feedback.IMPLICIT, 2, 1e-3, 0, -1, true, 10).id());
    assertEquals("0.0000001", ModelSpec.number(1e-7));
    assertEquals("0", ModelSpec.number(0.0));
  }

  @Test
  void explicitModelsIgnoreAlpha() {
    ModelSpec s = new ModelSpec(Feedback.EXPLICIT, 4, 0.1, 40, 0, false, 5);
    assertEquals(0.0, s.alpha());
    TrainingGrid g = new TrainingGrid(Feedback.EXPLICIT, List.of(4), List.of(0.1), List.of(1.0, 40.0),
        List.of(0L), false, 5);
    assertEquals(1, g.specs().size(), "alpha values do not multiply explicit models");
  }

  @Test
  void gridVariesRegFastestThenSeedAlphaRank() {
    TrainingGrid g = new TrainingGrid(Feedback.IMPLICIT, List.of(4, 8), List.of(0.1, 1.0), List.of(1.0),
        List.of(0L, 1L), false, 5);
    List<String> ids = g.specs().stream().map(ModelSpec::id).toList();
    assertEquals(List.of("als-implicit-r4-reg0.1-a1-s0", "als-implicit-r4-reg1-a1-s0",
        "als-implicit-r4-reg0.1-a1-s1", "als-implicit-r4-reg1-a1-s1",
        "als-implicit-r8-reg0.1-a1-s0", "als-implicit-r8-reg1-a1-s0",
        "als-implicit-r8-reg0.1-a1-s1", "als-implicit-r8-reg1-a1-s1"), ids);
  }

  @Test
  void duplicateGridValuesAreRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TrainingGrid(Feedback.EXPLICIT, List.of(4), List.of(0.1, 0.10), List.of(), List.of(0L), false, 5));
    assertTrue(e.getMessage().contains("als-explicit-r4-reg0.1-s0"), e.getMessage());
  }

  @Test
  void invalidParametersNameTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ModelSpec(Feedback.EXPLICIT, 0, 0.1, 0, 0, false, 5));
    assertEquals("rank must be >= 1, got 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ModelSpec(Feedback.EXPLICIT, 1, -0.1, 0, 0, false, 5));
  }
}
