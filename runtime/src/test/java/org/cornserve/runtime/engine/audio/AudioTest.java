package org.cornserve.runtime.engine.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.tensor.Tensor;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioTest {
    static final Kernels K = Kernels.create(Kernels.Choice.AUTO, 2);

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        K.close();
    }

    @Test
    void fftMatchesNaiveDft() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 64;
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = r.nextDouble(-1, 1);
            im[i] = r.nextDouble(-1, 1);
        }
        double[] re2 = re.clone();
        double[] im2 = im.clone();
        MelSpectrogram.fft(re2, im2);
        for (int k = 0; k < n; k++) {
            double sr = 0;
            double si = 0;
            for (int t = 0; t < n; t++) {
                double a = -2 * Math.PI * k * t / n;
                sr += re[t] * Math.cos(a) - im[t] * Math.sin(a);
                si += re[t] * Math.sin(a) + im[t] * Math.cos(a);
            }
            assertEquals(sr, re2[k], 1e-9);
            assertEquals(si, im2[k], 1e-9);
        }
    }

    @Test
    void melPeaksAtATonesFrequency() {
        MelSpectrogram mel = new MelSpectrogram(16000, 512, 400, 160, 32);
        float[] low = new float[16000];
        float[] high = new float[16000];
        for (int i = 0; i < low.length; i++) {
            low[i] = (float) Math.sin(2 * Math.PI * 300 * i / 16000.0);
            high[i] = (float) Math.sin(2 * Math.PI * 4000 * i / 16000.0);
        }
        assertEquals(100, mel.frames(16000), "100 frames per second");
        assertTrue(peakBin(mel.compute(low)) < peakBin(mel.compute(high)));
    }

    private static int peakBin(float[] spec) {
        int frame = 50;
        int best = 0;
        for (int m = 1; m < 32; m++) {
            if (spec[frame * 32 + m] > spec[frame * 32 + best]) {
                best = m;
            }
        }
        return best;
    }

    @Test
    void encoderGives25TokensPerSecondAndWavRoundTrips() throws Exception {
        AudioEncoder enc = new AudioEncoder(TinyModels.AUDIO, new SeededWeights(3), K);
        float[] clip = new float[32000];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < clip.length; i++) {
            clip[i] = (float) r.nextDouble(-0.5, 0.5);
        }
        List<Tensor> out = enc.encode(List.of(clip, java.util.Arrays.copyOf(clip, 8000)));
        assertEquals(50, out.get(0).dim(0));
        assertEquals(256, out.get(0).dim(1));
        assertEquals(12, out.get(1).dim(0));
        assertEquals(TinyModels.AUDIO.tokens(8000), out.get(1).dim(0));
        Path f = dir.resolve("a.wav");
        WavFiles.write(f, clip, 16000);
        WavFiles.Audio back = WavFiles.read(f);
        assertEquals(16000, back.sampleRate());
        assertEquals(clip.length, back.samples().length);
        for (int i = 0; i < clip.length; i += 997) {
            assertEquals(clip[i], back.samples()[i], 1.0 / 32767 + 1e-6);
        }
        assertEquals(24000, WavFiles.resample(back, 12000).samples().length, "2 s at 12 kHz");
    }

    @Test
    void vocoderMakes960SamplesPerCode() {
        Vocoder v = new Vocoder(TinyModels.VOCODER, new SeededWeights(4), K);
        float[] wave = v.synthesize(List.of(new int[] {1, 2, 3, 250})).get(0);
        assertEquals(4 * 960, wave.length);
        double energy = 0;
        for (float s : wave) {
            assertTrue(s >= -1 && s <= 1);
            energy += s * s;
        }
        assertTrue(energy > 0);
    }
}
