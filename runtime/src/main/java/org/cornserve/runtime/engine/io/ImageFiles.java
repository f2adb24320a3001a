package org.cornserve.runtime.engine.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Reading images (PNG, JPEG, ... through javax.imageio) and writing PNGs. */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** Decodes an image file. */
    public static BufferedImage read(Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IllegalArgumentException(file + ": not an image format javax.imageio can decode");
            }
            return img;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes channels-last RGB values in [0, 1] ({@code [h][w][3]}) as a PNG. */
    public static void writePng(Path file, float[] rgb, int height, int width) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = (y * width + x) * 3;
                img.setRGB(x, y, (to8(rgb[o]) << 16) | (to8(rgb[o + 1]) << 8) | to8(rgb[o + 2]));
            }
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    private static int to8(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
