package org.cornserve.runtime.engine.audio;

/**
 * Log-mel spectrogram as Whisper computes it: Hann-windowed frames, a radix-2 FFT, power spectrum,
 * a Slaney-style triangular mel filter bank, log10 clamped 8 decades below the maximum and scaled.
 */
public final class MelSpectrogram {
    private final int sampleRate;
    private final int nFft;
    private final int window;
    private final int hop;
    private final int melBins;
    private final float[] hann;
    private final float[][] filters;

    /** A transform with the given frame geometry; nFft a power of two >= window. */
    public MelSpectrogram(int sampleRate, int nFft, int window, int hop, int melBins) {
        if (Integer.bitCount(nFft) != 1 || window > nFft || hop <= 0 || melBins <= 0) {
            throw new IllegalArgumentException("bad mel geometry nFft=" + nFft + " window=" + window + " hop=" + hop);
        }
        this.sampleRate = sampleRate;
        this.nFft = nFft;
        this.window = window;
        this.hop = hop;
        this.melBins = melBins;
        this.hann = new float[window];
        for (int i = 0; i < window; i++) {
            hann[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / window));
        }
        this.filters = melFilters();
    }

    /** Frames produced for {@code samples} samples. */
    public int frames(int samples) {
        return samples / hop;
    }

    /** Mel bins per frame. */
    public int melBins() {
        return melBins;
    }

    /** The spectrogram as {@code [frames][melBins]}. */
    public float[] compute(float[] samples) {
        int frames = frames(samples.length);
        float[] out = new float[frames * melBins];
        double[] re = new double[nFft];
        double[] im = new double[nFft];
        int bins = nFft / 2 + 1;
        double[] power = new double[bins];
        double max = Double.NEGATIVE_INFINITY;
        for (int f = 0; f < frames; f++) {
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
            int start = f * hop - window / 2;
            for (int i = 0; i < window; i++) {
                int s = start + i;
                re[i] = s >= 0 && s < samples.length ? samples[s] * hann[i] : 0;
            }
            fft(re, im);
            for (int b = 0; b < bins; b++) {
                power[b] = re[b] * re[b] + im[b] * im[b];
            }
            for (int m = 0; m < melBins; m++) {
                double e = 0;
                for (int b = 0; b < bins; b++) {
                    e += filters[m][b] * power[b];
                }
                double v = Math.log10(Math.max(e, 1e-10));
                out[f * melBins + m] = (float) v;
                max = Math.max(max, v);
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((Math.max(out[i], max - 8.0) + 4.0) / 4.0);
        }
        return out;
    }

    /** In-place iterative radix-2 FFT. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double ang = -2 * Math.PI / len;
            double wr = Math.cos(ang);
            double wi = Math.sin(ang);
            for (int i = 0; i < n; i += len) {
                double cr = 1;
                double ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k;
                    int b = a + len / 2;
                    double xr = re[b] * cr - im[b] * ci;
                    double xi = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                    double t = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = t;
                }
            }
        }
    }

    private float[][] melFilters() {
        int bins = nFft / 2 + 1;
        double melMax = hzToMel(sampleRate / 2.0);
        double[] points = new double[melBins + 2];
        for (int i = 0; i < points.length; i++) {
            points[i] = melToHz(melMax * i / (melBins + 1));
        }
        float[][] f = new float[melBins][bins];
        for (int m = 0; m < melBins; m++) {
            double lo = points[m];
            double mid = points[m + 1];
            double hi = points[m + 2];
            double norm = 2.0 / (hi - lo);
            for (int b = 0; b < bins; b++) {
                double hz = b * (double) sampleRate / nFft;
                double w = Math.max(0, Math.min((hz - lo) / (mid - lo), (hi - hz) / (hi - mid)));
                f[m][b] = (float) (w * norm);
            }
        }
        return f;
    }

    static double hzToMel(double hz) {
        return 2595 * Math.log10(1 + hz / 700);
    }

    static double melToHz(double mel) {
        return 700 * (Math.pow(10, mel / 2595) - 1);
    }
}
