package org.cosineaudit.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The report's charts, drawn by JFreeChart in headless mode and returned as PNG bytes.
 * One visual style for all: white plot, light grid, the Okabe-Ito colour-blind-safe palette,
 * fonts large enough to read at the page width.
 */
final class Charts {

  static {
    // the driver may run on a machine without a display
    System.setProperty("java.awt.headless", "true");
  }

  static final int WIDTH = 900;
  static final int HEIGHT = 480;

  /** Okabe & Ito (2008), readable for the common colour-vision deficiencies. */
  private static final Color[] PALETTE = {
      new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
      new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442)};

  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);
  private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

  private Charts() {}

  /** A line with a shaded band around it (e.g. a mean with its 95% confidence interval). */
  record Band(String name, double[] x, double[] y, double[] low, double[] high) {}

  /** Points or a line of (x, y). */
  record Series(String name, double[] x, double[] y) {}

  /**
   * Lines with shaded bands against a numeric x axis.
   *
   * @param logX logarithmic x axis (all x must be > 0)
   * @param xSymbols when non-null, x values are indices into these category labels
   */
  static JFreeChart bands(String title, String xLabel, String yLabel, boolean logX, List<String> xSymbols,
      List<Band> bands) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (Band b : bands) {
      YIntervalSeries s = new YIntervalSeries(b.name());
      for (int i = 0; i < b.x().length; i++) {
        s.add(b.x()[i], b.y()[i], b.low()[i], b.high()[i]);
      }
      data.addSeries(s);
    }
    DeviationRenderer r = new DeviationRenderer(true, true);
    r.setAlpha(0.18f);
    for (int i = 0; i < bands.size(); i++) {
      Color c = color(i);
      r.setSeriesPaint(i, c);
      r.setSeriesFillPaint(i, c);
      r.setSeriesStroke(i, new BasicStroke(2.2f));
    }
    XYPlot plot = new XYPlot(data, xAxis(xLabel, logX, xSymbols), yAxis(yLabel), r);
    return finish(title, plot, bands.size() > 1);
  }

  /** Lines through points. */
  static JFreeChart lines(String title, String xLabel, String yLabel, boolean logX, List<Series> series) {
    return xy(title, xLabel, yLabel, logX, series, true);
  }

  /** Points only. */
  static JFreeChart scatter(String title, String xLabel, String yLabel, boolean logX, List<Series> series) {
    return xy(title, xLabel, yLabel, logX, series, false);
  }

  private static JFreeChart xy(String title, String xLabel, String yLabel, boolean logX, List<Series> series,
      boolean lines) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xs = new XYSeries(s.name(), lines, true);
      for (int i = 0; i < s.x().length; i++) {
        xs.add(s.x()[i], s.y()[i]);
      }
      data.addSeries(xs);
    }
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(lines, true);
    for (int i = 0; i < series.size(); i++) {
      r.setSeriesPaint(i, color(i));
      r.setSeriesStroke(i, new BasicStroke(2.2f));
    }
    XYPlot plot = new XYPlot(data, xAxis(xLabel, logX, null), yAxis(yLabel), r);
    return finish(title, plot, series.size() > 1);
  }

  /** Agreement measures: show the whole 0-1 scale so small differences don't look large. */
  static JFreeChart unitRange(JFreeChart chart) {
    XYPlot plot = (XYPlot) chart.getPlot();
    org.jfree.data.Range r = plot.getDataRange(plot.getRangeAxis());
    if (r != null && r.getLowerBound() >= 0 && r.getUpperBound() <= 1) {
      plot.getRangeAxis().setRange(0, 1.02);
    }
    return chart;
  }

  /** Non-negative quantities (differences, distances): the x axis starts at 0. */
  static JFreeChart xFromZero(JFreeChart chart) {
    ValueAxis x = ((XYPlot) chart.getPlot()).getDomainAxis();
    if (x instanceof NumberAxis n) {
      n.setAutoRangeIncludesZero(true);
    }
    return chart;
  }

  /** A log axis spanning whole decades around the data, so it always has labelled ticks. */
  static void wholeDecades(JFreeChart chart) {
    ValueAxis x = ((XYPlot) chart.getPlot()).getDomainAxis();
    if (x instanceof LogAxis) {
      org.jfree.data.Range r = ((XYPlot) chart.getPlot()).getDataRange(x);
      if (r != null && r.getLowerBound() > 0) {
        // the tolerance keeps a value that is a power of ten (0.1) on its own decade
        double lo = Math.pow(10, Math.floor(Math.log10(r.getLowerBound()) + 1e-9));
        double hi = Math.pow(10, Math.ceil(Math.log10(r.getUpperBound()) - 1e-9));
        if (hi <= lo) {
          hi = lo * 10;
        }
        x.setRange(lo, hi);
      }
    }
  }

  static byte[] png(JFreeChart chart) {
    return png(chart, WIDTH, HEIGHT);
  }

  static byte[] png(JFreeChart chart, int width, int height) {
    wholeDecades(chart);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, width, height);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode chart '" + chart.getTitle().getText() + "': " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  static Color color(int i) {
    return PALETTE[i % PALETTE.length];
  }

  private static ValueAxis xAxis(String label, boolean log, List<String> symbols) {
    ValueAxis a;
    if (symbols != null) {
      SymbolAxis sa = new SymbolAxis(label, symbols.toArray(new String[0]));
      sa.setGridBandsVisible(false);
      a = sa;
    } else if (log) {
      LogAxis la = new LogAxis(label);
      la.setBase(10);
      la.setSmallestValue(1e-12);
      // ticks at whole decades labelled 0.001, 0.01, ... rather than 10^-2.5
      la.setTickUnit(new NumberTickUnit(1.0));
      la.setNumberFormatOverride(new DecimalFormat("0.##########", DecimalFormatSymbols.getInstance(Locale.ROOT)));
      la.setMinorTickCount(9);
      la.setMinorTickMarksVisible(true);
      a = la;
    } else {
      NumberAxis na = new NumberAxis(label);
      na.setAutoRangeIncludesZero(false);
      a = na;
    }
    style(a);
    return a;
  }

  private static NumberAxis yAxis(String label) {
    NumberAxis a = new NumberAxis(label);
    a.setAutoRangeIncludesZero(false);
    style(a);
    return a;
  }

  private static void style(ValueAxis a) {
    a.setLabelFont(LABEL_FONT);
    a.setTickLabelFont(TICK_FONT);
  }

  private static JFreeChart finish(String title, XYPlot plot, boolean legend) {
    plot.setBackgroundPaint(Color.WHITE);
    Paint grid = new Color(0xDDDDDD);
    plot.setDomainGridlinePaint(grid);
    plot.setRangeGridlinePaint(grid);
    plot.setOutlineVisible(false);
    JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, legend);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    TextTitle t = chart.getTitle();
    t.setPaint(new Color(0x222222));
    LegendTitle l = chart.getLegend();
    if (l != null) {
      l.setItemFont(TICK_FONT);
      l.setPosition(RectangleEdge.BOTTOM);
      l.setFrame(org.jfree.chart.block.BlockBorder.NONE);
    }
    return chart;
  }
}
