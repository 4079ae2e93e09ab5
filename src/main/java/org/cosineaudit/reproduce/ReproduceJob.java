package org.cosineaudit.reproduce;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.cosineaudit.config.ConfigException;
import org.cosineaudit.config.OptionSpec;
import org.cosineaudit.config.Settings;
import org.cosineaudit.data.GenerateJob;
import org.cosineaudit.data.PaperSimulation;
import org.cosineaudit.report.Report;
import org.cosineaudit.run.CommonOptions;
import org.cosineaudit.run.Job;
import org.cosineaudit.run.Outcome;
import org.cosineaudit.run.OutputSpec;
import org.cosineaudit.run.RunOutput;

/**
 * {@code reproduce}: the paper's argument as one rerunnable job. Generates the paper's
 * simulation (or reads {@code --input} interactions and optional {@code --ground-truth}
 * truth), fits Eq. 1 and Eq. 2 in closed form from the spectrum of {@code X^T X} computed
 * with Spark, compares their item-item cosines under rescalings, rotations and a lambda sweep,
 * draws Figure 1 as heat maps and checks every claim as a number against a threshold
 * ({@code claims.json}). See docs/reproduce.md.
 *
 * <p>Exit code 0 when every measurable claim passes, 1 (a check failed) otherwise; all outputs are
 * written either way.
 */
public final class ReproduceJob implements Job<ReproduceJob.Config> {

  /**
   * Validated configuration.
   *
   * @param simulation the data to generate when {@code input} is absent
   * @param input interactions table (user, item, value) instead of generating; null: generate
   * @param items ground-truth items table (--ground-truth) (item, cluster[, popularity]) for {@code input}; null: none
   * @param rank k of every model (paper: 50)
   * @param lambdaEq1 Eq. 1's lambda (paper: 10,000; scale of s_i^2)
   * @param lambdaEq2 Eq. 2's lambda (paper: 100; scale of s_i)
   * @param lambdasEq1 Eq. 1 (D = I) lambda sweep
   * @param lambdasEq2 Eq. 2 lambda sweep
   * @param alsRegs Spark ALS regularization grid
   * @param alsAlphas Spark ALS implicit alphas (0: least squares on the binary matrix; 1: Spark's default)
   * @param alsIterations ALS iterations
   * @param holdoutFraction share of each user's interactions held out to measure ALS accuracy
   * @param k neighbours per item (claims use Jaccard@k and precision@k)
   * @param figureItems most items a heat map shows (sampled evenly per cluster beyond that)
   * @param denseGramLimit most items for the dense Gram and full spectrum; beyond, a truncated SVD
   */
  public record Config(PaperSimulation.Params simulation, String input, String items, int rank, double lambdaEq1,
      double lambdaEq2, List<Double> lambdasEq1, List<Double> lambdasEq2, List<Double> alsRegs,
      List<Double> alsAlphas, int alsIterations, double holdoutFraction, int k, int figureItems, int denseGramLimit,
      OutputSpec output) {

    public Config {
      lambdasEq1 = List.copyOf(lambdasEq1);
      lambdasEq2 = List.copyOf(lambdasEq2);
      alsRegs = List.copyOf(alsRegs);
      alsAlphas = List.copyOf(alsAlphas);
      if (input == null && rank > simulation.items()) {
        throw new ConfigException("rank must be <= items (" + simulation.items() + "), got " + rank);
      }
      if (items != null && input == null) {
        throw new ConfigException("--ground-truth belongs to --input interactions; give --input too, or "
            + "drop --ground-truth to generate data with its own ground truth");
      }
    }

    /** True when the job generates its data. */
    public boolean generates() {
      return input == null;
    }
  }

