package org.cosineaudit.stability;

/**
 * One row of the stability summary: the distribution over items of one metric for one pair
 * of tables in one stratum. Statistics are NaN when no item has the metric.
 *
 * @param nItems items with a value for the metric (score_spearman needs 3 common neighbours)
 * @param median,p10,p90 approximate percentiles (Spark's percentile_approx, rank error at most
 *     n / accuracy; exact for fewer items than the accuracy)
 * @param ciLow,ciHigh seeded Poisson-bootstrap 95% percentile interval of the mean
 */
public record SummaryRow(String a, String b, String metric, String stratum, long nItems, double mean,
    double median, double p10, double p90, double ciLow, double ciHigh) {}
