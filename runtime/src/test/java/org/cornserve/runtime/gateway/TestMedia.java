package org.cornserve.runtime.gateway;

import java.util.Base64;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.engine.io.WavFiles;

/** Small real media for tests: a PNG gradient and a WAV tone. */
final class TestMedia {
    private TestMedia() {
    }

    /** A {@code side} x {@code side} PNG with a colour gradient. */
    static byte[] png(int side) {
        float[] rgb = new float[side * side * 3];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int o = (y * side + x) * 3;
                rgb[o] = x / (float) side;
                rgb[o + 1] = y / (float) side;
                rgb[o + 2] = 0.5f;
            }
        }
        return ImageFiles.pngBytes(rgb, side, side);
    }

    static String pngDataUrl(int side) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(side));
    }

    /** A 440 Hz tone of {@code seconds} at 16 kHz as WAV bytes. */
    static byte[] wav(double seconds) {
        int n = (int) (seconds * 16000);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        }
        return WavFiles.toBytes(s, 16000);
    }
}
