package org.cornserve.runtime.serve.local;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Settings of the in-process engine invoker, as data.
 *
 * @param models the models served, each a tiny model's structure with its own LLM weight seed
 * @param computeThreads threads of the one compute pool every component shares
 * @param maxInFlight requests admitted at once (computing or queued inside); one more is refused with 429 at once
 * @param maxRunningSequences sequences in one LLM's continuous batch at once; the rest wait in its queue
 * @param kvCacheTokens token slots of each LLM's paged KV cache (blocks of 16)
 * @param maxBatchTokens tokens per LLM step (decode tokens plus prefill chunks)
 * @param maxEncoderBatch images or audio clips one encoder call takes at most
 * @param imageSizePx side of a generated image (a multiple of 16)
 * @param ignoreEos generate until max_tokens even past end-of-sequence (as vLLM's benchmarks do): for load tests
 *     whose requests must run a known length; off for serving
 */
public record LocalEngineSettings(List<LocalModel> models, int computeThreads, int maxInFlight,
        int maxRunningSequences, int kvCacheTokens, int maxBatchTokens, int maxEncoderBatch, int imageSizePx,
        boolean ignoreEos) {

    public LocalEngineSettings {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("the local engine needs at least one model");
        }
        Set<String> ids = new HashSet<>();
        for (LocalModel m : models) {
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("model id '" + m.id() + "' appears twice");
            }
        }
        if (computeThreads < 1 || maxInFlight < 1 || maxRunningSequences < 1 || kvCacheTokens < 16
                || maxBatchTokens < 1 || maxEncoderBatch < 1 || imageSizePx < 16 || imageSizePx % 16 != 0) {
            throw new IllegalArgumentException("bad local engine settings: threads " + computeThreads
                    + ", max in flight " + maxInFlight + ", max running sequences " + maxRunningSequences
                    + ", KV tokens " + kvCacheTokens + " (>= 16), batch tokens " + maxBatchTokens
                    + ", encoder batch " + maxEncoderBatch + ", image " + imageSizePx + " px (a multiple of 16)");
        }
    }

    /**
     * The default: tiny-vl, two more tiny-vl LLMs whose weights are seeded 1 and 2 (the arena's three contestants;
     * they and tiny-omni share one vision encoder), tiny-omni and tiny-image, on {@code computeThreads} threads.
     */
    public static LocalEngineSettings defaults(int computeThreads) {
        return new LocalEngineSettings(List.of(
                new LocalModel("tiny-vl", Kind.VL, 0),
                new LocalModel("tiny-vl-seed1", Kind.VL, 1),
                new LocalModel("tiny-vl-seed2", Kind.VL, 2),
                new LocalModel("tiny-omni", Kind.OMNI, 0),
                new LocalModel("tiny-image", Kind.IMAGE, 0)),
                computeThreads, 64, 16, 8192, 512, 8, 128, false);
    }

    /** The same settings with another admission bound. */
    public LocalEngineSettings withMaxInFlight(int bound) {
        return new LocalEngineSettings(models, computeThreads, bound, maxRunningSequences, kvCacheTokens,
                maxBatchTokens, maxEncoderBatch, imageSizePx, ignoreEos);
    }

    /** The same settings with another per-LLM batch size. */
    public LocalEngineSettings withMaxRunningSequences(int sequences) {
        return new LocalEngineSettings(models, computeThreads, maxInFlight, sequences, kvCacheTokens, maxBatchTokens,
                maxEncoderBatch, imageSizePx, ignoreEos);
    }

    /** The same settings, generating to max_tokens past end-of-sequence or not. */
    public LocalEngineSettings withIgnoreEos(boolean ignore) {
        return new LocalEngineSettings(models, computeThreads, maxInFlight, maxRunningSequences, kvCacheTokens,
                maxBatchTokens, maxEncoderBatch, imageSizePx, ignore);
    }

    /** The structure a served model has. */
    public enum Kind {
        /** Vision encoder + LLM, text out (tiny-vl). */
        VL,
        /** Vision and audio encoders + thinker, text out, speech through talker + vocoder (tiny-omni). */
        OMNI,
        /** Text encoder + diffusion transformer + VAE, a PNG out (tiny-image). */
        IMAGE;

        /** Parses "vl", "omni" or "image"; an unknown name lists the known ones. */
        public static Kind byName(String name) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(name.trim())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown model kind '" + name + "'; known: "
                    + Arrays.stream(values()).map(k -> k.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", ")));
        }
    }

    /**
     * One served model.
     *
     * @param id the id clients name
     * @param kind its structure
     * @param llmWeightSeed seed of its LLM's (or thinker's) weights; encoders, talker, vocoder and generator use
     *     seed 0, so every model with an image input shares one vision encoder
     */
    public record LocalModel(String id, Kind kind, long llmWeightSeed) {
        public LocalModel {
            if (id == null || id.isBlank() || kind == null) {
                throw new IllegalArgumentException("a local model needs an id and a kind");
            }
        }
    }
}
