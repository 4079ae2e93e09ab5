package org.cosineaudit.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.cosineaudit.train.ItemSpectrum;
import org.junit.jupiter.api.Test;

/** The warning for an Eq. 2 model that lambda leaves smaller than the rank asked for. */
class Eq2WarningTest {

  /** Singular values 328, 59, 20 of 3 items (V = identity). */
  private static final ItemSpectrum SPECTRUM = ItemSpectrum.ofSvd(new double[] {328, 59, 20},
      new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3);

  @Test
  void aLambdaBelowTheSmallestKeptSingularValueNeedsNoWarning() {
    assertNull(Reproduction.eq2Warning(SPECTRUM, 3, 10));
    assertNull(Reproduction.eq2Warning(SPECTRUM, 2, 50), "only the rank asked for counts");
    assertNull(Reproduction.eq2Warning(SPECTRUM, 8, 10), "a rank above the spectrum's is capped by it");
  }

  @Test
  void aLambdaThatDropsDimensionsSaysHowManyAndWhichLambdaKeepsThem() {
    assertEquals("Eq. 2 at --lambda-eq2 100 keeps 1 of 3 dimensions (singular values [328, 59, 20]): its "
        + "neighbours are all ties (a model of at most one dimension), so the claims on Eq. 2 say nothing; pass a "
        + "--lambda-eq2 below s_3 = 20 to keep all of them", Reproduction.eq2Warning(SPECTRUM, 3, 100));
    assertEquals("Eq. 2 at --lambda-eq2 30 keeps 2 of 3 dimensions (singular values [328, 59, 20]): its "
        + "neighbours are those of a smaller model; pass a --lambda-eq2 below s_3 = 20 to keep all of them",
        Reproduction.eq2Warning(SPECTRUM, 3, 30));
  }
}
