package org.cornserve.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class EngineRunnerTest {
    static final Kernels KERNELS = Kernels.create(Kernels.Choice.AUTO, 2);

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        KERNELS.close();
    }

    private Path writePng(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 5) & 0xff) << 16 | ((y * 3) & 0xff) << 8 | ((x + y) & 0xff));
            }
        }
        Path f = dir.resolve("in.png");
        ImageIO.write(img, "png", f.toFile());
        return f;
    }

    @Test
    void imageAndPromptToTextTokens() throws Exception {
        Path png = writePng(90, 60);
        EngineRunner runner = new EngineRunner(TinyModels.Model.TINY_VL, KERNELS, 1, null);
        EngineRunner.RunResult r = runner.run(new EngineRunner.RunRequest("Describe the image.", png, null, 6, 3, 0,
                256, dir.resolve("vl")));
        assertTrue(r.tokens().length >= 1 && r.tokens().length <= 6);
        assertTrue(r.timings().stream().anyMatch(t -> t.component().equals("vision-encoder")
                && t.detail().contains("84x56 px -> 6 tokens")), r.timings().toString());
        assertTrue(Files.exists(dir.resolve("vl/answer.txt")));
        // the same request gives the same tokens; a different picture changes the hidden computation
        EngineRunner.RunResult again = runner.run(new EngineRunner.RunRequest("Describe the image.", png, null, 6, 3,
                0, 256, dir.resolve("vl2")));
        assertEquals(java.util.Arrays.toString(r.tokens()), java.util.Arrays.toString(again.tokens()));
    }

    @Test
    void hfCheckpointDirectoryLoadsTheLlm() throws Exception {
        // a Llama-style checkpoint holding exactly the seeded tiny LLM's tensors, written as BF16
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Files.writeString(ckpt.resolve("config.json"), """
                {"model_type": "llama", "hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 8,
                 "num_key_value_heads": 2, "head_dim": 32, "intermediate_size": 768, "vocab_size": 512,
                 "max_position_embeddings": 4096, "rope_theta": 10000, "rms_norm_eps": 1e-6,
                 "tie_word_embeddings": false, "bos_token_id": 256, "eos_token_id": 257, "image_token_id": 259}
                """);
        org.cornserve.runtime.engine.weights.SeededWeights seeded = new org.cornserve.runtime.engine.weights.SeededWeights(0);
        java.util.List<Object[]> tensors = new java.util.ArrayList<>();
        org.cornserve.runtime.engine.weights.WeightSource recording = new org.cornserve.runtime.engine.weights.WeightSource() {
            @Override
            public float[] get(String name, Init init, int... shape) {
                float[] v = seeded.get(name, init, shape);
                for (int i = 0; i < v.length; i++) {
                    v[i] = org.cornserve.runtime.engine.tensor.HalfFloats.bf16ToFloat(
                            org.cornserve.runtime.engine.tensor.HalfFloats.floatToBf16(v[i]));
                }
                tensors.add(new Object[] {name, shape.clone(), v});
                return v;
            }

            @Override
            public boolean has(String name) {
                return true;
            }

            @Override
            public String describe() {
                return "recording";
            }
        };
        new org.cornserve.runtime.engine.llm.LlmModel(TinyModels.LLM, recording, "", KERNELS, java.util.Set.of());
        org.cornserve.runtime.engine.weights.SafetensorsWriter w = new org.cornserve.runtime.engine.weights.SafetensorsWriter();
        tensors.forEach(t -> w.add((String) t[0], "BF16", (int[]) t[1], (float[]) t[2]));
        w.write(ckpt.resolve("model.safetensors"));
        Path png = writePng(56, 56);
        EngineRunner.RunResult fromDir = new EngineRunner(TinyModels.Model.TINY_VL, KERNELS, 0, ckpt)
                .run(new EngineRunner.RunRequest("What is this?", png, null, 5, 1, 0, 256, dir.resolve("a")));
        assertTrue(fromDir.weightSources().stream().anyMatch(s -> s.startsWith("llm: safetensors in")),
                fromDir.weightSources().toString());
        assertEquals(5, fromDir.tokens().length);
        // BOS + 2x2 image tokens + 13 prompt bytes
        assertTrue(fromDir.timings().stream().anyMatch(t -> t.component().equals("llm")
                && t.detail().startsWith("18 prompt tokens")), fromDir.timings().toString());
    }

    @Test
    void promptToSpeechWavThatDecodes() throws Exception {
        Path wavIn = dir.resolve("in.wav");
        float[] tone = new float[16000 / 2];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        }
        WavFiles.write(wavIn, tone, 16000);
        EngineRunner runner = new EngineRunner(TinyModels.Model.TINY_OMNI, KERNELS, 1, null);
        EngineRunner.RunResult r = runner.run(new EngineRunner.RunRequest("Say hello.", null, wavIn, 8, 5, 0, 256,
                dir.resolve("omni")));
        Path wav = dir.resolve("omni/answer.wav");
        assertTrue(r.files().contains(wav));
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            AudioFormat f = in.getFormat();
            assertEquals(24000f, f.getSampleRate());
            assertEquals(1, f.getChannels());
            long frames = in.getFrameLength();
            assertEquals(0, frames % 960, "whole codes of 960 samples");
            assertTrue(frames >= 25 * 960, "at least one second of audio, got " + frames);
        }
        assertTrue(r.timings().stream().anyMatch(t -> t.component().equals("audio-encoder")
                && t.detail().contains("-> 12 tokens")), r.timings().toString());
    }

    @Test
    void promptToPngThatDecodes() throws Exception {
        EngineRunner runner = new EngineRunner(TinyModels.Model.TINY_IMAGE, KERNELS, 1, null);
        EngineRunner.RunResult r = runner.run(new EngineRunner.RunRequest("a red boat", null, null, 1, 7, 0, 128,
                dir.resolve("img")));
        BufferedImage img = ImageIO.read(r.files().get(0).toFile());
        assertEquals(128, img.getWidth());
        assertEquals(128, img.getHeight());
        int distinct = (int) java.util.stream.IntStream.range(0, 128 * 128)
                .map(i -> img.getRGB(i % 128, i / 128)).distinct().count();
        assertTrue(distinct > 100, "a generated picture, not a flat fill: " + distinct + " colours");
    }
}
