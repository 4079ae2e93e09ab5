package org.cosineaudit.reproduce;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Align;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * Figure 1 as PNG heat maps: one chart per item-item similarity matrix, drawn with JFreeChart
 * on one shared diverging color scale ({@link #SCALE}, -1 blue, 0 white, +1 red) so panels
 * compare directly. The m x m matrix is painted as an image filling the plot's data area (one
 * pixel per cell, scaled by Java2D), which keeps 1,000 x 1,000 panels fast; thin grey lines
 * mark cluster boundaries.
 */
public final class HeatMaps {

  /** The shared color scale of every panel: cosine in [-1, 1]. */
  public static final PaintScale SCALE = new Diverging(-1, 1);

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // drivers on servers have no display
    }
  }

  /** One panel: an m x m matrix (row-major) in display order, and its title. */
  public record Panel(String id, String title, double[] matrix, int m) {
    public Panel {
      if (matrix.length != (long) m * m) {
        throw new IllegalArgumentException("panel " + id + ": matrix has " + matrix.length + " cells, expected " + m
            + "^2");
      }
    }
  }

  private HeatMaps() {}

  /** One panel as a chart. */
  public static JFreeChart chart(Panel panel, List<Integer> clusterStarts) {
    NumberAxis x = new NumberAxis("item (by cluster, then falling popularity)");
    NumberAxis y = new NumberAxis("item");
    x.setRange(0, panel.m());
    y.setRange(0, panel.m());
    y.setInverted(true); // item 0 at the top, as in a matrix
    Font tick = new Font(Font.SANS_SERIF, Font.PLAIN, 9);
    x.setTickLabelFont(tick);
    y.setTickLabelFont(tick);
    x.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    y.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    XYPlot plot = new XYPlot(new DefaultXYZDataset(), x, y, new XYBlockRenderer());
    plot.setBackgroundImage(image(panel));
    plot.setBackgroundImageAlignment(Align.FIT);
    plot.setBackgroundImageAlpha(1.0f);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    plot.setOutlinePaint(Color.DARK_GRAY);
    for (int s : clusterStarts) {
      plot.addDomainMarker(boundary(s));
      plot.addRangeMarker(boundary(s));
    }
    JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    chart.setTitle(new TextTitle(panel.title(), new Font(Font.SANS_SERIF, Font.BOLD, 12)));
    chart.setBackgroundPaint(Color.WHITE);
    NumberAxis scaleAxis = new NumberAxis("cosine");
    scaleAxis.setRange(-1, 1);
    scaleAxis.setTickLabelFont(tick);
    PaintScaleLegend legend = new PaintScaleLegend(SCALE, scaleAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setAxisLocation(AxisLocation.TOP_OR_RIGHT);
    legend.setStripWidth(10);
    legend.setMargin(4, 4, 4, 4);
    chart.addSubtitle(legend);
    chart.setRenderingHints(new RenderingHints(RenderingHints.KEY_INTERPOLATION,
        RenderingHints.VALUE_INTERPOLATION_BILINEAR));
    return chart;
  }

  /** One panel as PNG bytes. */
  public static byte[] png(Panel panel, List<Integer> clusterStarts, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      chart(panel, clusterStarts).draw(g, new Rectangle2D.Double(0, 0, width, height));
    } finally {
      g.dispose();
    }
    return encode(img);
  }

  /** Several panels in a grid of {@code columns}, each {@code size x size} pixels: the composite Figure 1. */
  public static byte[] grid(List<Panel> panels, List<Integer> clusterStarts, int columns, int size) {
    int rows = (panels.size() + columns - 1) / columns;
    BufferedImage img = new BufferedImage(columns * size, rows * size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      for (int i = 0; i < panels.size(); i++) {
        chart(panels.get(i), clusterStarts).draw(g,
            new Rectangle2D.Double((i % columns) * size, (i / columns) * size, size, size));
      }
    } finally {
      g.dispose();
    }
    return encode(img);
  }

  /** One pixel per matrix cell. */
  static BufferedImage image(Panel panel) {
    int m = panel.m();
    BufferedImage img = new BufferedImage(m, m, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        img.setRGB(j, i, ((Color) SCALE.getPaint(panel.matrix()[i * m + j])).getRGB());
      }
    }
    return img;
  }

  private static ValueMarker boundary(int position) {
    ValueMarker marker = new ValueMarker(position, new Color(90, 90, 90, 160), new BasicStroke(0.6f));
    return marker;
  }

  private static byte[] encode(BufferedImage img) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(img, "png", bytes);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("PNG encoding failed: " + e.getMessage(), e);
    }
  }

  /** Blue (low) - white (middle) - red (high), clamped outside [lower, upper]. */
  static final class Diverging implements PaintScale, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final double lower;
    private final double upper;

    Diverging(double lower, double upper) {
      this.lower = lower;
      this.upper = upper;
    }

    @Override
    public double getLowerBound() {
      return lower;
    }

    @Override
    public double getUpperBound() {
      return upper;
    }

    @Override
    public Paint getPaint(double value) {
      double v = Double.isNaN(value) ? 0 : Math.max(lower, Math.min(upper, value));
      double t = (v - lower) / (upper - lower) * 2 - 1; // -1..1
      // endpoints: (33, 102, 172) blue, (178, 24, 43) red, as in ColorBrewer RdBu
      int[] end = t < 0 ? new int[] {33, 102, 172} : new int[] {178, 24, 43};
      double a = Math.abs(t);
      return new Color(mix(255, end[0], a), mix(255, end[1], a), mix(255, end[2], a));
    }

    private static int mix(int from, int to, double a) {
      return (int) Math.round(from + (to - from) * a);
    }
  }
}
