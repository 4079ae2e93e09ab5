package org.cosineaudit.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class HeatMapsTest {

  @Test
  void sharedScaleIsBlueWhiteRedAndClamps() {
    assertEquals(new Color(255, 255, 255), HeatMaps.SCALE.getPaint(0.0));
    assertEquals(new Color(178, 24, 43), HeatMaps.SCALE.getPaint(1.0));
    assertEquals(new Color(33, 102, 172), HeatMaps.SCALE.getPaint(-1.0));
    assertEquals(HeatMaps.SCALE.getPaint(1.0), HeatMaps.SCALE.getPaint(3.0));
  }

  @Test
  void pixelImageHasOneCellPerPixelInRowOrder() {
    HeatMaps.Panel p = new HeatMaps.Panel("t", "t", new double[] {1, 0, -1, 1}, 2);
    BufferedImage img = HeatMaps.image(p);
    assertEquals(((Color) HeatMaps.SCALE.getPaint(0.0)).getRGB(), img.getRGB(1, 0)); // row 0, column 1
    assertEquals(((Color) HeatMaps.SCALE.getPaint(-1.0)).getRGB(), img.getRGB(0, 1)); // row 1, column 0
  }

  @Test
  void pngAndGridDecodeToTheRequestedSize() throws Exception {
    double[] m = new double[9];
    for (int i = 0; i < 9; i++) {
      m[i] = i % 4 == 0 ? 1 : -0.5;
    }
    HeatMaps.Panel p = new HeatMaps.Panel("x", "Panel x", m, 3);
    BufferedImage one = ImageIO.read(new ByteArrayInputStream(HeatMaps.png(p, List.of(1), 300, 200)));
    assertEquals(300, one.getWidth());
    assertEquals(200, one.getHeight());
    BufferedImage grid = ImageIO.read(new ByteArrayInputStream(HeatMaps.grid(List.of(p, p, p), List.of(), 2, 150)));
    assertEquals(300, grid.getWidth());
    assertEquals(300, grid.getHeight());
    assertTrue(grid.getRGB(225, 225) == Color.WHITE.getRGB(), "the empty fourth slot stays white");
  }

  @Test
  void wrongMatrixSizeIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new HeatMaps.Panel("x", "x", new double[5], 2));
  }
}
