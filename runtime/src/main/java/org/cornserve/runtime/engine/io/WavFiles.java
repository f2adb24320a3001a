package org.cornserve.runtime.engine.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** Reading and writing WAV files through javax.sound.sampled. */
public final class WavFiles {
    private WavFiles() {
    }

    /** Mono samples in [-1, 1] at a sample rate. */
    public record Audio(float[] samples, int sampleRate) {
        /** Duration in seconds. */
        public double seconds() {
            return samples.length / (double) sampleRate;
        }
    }

    /** Reads a WAV (or other format javax.sound reads) as mono float samples at its own rate. */
    public static Audio read(Path file) {
        try (AudioInputStream raw = AudioSystem.getAudioInputStream(file.toFile())) {
            return toMono(raw);
        } catch (UnsupportedAudioFileException e) {
            throw new IllegalArgumentException(file + ": not a WAV file javax.sound can read: " + e.getMessage(), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read audio " + file + ": " + e.getMessage(), e);
        }
    }

    private static Audio toMono(AudioInputStream raw) throws IOException {
        AudioFormat src = raw.getFormat();
        AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, src.getSampleRate(), 16,
                src.getChannels(), 2 * src.getChannels(), src.getSampleRate(), false);
        try (AudioInputStream in = AudioSystem.getAudioInputStream(pcm, raw)) {
            byte[] bytes = in.readAllBytes();
            int ch = src.getChannels();
            int frames = bytes.length / (2 * ch);
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            float[] mono = new float[frames];
            for (int f = 0; f < frames; f++) {
                float s = 0;
                for (int c = 0; c < ch; c++) {
                    s += buf.getShort((f * ch + c) * 2) / 32768f;
                }
                mono[f] = s / ch;
            }
            return new Audio(mono, Math.round(src.getSampleRate()));
        }
    }

    /** Linear-interpolation resampling to {@code rate}. */
    public static Audio resample(Audio a, int rate) {
        if (a.sampleRate() == rate) {
            return a;
        }
        int n = (int) Math.round(a.samples().length * (double) rate / a.sampleRate());
        float[] out = new float[n];
        double step = a.sampleRate() / (double) rate;
        for (int i = 0; i < n; i++) {
            double pos = i * step;
            int j = (int) pos;
            double frac = pos - j;
            float s0 = a.samples()[Math.min(j, a.samples().length - 1)];
            float s1 = a.samples()[Math.min(j + 1, a.samples().length - 1)];
            out[i] = (float) (s0 + (s1 - s0) * frac);
        }
        return new Audio(out, rate);
    }

    /** Writes mono samples (clipped to [-1, 1]) as 16-bit PCM WAV. */
    public static void write(Path file, float[] samples, int sampleRate) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) {
            float c = Math.max(-1f, Math.min(1f, s));
            buf.putShort((short) Math.round(c * 32767f));
        }
        AudioFormat fmt = new AudioFormat(sampleRate, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(buf.array()), fmt, samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
    }

    /** Decodes a WAV held in memory (a client's upload); {@code what} names it in errors. */
    public static Audio read(byte[] bytes, String what) {
        try (AudioInputStream raw = AudioSystem.getAudioInputStream(new ByteArrayInputStream(bytes))) {
            return toMono(raw);
        } catch (UnsupportedAudioFileException e) {
            throw new IllegalArgumentException(what + ": not a WAV file javax.sound can read: " + e.getMessage(), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read audio " + what + ": " + e.getMessage(), e);
        }
    }

    /** Mono samples (clipped to [-1, 1]) as the bytes of a 16-bit PCM WAV file. */
    public static byte[] toBytes(float[] samples, int sampleRate) {
        ByteBuffer buf = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) {
            float c = Math.max(-1f, Math.min(1f, s));
            buf.putShort((short) Math.round(c * 32767f));
        }
        AudioFormat fmt = new AudioFormat(sampleRate, 16, 1, true, false);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(samples.length * 2 + 64);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(buf.array()), fmt, samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing a WAV to memory", e);
        }
        return out.toByteArray();
    }
}
