package org.cornserve.runtime.engine;

import java.util.List;
import java.util.Locale;
import org.cornserve.runtime.engine.audio.AudioEncoderConfig;
import org.cornserve.runtime.engine.audio.TalkerConfig;
import org.cornserve.runtime.engine.audio.VocoderConfig;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.image.DitConfig;
import org.cornserve.runtime.engine.image.VaeConfig;
import org.cornserve.runtime.engine.llm.LlmConfig;
import org.cornserve.runtime.engine.vision.VitConfig;

/**
 * The tiny models that run on a CPU: the same structure as the real ones (Qwen2.5-Omni, Qwen2-VL,
 * Qwen-Image) with small dimensions. Until the catalog carries these numbers, they are defined here.
 */
public final class TinyModels {
    private TinyModels() {
    }

    /** Positions every tiny stack supports. */
    public static final int MAX_POSITIONS = 4096;

    /** tiny-vl's vision encoder, shared by tiny-omni: 448x448 px gives 256 tokens. */
    public static final VitConfig VISION = new VitConfig(14, 2, 1, 128, 4, 4, 512, 256, 1024);

    /** tiny-vl's LLM and tiny-omni's thinker. */
    public static final LlmConfig LLM = new LlmConfig("tiny-llm", 256, 4, 8, 2, 32, 768, ByteTokenizer.VOCAB,
            MAX_POSITIONS, 10000, 1e-6f, false, false);

    /** tiny-omni's audio encoder: 16 kHz, 32 mel bins, 100 frames/s, 25 tokens/s. */
    public static final AudioEncoderConfig AUDIO = new AudioEncoderConfig(16000, 32, 160, 400, 512, 128, 2, 4, 512,
            256, 300);

    /** tiny-omni's talker: codec vocabulary 256, reads the thinker's 256-wide states. */
    public static final TalkerConfig TALKER = new TalkerConfig(new LlmConfig("tiny-talker", 128, 2, 4, 2, 32, 384, 256,
            MAX_POSITIONS, 10000, 1e-6f, false, false), 256, 25);

    /** tiny-omni's vocoder: 960 samples per code at 24 kHz. */
    public static final VocoderConfig VOCODER = new VocoderConfig(256, 64, List.of(8, 5, 4, 3, 2),
            List.of(64, 32, 32, 16, 8), 24000);

    /** tiny-image's text encoder (prefill only; the output is the last hidden states). */
    public static final LlmConfig TEXT_ENCODER = new LlmConfig("tiny-text-encoder", 256, 2, 8, 2, 32, 768,
            ByteTokenizer.VOCAB, MAX_POSITIONS, 10000, 1e-6f, false, false);

    /** tiny-image's diffusion transformer: 8 steps by default. */
    public static final DitConfig DIT = new DitConfig(192, 4, 6, 768, 2, 16, 256, 8);

    /** tiny-image's VAE decoder: 8x upsampling, 64 -> 32 -> 16 channels, then RGB. */
    public static final VaeConfig VAE = new VaeConfig(16, List.of(64, 32, 16, 16));

    /** The tiny models and the components their graphs use. */
    public enum Model {
        /** Vision + audio in, text and speech out (Qwen2.5-Omni shape). */
        TINY_OMNI("tiny-omni"),
        /** Vision in, text out (Qwen2-VL shape). */
        TINY_VL("tiny-vl"),
        /** Text in, image out (Qwen-Image shape). */
        TINY_IMAGE("tiny-image");

        private final String id;

        Model(String id) {
            this.id = id;
        }

        /** The name users type. */
        public String id() {
            return id;
        }

        /** Parses "tiny-omni", "tiny-vl" or "tiny-image". */
        public static Model parse(String s) {
            for (Model m : values()) {
                if (m.id.equals(s.toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown engine model '" + s + "' (tiny-omni, tiny-vl, tiny-image)");
        }
    }
}