  static final List<OptionSpec> OWN_OPTIONS = List.of(
      OptionSpec.path("input", null, "interactions table (user, item, value; Parquet or CSV) to use instead of "
          + "generating the simulation"),
      OptionSpec.path("ground-truth", null, "ground-truth items table (item, cluster[, popularity]) of --input; "
          + "without it, the cluster claims are skipped"),
      OptionSpec.integer("rank", 50, 1, 10_000, "rank k of the closed-form and ALS models (paper: 50)"),
      OptionSpec.real("lambda-eq1", 10_000.0, 0.0, 1e15, "lambda of Eq. 1, on the scale of s_i^2 (paper: 10000)"),
      OptionSpec.real("lambda-eq2", 100.0, 0.0, 1e15, "lambda of Eq. 2, on the scale of s_i (paper: 100)"),
      OptionSpec.reals("lambdas-eq1", "625,2500,10000,40000,160000", 0.0, 1e15,
          "Eq. 1 (D = I) lambda sweep: how the cosines move with lambda"),
      OptionSpec.reals("lambdas", "25,50,100,200,400", 0.0, 1e15,
          "Eq. 2 lambda sweep (claim 3: its unique cosines still change with lambda)"),
      OptionSpec.reals("als-reg", "0.01,0.03,0.1,0.3,1", 0.0, 1e6,
          "Spark ALS regularization grid (implicit; half-decade steps give claim 6 models of near-equal accuracy)"),
      OptionSpec.reals("als-alphas", "0,1", 0.0, 1e6,
          "Spark ALS implicit alphas: 0 = least squares on the binary matrix (closest to Eq. 2), 1 = Spark's default"),
      OptionSpec.integer("als-iterations", 10, 1, 1000, "ALS iterations (Spark's default: 10)"),
      OptionSpec.real("holdout-fraction", 0.2, 0.0, 0.9, "share of each user's interactions held out for ALS "
          + "accuracy (claim 6)"),
      OptionSpec.integer("k", 10, 1, 1000, "neighbours per item; the claims use Jaccard@k and precision@k"),
      OptionSpec.integer("figure-items", 1000, 2, 4000, "most items per heat map; more are sampled evenly from each "
          + "cluster (the paper shows all 1000)"),
      OptionSpec.integer("dense-gram-limit", 2000, 2, 20_000, "most items for the dense Gram X^T X and its full "
          + "eigen-decomposition (O(p^3) on the driver); above it a truncated distributed SVD, and claim 2 is skipped"));

  @Override
  public String name() {
    return "reproduce";
  }

  @Override
  public String summary() {
    return "reproduce the paper: closed-form Eq. 1/Eq. 2, Spark ALS, Figure 1 heat maps, claims.json";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> own = new ArrayList<>(GenerateJob.simulationOptions());
    own.addAll(OWN_OPTIONS);
    return CommonOptions.with("out/reproduce", own);
  }

  @Override
  public Config configure(Settings s) {
    Optional<String> input = s.optional("input");
    return new Config(GenerateJob.params(s), input.orElse(null), s.optional("ground-truth").orElse(null), s.integer("rank"),
        s.real("lambda-eq1"), s.real("lambda-eq2"), s.reals("lambdas-eq1"), s.reals("lambdas"), s.reals("als-reg"),
        s.reals("als-alphas"), s.integer("als-iterations"), s.real("holdout-fraction"), s.integer("k"),
        s.integer("figure-items"), s.integer("dense-gram-limit"), CommonOptions.outputSpec(s));
  }

  @Override
  public OutputSpec output(Config config) {
    return config.output();
  }

  @Override
  public Outcome run(SparkSession spark, Config config, RunOutput out) throws Exception {
    Reproduction.Result r = Reproduction.execute(spark, config, out);
    List<String> lines = new ArrayList<>(r.summaryLines());
    // last: the HTML report of everything above (claims table, heat maps, the ALS sweep)
    Report.Result report = Report.write(out);
    lines.add("reproduce: report " + report.index());
    return r.allPassed() ? Outcome.ok(lines) : Outcome.checksFailed(lines);
  }
}
