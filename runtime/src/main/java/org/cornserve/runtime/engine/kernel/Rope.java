package org.cornserve.runtime.engine.kernel;

/**
 * Rotary position embedding (the "rotate half" layout of Llama and Qwen): for i below d/2 the pair
 * (x[i], x[i + d/2]) turns by angle pos * theta^(-2i/d). Cosines and sines are tabulated per position.
 */
public final class Rope {
    private final int headDim;
    private final int maxPositions;
    private final float[] cos;
    private final float[] sin;

    /** Tables for {@code maxPositions} positions of heads of width {@code headDim} (even). */
    public Rope(int headDim, int maxPositions, double theta) {
        if (headDim % 2 != 0 || headDim <= 0) {
            throw new IllegalArgumentException("rotary head dim must be even and positive, got " + headDim);
        }
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        int half = headDim / 2;
        this.cos = new float[maxPositions * half];
        this.sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(theta, -2.0 * i / headDim);
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /** Width of the heads this table rotates. */
    public int headDim() {
        return headDim;
    }

    /** Rotates {@code heads} consecutive heads at x[off..] for position pos, in place. */
    public void apply(float[] x, int off, int heads, int pos) {
        if (pos < 0 || pos >= maxPositions) {
            throw new IllegalArgumentException("position " + pos + " outside rotary table of " + maxPositions);
        }
        int half = headDim / 2;
        int t = pos * half;
        for (int h = 0; h < heads; h++) {
            int b = off + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = x[b + i];
                float x2 = x[b + i + half];
                float c = cos[t + i];
                float s = sin[t + i];
                x[b + i] = x1 * c - x2 * s;
                x[b + i + half] = x2 * c + x1 * s;
            }
        }
    }
}
