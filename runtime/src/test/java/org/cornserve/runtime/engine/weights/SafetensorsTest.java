package org.cornserve.runtime.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmConfig;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.llm.SeqChunk;
import org.cornserve.runtime.engine.tensor.HalfFloats;
import org.cornserve.runtime.engine.vision.VisionEncoder;
import org.cornserve.runtime.engine.vision.VitConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsTest {
    static final Kernels KERNELS = Kernels.create(Kernels.Choice.AUTO, 1);
    static final String CONFIG = """
            {"model_type": "qwen2", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 2, "intermediate_size": 48, "vocab_size": 300,
             "max_position_embeddings": 128, "rope_theta": 10000.0, "rms_norm_eps": 1e-6,
             "tie_word_embeddings": false, "eos_token_id": 257}
            """;

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        KERNELS.close();
    }

    /** Records every tensor a model asks a seeded source for, with its shape, so the test can write them. */
    static final class Recording implements WeightSource {
        final SeededWeights seeded = new SeededWeights(77);
        final List<Object[]> asked = new ArrayList<>();

        @Override
        public float[] get(String name, Init init, int... shape) {
            float[] v = seeded.get(name, init, shape);
            if (init == Init.ONES || init == Init.ZEROS) {
                for (int i = 0; i < v.length; i++) {
                    v[i] += 0.01f * (i % 7);
                }
            }
            asked.add(new Object[] {name, shape.clone(), v});
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
    }

    /** Replays recorded tensors rounded as a dtype would round them. */
    record Rounded(Recording rec, String dtype) implements WeightSource {
        @Override
        public float[] get(String name, Init init, int... shape) {
            for (Object[] a : rec.asked) {
                if (a[0].equals(name)) {
                    float[] v = ((float[]) a[2]).clone();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = switch (dtype) {
                            case "BF16" -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v[i]));
                            case "F16" -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(v[i]));
                            default -> v[i];
                        };
                    }
                    return v;
                }
            }
            throw new AssertionError(name);
        }

        @Override
        public boolean has(String name) {
            return true;
        }

        @Override
        public String describe() {
            return dtype;
        }
    }

    private LlmConfig writeModel(String dtype, Recording rec) throws Exception {
        Files.writeString(dir.resolve("config.json"), CONFIG);
        LlmConfig cfg = HfConfigs.llm(HfConfigs.read(dir), dir);
        new LlmModel(cfg, rec, "", KERNELS, Set.of());
        // two shards, as Hugging Face writes big checkpoints
        SafetensorsWriter a = new SafetensorsWriter();
        SafetensorsWriter b = new SafetensorsWriter();
        for (int i = 0; i < rec.asked.size(); i++) {
            Object[] t = rec.asked.get(i);
            (i % 2 == 0 ? a : b).add((String) t[0], dtype, (int[]) t[1], (float[]) t[2]);
        }
        a.write(dir.resolve("model-00001-of-00002.safetensors"));
        b.write(dir.resolve("model-00002-of-00002.safetensors"));
        return cfg;
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "BF16", "F16"})
    void llmLoadsFromSafetensorsWithHfNames(String dtype) throws Exception {
        Recording rec = new Recording();
        LlmConfig cfg = writeModel(dtype, rec);
        assertTrue(cfg.attentionBias(), "qwen2 has q/k/v biases");
        assertEquals(8, cfg.headDim());
        assertTrue(rec.asked.stream().anyMatch(t -> t[0].equals("model.layers.1.self_attn.q_proj.bias")));
        assertTrue(rec.asked.stream().anyMatch(t -> t[0].equals("lm_head.weight")));
        LlmModel fromFile = new LlmModel(cfg, new SafetensorsWeights(dir), "", KERNELS, Set.of());
        LlmModel expected = new LlmModel(cfg, new Rounded(rec, dtype), "", KERNELS, Set.of());
        int[] toks = {1, 5, 9, 200, 42};
        float[] got = fromFile.step(List.of(new SeqChunk(1, 0, toks, null, true, false)), new KvCache(cfg, 2, 4))
                .get(0).logits();
        float[] want = expected.step(List.of(new SeqChunk(1, 0, toks, null, true, false)), new KvCache(cfg, 2, 4))
                .get(0).logits();
        assertArrayEquals(want, got);
    }

    @Test
    void missingAndMisshapedTensorsAreNamed() throws Exception {
        Path f = dir.resolve("one.safetensors");
        new SafetensorsWriter().add("a.weight", "F32", new int[] {2, 3}, new float[6])
                .add("b.weight", "BF16", new int[] {4}, new float[] {1, 2, 3, 4}).write(f);
        SafetensorsWeights w = new SafetensorsWeights(f);
        WeightException missing = assertThrows(WeightException.class,
                () -> w.get("c.weight", WeightSource.Init.FAN_IN, 2, 2));
        assertTrue(missing.getMessage().contains("'c.weight'") && missing.getMessage().contains(f.toString()),
                missing.getMessage());
        WeightException shape = assertThrows(WeightException.class,
                () -> w.get("a.weight", WeightSource.Init.FAN_IN, 3, 2));
        assertTrue(shape.getMessage().contains("'a.weight'") && shape.getMessage().contains("[2, 3]")
                && shape.getMessage().contains("expected [3, 2]") && shape.getMessage().contains(f.toString()),
                shape.getMessage());
        assertArrayEquals(new float[] {1, 2, 3, 4}, w.get("b.weight", WeightSource.Init.FAN_IN, 4));
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {100, 0, 0, 0, 0, 0, 0, 0, '{'});
        WeightException header = assertThrows(WeightException.class, () -> SafetensorsFile.open(bad));
        assertTrue(header.getMessage().contains(bad.toString()), header.getMessage());
    }

    @Test
    void visionEncoderLoadsFromQwen2VlNames() throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"vision_config": {"depth": 1, "embed_dim": 16, "hidden_size": 24, "num_heads": 2, "mlp_ratio": 2,
                 "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2}}
                """);
        VitConfig cfg = HfConfigs.vision(HfConfigs.read(dir), dir, 64);
        assertEquals(32, cfg.intermediate());
        assertEquals(24, cfg.outHidden());
        Recording rec = new Recording();
        new VisionEncoder(cfg, rec, KERNELS);
        SafetensorsWriter w = new SafetensorsWriter();
        rec.asked.forEach(t -> w.add((String) t[0], "F32", (int[]) t[1], (float[]) t[2]));
        w.write(dir.resolve("model.safetensors"));
        assertTrue(rec.asked.stream().anyMatch(t -> t[0].equals("visual.patch_embed.proj.weight")
                && java.util.Arrays.equals((int[]) t[1], new int[] {16, 3, 2, 14, 14})));
        float[] px = new float[56 * 28 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i % 11) / 11f;
        }
        var img = new org.cornserve.runtime.engine.vision.ImageInput(56, 28, px);
        float[] got = new VisionEncoder(cfg, new SafetensorsWeights(dir), KERNELS).encode(List.of(img)).get(0).data();
        float[] want = new VisionEncoder(cfg, new Rounded(rec, "F32"), KERNELS).encode(List.of(img)).get(0).data();
        assertEquals(2 * 24, got.length);
        assertArrayEquals(want, got);
    }
}
