package org.cornserve.runtime.replay;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.imageio.ImageIO;

/**
 * Encoded media of a given size with seeded content: PNG images (a colour gradient with a seeded tint and a
 * checker pattern, so they are cheap to encode yet not blank) and WAV clips (16 kHz mono 16-bit PCM: a seeded
 * tone with a slow sweep). The size is what matters to the server's work; the content only has to decode.
 */
public final class SyntheticMedia {
    /** Sample rate of synthesised audio (the tiny models' and Whisper's input rate). */
    public static final int SAMPLE_RATE = 16_000;

    private SyntheticMedia() {
    }

    /** A PNG of {@code widthPx} x {@code heightPx} pixels. */
    public static byte[] png(int widthPx, int heightPx, long seed) {
        if (widthPx <= 0 || heightPx <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + widthPx + "x" + heightPx);
        }
        BufferedImage img = new BufferedImage(widthPx, heightPx, BufferedImage.TYPE_INT_RGB);
        int tint = (int) (seed * 0x9E3779B97F4A7C15L >>> 40) & 0xFFFFFF;
        int[] row = new int[widthPx];
        for (int y = 0; y < heightPx; y++) {
            for (int x = 0; x < widthPx; x++) {
                int r = (x * 255 / widthPx) ^ (tint >> 16 & 0xFF);
                int g = (y * 255 / heightPx) ^ (tint >> 8 & 0xFF);
                int b = ((x / 16 + y / 16) % 2 == 0 ? 200 : 40) ^ (tint & 0xFF);
                row[x] = (r & 0xFF) << 16 | (g & 0xFF) << 8 | (b & 0xFF);
            }
            img.setRGB(0, y, widthPx, 1, row, 0, widthPx);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Samples in a clip of {@code seconds} (rounded to the nearest sample, at least one). */
    public static int samples(double seconds) {
        if (!(seconds > 0) || seconds > 3600) {
            throw new IllegalArgumentException("audio clip must last (0, 3600] s, got " + seconds);
        }
        return Math.max(1, (int) Math.round(seconds * SAMPLE_RATE));
    }

    /** A WAV clip of {@code seconds}. */
    public static byte[] wav(double seconds, long seed) {
        int n = samples(seconds);
        ByteBuffer buf = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        buf.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 2 * n)
                .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(SAMPLE_RATE).putInt(SAMPLE_RATE * 2).putShort((short) 2)
                .putShort((short) 16).put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(2 * n);
        double base = 180 + Math.floorMod(seed, 200);
        for (int i = 0; i < n; i++) {
            double t = (double) i / SAMPLE_RATE;
            double f = base * (1 + 0.5 * Math.sin(2 * Math.PI * 0.25 * t));
            buf.putShort((short) Math.round(8000 * Math.sin(2 * Math.PI * f * t)));
        }
        return buf.array();
    }
}
