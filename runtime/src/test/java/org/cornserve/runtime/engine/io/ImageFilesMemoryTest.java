package org.cornserve.runtime.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PNGs written and read in memory (no temporary files) carry the same pixels as through ImageIO's default
 * file-cached streams, the reference; a cut-off upload is refused naming it.
 */
class ImageFilesMemoryTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void memoryCachedPngsMatchTheDefaultStreams(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        int h = 1 + rnd.nextInt(40);
        int w = 1 + rnd.nextInt(40);
        float[] rgb = new float[h * w * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (float) rnd.nextDouble();
        }
        byte[] png = ImageFiles.pngBytes(rgb, h, w);
        BufferedImage mine = ImageFiles.read(png, "image 1");
        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(w, mine.getWidth());
        assertEquals(h, mine.getHeight());
        assertArrayEquals(reference.getRGB(0, 0, w, h, null, 0, w), mine.getRGB(0, 0, w, h, null, 0, w));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                int p = mine.getRGB(x, y);
                assertEquals(Math.round(rgb[o] * 255), (p >> 16) & 0xff, 1);
                assertEquals(Math.round(rgb[o + 2] * 255), p & 0xff, 1);
            }
        }
        byte[] cut = java.util.Arrays.copyOf(png, png.length / 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFiles.read(cut,
                "image 2"));
        assertTrue(e.getMessage().contains("image 2"), e.getMessage());
    }
}
