package org.cosineaudit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generator's statistics against the distributions it specifies. */
class PaperSimulationTest {

  private static final PaperSimulation PAPER = new PaperSimulation(PaperSimulation.Params.paper(42));

  @Test
  void clusterSizesAreBinomialAroundItemsOverClusters() {
    int p = 1000;
    int c = 5;
    double mean = (double) p / c;
    double sd = Math.sqrt(p * (1.0 / c) * (1 - 1.0 / c)); // ~12.6
    int total = 0;
    for (int k = 0; k < c; k++) {
      int size = PAPER.clusterSize(k);
      total += size;
      // 4 standard deviations: fails with probability < 1e-4 per cluster for a fair assignment
      assertTrue(Math.abs(size - mean) < 4 * sd, "cluster " + k + " has " + size + " items");
    }
    assertEquals(p, total);
  }

  @Test
  void popularityIsAPowerLawWithTheClustersExponent() {
    for (int k = 0; k < 5; k++) {
      double beta = PAPER.clusterBeta(k);
      assertTrue(beta >= 0.25 && beta <= 1.5, "beta " + beta);
      List<Double> pops = new ArrayList<>();
      double sum = 0;
      for (int i = 0; i < 1000; i++) {
        if (PAPER.clusterOf(i) == k) {
          pops.add(PAPER.popularity(i));
          sum += PAPER.popularity(i);
        }
      }
      assertEquals(1.0, sum, 1e-9, "popularity sums to 1 within a cluster");
      pops.sort((a, b) -> Double.compare(b, a));
      // log-log slope between rank 1 and rank n is exactly -beta for p_r ~ r^-beta
      int n = pops.size();
      double slope = (Math.log(pops.get(n - 1)) - Math.log(pops.get(0))) / Math.log(n);
      assertEquals(-beta, slope, 1e-9);
    }
  }

  @Test
  void itemsPerUserFollowTheParetoTail() {
    // k_u = ceil(U^-2) for beta 0.5 and minimum 1: P(k_u > 4) = P(U < 1/2) = 0.5, P(k_u > 100) = 0.1
    int users = 20_000;
    int over4 = 0;
    int over100 = 0;
    for (long u = 0; u < users; u++) {
      int k = PAPER.sampleUser(u).length;
      assertTrue(k >= 1 && k <= 1000);
      if (k > 4) over4++;
      if (k > 100) over100++;
    }
    double sd4 = Math.sqrt(0.25 / users);
    double sd100 = Math.sqrt(0.09 / users);
    // 5 standard deviations of a binomial proportion
    assertEquals(0.5, (double) over4 / users, 5 * sd4);
    assertEquals(0.1, (double) over100 / users, 5 * sd100);
  }

  @Test
  void usersItemsAreDistinctSortedAndFavourPopularItems() {
    long[] counts = new long[1000];
    for (long u = 0; u < 5000; u++) {
      int[] items = PAPER.sampleUser(u);
      for (int j = 1; j < items.length; j++) {
        assertTrue(items[j] > items[j - 1], "distinct and ascending");
      }
      for (int i : items) {
        counts[i]++;
      }
    }
    // within each cluster the most popular item is chosen far more often than the least popular
    for (int k = 0; k < 5; k++) {
      int top = -1;
      int bottom = -1;
      for (int i = 0; i < 1000; i++) {
        if (PAPER.clusterOf(i) != k) continue;
        if (top < 0 || PAPER.popularity(i) > PAPER.popularity(top)) top = i;
        if (bottom < 0 || PAPER.popularity(i) < PAPER.popularity(bottom)) bottom = i;
      }
      assertTrue(counts[top] > 2 * counts[bottom], "cluster " + k + ": " + counts[top] + " vs " + counts[bottom]);
    }
  }

  @Test
  void usersConcentrateOnTheirPreferredClustersWhenConcentrationIsLow() {
    PaperSimulation peaked = new PaperSimulation(new PaperSimulation.Params(2000, 500, 5, 7, 0.25, 1.5, 0.5, 5, 0.05));
    double share = 0;
    int n = 0;
    for (long u = 0; u < 2000; u++) {
      int[] items = peaked.sampleUser(u);
      if (items.length > 20) {
        continue; // sampling without replacement spreads heavy users over clusters; judge light users
      }
      int[] perCluster = new int[5];
      for (int i : items) {
        perCluster[peaked.clusterOf(i)]++;
      }
      int max = 0;
      for (int c : perCluster) max = Math.max(max, c);
      share += (double) max / items.length;
      n++;
    }
    // Dirichlet(0.05) puts nearly all mass on one cluster; uniform would give ~0.2-0.4
    assertTrue(share / n > 0.8, "mean share of the main cluster " + share / n);
  }

  @Test
  void sameSeedSameDataDifferentSeedDifferentData() {
    PaperSimulation again = new PaperSimulation(PaperSimulation.Params.paper(42));
    PaperSimulation other = new PaperSimulation(PaperSimulation.Params.paper(43));
    for (long u = 0; u < 50; u++) {
      assertArrayEquals(PAPER.sampleUser(u), again.sampleUser(u));
    }
    boolean differs = false;
    for (int i = 0; i < 1000 && !differs; i++) {
      differs = PAPER.clusterOf(i) != other.clusterOf(i);
    }
    assertTrue(differs);
  }

  @Test
  void invalidParametersNameTheParameter() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PaperSimulation.Params(10, 5, 6, 0, 0.25, 1.5, 0.5, 1, 1));
    assertTrue(e.getMessage().startsWith("clusters must be in [1, items=5], got 6"), e.getMessage());
  }
}
