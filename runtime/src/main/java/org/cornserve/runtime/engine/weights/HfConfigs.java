package org.cornserve.runtime.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.runtime.engine.llm.LlmConfig;
import org.cornserve.runtime.engine.vision.VitConfig;

/** Builds engine configs from a Hugging Face {@code config.json} (Llama, Qwen2, Qwen2-VL vision). */
public final class HfConfigs {
    private HfConfigs() {
    }

    /** Reads {@code dir/config.json}. */
    public static JsonNode read(Path dir) {
        Path file = Files.isDirectory(dir) ? dir.resolve("config.json") : dir;
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new WeightException("cannot read model config " + file + ": " + e.getMessage(), e);
        }
    }

    private static int need(JsonNode n, String field, Path where) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new WeightException(where + ": config field '" + field + "' is missing or not an integer");
        }
        return v.asInt();
    }

    /** The decoder LLM of a Llama / Qwen2 config (the text part of a multimodal config when nested). */
    public static LlmConfig llm(JsonNode root, Path where) {
        JsonNode c = root.has("text_config") ? root.get("text_config") : root;
        int hidden = need(c, "hidden_size", where);
        int heads = need(c, "num_attention_heads", where);
        String type = c.path("model_type").asText(root.path("model_type").asText(""));
        boolean bias = c.has("attention_bias") ? c.get("attention_bias").asBoolean() : type.startsWith("qwen2");
        return new LlmConfig(type.isEmpty() ? "llm" : type, hidden, need(c, "num_hidden_layers", where), heads,
                c.path("num_key_value_heads").asInt(heads), c.path("head_dim").asInt(hidden / heads),
                need(c, "intermediate_size", where), need(c, "vocab_size", where),
                c.path("max_position_embeddings").asInt(4096), c.path("rope_theta").asDouble(10000),
                (float) c.path("rms_norm_eps").asDouble(1e-6), bias,
                c.path("tie_word_embeddings").asBoolean(root.path("tie_word_embeddings").asBoolean(false)));
    }

    /** The vision encoder of a Qwen2-VL style config ({@code vision_config}); maxTokens caps tokens per image. */
    public static VitConfig vision(JsonNode root, Path where, int maxTokens) {
        JsonNode v = root.get("vision_config");
        if (v == null) {
            throw new WeightException(where + ": no 'vision_config' in the model config");
        }
        int embed = v.has("embed_dim") ? v.get("embed_dim").asInt() : need(v, "hidden_size", where);
        int heads = need(v, "num_heads", where);
        int inter = v.has("intermediate_size") ? v.get("intermediate_size").asInt()
                : (int) Math.round(embed * v.path("mlp_ratio").asDouble(4));
        int out = v.has("embed_dim") ? v.path("hidden_size").asInt(embed) : v.path("out_hidden_size").asInt(embed);
        return new VitConfig(v.path("patch_size").asInt(14), v.path("spatial_merge_size").asInt(2),
                v.path("temporal_patch_size").asInt(1), embed, need(v, "depth", where), heads, inter, out, maxTokens);
    }
}
