package org.cornserve.runtime.engine.audio;

/**
 * Dimensions of a Whisper-style audio encoder: log-mel frames, two 1-d convolutions (the second of
 * stride 2), transformer layers, average pooling by 2 and a projection to the LLM's width.
 *
 * @param sampleRate input samples per second
 * @param melBins mel channels
 * @param hop samples between frames (sampleRate / hop frames per second)
 * @param window samples per frame
 * @param nFft FFT length
 * @param hidden encoder width
 * @param layers transformer layers
 * @param heads attention heads
 * @param intermediate MLP width
 * @param outHidden output token width
 * @param maxSeconds longest input accepted
 */
public record AudioEncoderConfig(int sampleRate, int melBins, int hop, int window, int nFft, int hidden, int layers,
        int heads, int intermediate, int outHidden, double maxSeconds) {
    public AudioEncoderConfig {
        if (sampleRate <= 0 || melBins <= 0 || hop <= 0 || hidden % heads != 0 || layers <= 0 || outHidden <= 0) {
            throw new IllegalArgumentException("bad audio encoder config " + this);
        }
    }

    /** Output tokens for {@code samples} input samples: frames / 2 (conv stride) / 2 (pooling). */
    public int tokens(int samples) {
        int frames = samples / hop;
        int conv = (frames + 2 - 3) / 2 + 1;
        return Math.max(0, conv / 2);
    }

    /** Parameters. */
    public long params() {
        long conv = (long) hidden * melBins * 3 + (long) hidden * hidden * 3 + 2L * hidden;
        long layer = 4L * hidden * hidden + 2L * hidden * intermediate + 9L * hidden + intermediate;
        return conv + layers * layer + 2L * hidden + (long) hidden * outHidden + outHidden;
    }
}
