package org.cornserve.runtime.executor;

import java.util.Set;
import org.cornserve.model.task.LlmPhase;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.audio.AudioEncoder;
import org.cornserve.runtime.engine.audio.Talker;
import org.cornserve.runtime.engine.audio.Vocoder;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.image.DiffusionTransformer;
import org.cornserve.runtime.engine.image.VaeDecoder;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmConfig;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.vision.VisionEncoder;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;

/**
 * Builds the runner of a tiny model's unit task from its key ({@code tiny-omni/llm}, {@code tiny-image/vae-decoder},
 * ...), with weights generated from a seed (the same names and seed as {@code EngineRunner}, so a served answer
 * equals an in-process run's).
 */
public final class TaskRunners {
    /** Tokens per KV-cache block. */
    public static final int KV_BLOCK_TOKENS = 16;

    private TaskRunners() {
    }

    /**
     * @param kvTokens KV-cache capacity of an autoregressive task in tokens (the scheduler's figure); the cache gets
     *     one extra block per sequence for the part-filled last block
     * @param maxSeqs sequences an autoregressive task runs at most
     * @param ignoreEos a text LLM generates until max_tokens even past end-of-sequence
     */
    static TaskRunner create(String taskKey, long weightSeed, Kernels kernels, SharedMemorySidecar sidecar,
            long kvTokens, int maxSeqs, boolean ignoreEos) {
        int slash = taskKey.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("task key '" + taskKey + "' is not <model>/<component>");
        }
        TinyModels.Model model = TinyModels.Model.parse(taskKey.substring(0, slash));
        String component = taskKey.substring(slash + 1);
        // one phase of a prefill/decode split (tiny-omni/llm:prefill, tiny-omni/llm:decode): the LLM's runner in that
        // phase, with the whole task's weights
        LlmPhase phase = LlmPhase.WHOLE;
        String whole = LlmPhase.wholeTaskId(component);
        if (!whole.equals(component)) {
            phase = component.endsWith(LlmPhase.PREFILL.suffix()) ? LlmPhase.PREFILL : LlmPhase.DECODE;
            if (!whole.equals("llm")) {
                throw new IllegalArgumentException("task '" + taskKey + "': only the llm component runs split into"
                        + " prefill and decode, not '" + whole + "'");
            }
            component = whole;
        }
        SeededWeights w = new SeededWeights(weightSeed);
        Set<Integer> eos = ignoreEos ? Set.of() : Set.of(ByteTokenizer.EOS);
        return switch (component) {
            case "vision-encoder" -> requireIn(model, Set.of(TinyModels.Model.TINY_OMNI, TinyModels.Model.TINY_VL),
                    taskKey, new SingleRunners.Vision(taskKey, sidecar, new VisionEncoder(TinyModels.VISION, w, kernels)));
            case "audio-encoder" -> requireIn(model, Set.of(TinyModels.Model.TINY_OMNI), taskKey,
                    new SingleRunners.Audio(taskKey, sidecar, new AudioEncoder(TinyModels.AUDIO, w, kernels)));
            case "llm" -> requireIn(model, Set.of(TinyModels.Model.TINY_OMNI, TinyModels.Model.TINY_VL), taskKey,
                    new LlmRunner(taskKey, new LlmModel(TinyModels.LLM, w, "", kernels,
                            Set.of(ByteTokenizer.IMAGE, ByteTokenizer.AUDIO)), cache(TinyModels.LLM, kvTokens, maxSeqs),
                            sidecar, eos, false, null, 0, phase));
            case "talker" -> {
                Talker talker = new Talker(TinyModels.TALKER, w, kernels, KV_BLOCK_TOKENS);
                yield requireIn(model, Set.of(TinyModels.Model.TINY_OMNI), taskKey, new LlmRunner(taskKey,
                        talker.model(), cache(TinyModels.TALKER.llm(), kvTokens, maxSeqs), sidecar, Set.of(), false,
                        talker::project, TinyModels.TALKER.thinkerHidden()));
            }
            case "vocoder" -> requireIn(model, Set.of(TinyModels.Model.TINY_OMNI), taskKey,
                    new SingleRunners.Voc(taskKey, sidecar, new Vocoder(TinyModels.VOCODER, w, kernels)));
            case "text-encoder" -> requireIn(model, Set.of(TinyModels.Model.TINY_IMAGE), taskKey,
                    new LlmRunner(taskKey, new LlmModel(TinyModels.TEXT_ENCODER, w, "text_encoder.", kernels, Set.of()),
                            cache(TinyModels.TEXT_ENCODER, kvTokens, maxSeqs), sidecar, Set.of(), true, null, 0));
            case "diffusion-transformer" -> requireIn(model, Set.of(TinyModels.Model.TINY_IMAGE), taskKey,
                    new SingleRunners.Diffusion(taskKey, sidecar, new DiffusionTransformer(TinyModels.DIT, w, kernels),
                            TinyModels.TEXT_ENCODER.hidden()));
            case "vae-decoder" -> requireIn(model, Set.of(TinyModels.Model.TINY_IMAGE), taskKey,
                    new SingleRunners.Vae(taskKey, sidecar, new VaeDecoder(TinyModels.VAE, w, kernels)));
            default -> throw new IllegalArgumentException("task '" + taskKey + "': unknown component '" + component
                    + "' (vision-encoder, audio-encoder, llm, llm:prefill, llm:decode, talker, vocoder, text-encoder,"
                    + " diffusion-transformer, vae-decoder)");
        };
    }

    private static TaskRunner requireIn(TinyModels.Model model, Set<TinyModels.Model> models, String key,
            TaskRunner runner) {
        if (!models.contains(model)) {
            throw new IllegalArgumentException("task '" + key + "': " + model.id() + " has no such component");
        }
        return runner;
    }

    private static KvCache cache(LlmConfig config, long kvTokens, int maxSeqs) {
        long blocks = (kvTokens + KV_BLOCK_TOKENS - 1) / KV_BLOCK_TOKENS + maxSeqs;
        return new KvCache(config, Math.toIntExact(blocks), KV_BLOCK_TOKENS);
    }
}
