package org.cornserve.runtime.engine.audio;

import java.util.List;

/**
 * A code-to-waveform vocoder: code embeddings upsampled by transposed convolutions.
 *
 * @param codebook number of codes
 * @param embed code embedding width
 * @param rates upsampling factor per stage (their product is samples per code)
 * @param channels channels after each stage (same length as rates)
 * @param sampleRate output samples per second
 */
public record VocoderConfig(int codebook, int embed, List<Integer> rates, List<Integer> channels, int sampleRate) {
    public VocoderConfig {
        rates = List.copyOf(rates);
        channels = List.copyOf(channels);
        if (rates.size() != channels.size() || rates.isEmpty() || codebook <= 0 || embed <= 0 || sampleRate <= 0) {
            throw new IllegalArgumentException("bad vocoder config " + rates + " " + channels);
        }
    }

    /** Output samples per code. */
    public int samplesPerCode() {
        int s = 1;
        for (int r : rates) {
            s *= r;
        }
        return s;
    }
}
