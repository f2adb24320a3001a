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

    /**
     * Decodes an image held in memory (a client's upload); {@code what} names it in errors. Read through a memory
     * cache: {@code ImageIO.read(InputStream)} caches a stream in a temporary file by default, a file created,
     * written, sought and deleted for every request that sends an image.
     */
    public static BufferedImage read(byte[] bytes, String what) {
        try {
            javax.imageio.stream.ImageInputStream in = new javax.imageio.stream.MemoryCacheImageInputStream(
                    new java.io.ByteArrayInputStream(bytes));
            BufferedImage img = ImageIO.read(in); // closes the stream unless no reader takes it (null)
            if (img == null) {
                in.close();
                throw new IllegalArgumentException(what + ": not an image format javax.imageio can decode (PNG, JPEG, "
                        + "GIF, BMP)");
            }
            return img;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot decode " + what + ": " + e.getMessage(), e);
        }
    }

    /** Writes channels-last RGB values in [0, 1] ({@code [h][w][3]}) as a PNG. */
    public static void writePng(Path file, float[] rgb, int height, int width) throws IOException {
        if (!ImageIO.write(toImage(rgb, height, width), "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    /** Channels-last RGB values in [0, 1] as the bytes of a PNG file (written through a memory cache, not a file). */
    public static byte[] pngBytes(float[] rgb, int height, int width) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream cached = new javax.imageio.stream.MemoryCacheImageOutputStream(
                out)) {
            if (!ImageIO.write(toImage(rgb, height, width), "png", cached)) {
                throw new IOException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing a PNG to memory", e);
        }
        return out.toByteArray(); // the cache is flushed to out when closed
    }

    private static BufferedImage toImage(float[] rgb, int height, int width) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = (y * width + x) * 3;
                img.setRGB(x, y, (to8(rgb[o]) << 16) | (to8(rgb[o + 1]) << 8) | to8(rgb[o + 2]));
            }
        }
        return img;
    }

    private static int to8(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
