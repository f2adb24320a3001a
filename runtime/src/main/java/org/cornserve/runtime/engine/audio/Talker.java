package org.cornserve.runtime.engine.audio;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cornserve.runtime.engine.generate.SamplingParams;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Linear;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmEngine;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.weights.WeightSource;

/**
 * Turns thinker hidden states into codec codes: the states are projected to the talker's width and
 * prefilled as input embeddings, then codes are sampled one per step. A batch of requests is decoded
 * together by continuous batching. Weights live under {@code talker.}.
 */
public final class Talker {
    /**
     * One request: thinker hidden states ({@code rows x thinkerHidden}), the codes wanted and sampling.
     */
    public record Request(float[] thinkerHidden, int codes, SamplingParams sampling) {
    }

    private final TalkerConfig config;
    private final Kernels kernels;
    private final LlmModel model;
    private final Linear proj;
    private final int kvBlocks;

    /** Loads the talker; its KV cache per batch holds {@code kvTokens} tokens. */
    public Talker(TalkerConfig config, WeightSource src, Kernels kernels, int kvTokens) {
        this.config = config;
        this.kernels = kernels;
        this.model = new LlmModel(config.llm(), src, "talker.", kernels, Set.of());
        this.proj = Linear.load(kernels.gemm(), src, "talker.thinker_to_talker_proj", config.llm().hidden(),
                config.thinkerHidden(), true);
        this.kvBlocks = (kvTokens + 15) / 16;
    }

    /** The talker's dimensions. */
    public TalkerConfig config() {
        return config;
    }

    /** The talker's decoder, for an engine that steps it itself (its weights live under {@code talker.}). */
    public LlmModel model() {
        return model;
    }

    /** Projects thinker hidden states ({@code rows x thinkerHidden}) to the talker's input embeddings. */
    public float[] project(float[] thinkerHidden) {
        if (thinkerHidden.length % config.thinkerHidden() != 0 || thinkerHidden.length == 0) {
            throw new IllegalArgumentException("talker input: hidden states of " + thinkerHidden.length
                    + " floats are not rows of " + config.thinkerHidden());
        }
        return proj.apply(kernels.gemm(), thinkerHidden, thinkerHidden.length / config.thinkerHidden());
    }

    /**
     * Projects {@code rows} thinker states of {@code x} from {@code xo} into {@code y} from {@code yo}: equal bit for
     * bit to the same rows of {@link #project(float[])} (a GEMM row does not depend on its batch), so a caller may
     * project its input a block of rows at a time.
     */
    public void project(float[] x, int xo, int rows, float[] y, int yo) {
        proj.apply(kernels.gemm(), x, xo, rows, y, yo);
    }

    /** Generates codes for each request, in order. */
    public List<int[]> generate(List<Request> requests) {
        LlmEngine engine = new LlmEngine(model, new KvCache(config.llm(), kvBlocks, 16), 512);
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            if (r.thinkerHidden().length % config.thinkerHidden() != 0 || r.thinkerHidden().length == 0) {
                throw new IllegalArgumentException("talker request " + i + ": hidden states of " + r.thinkerHidden().length
                        + " floats are not rows of " + config.thinkerHidden());
            }
            int rows = r.thinkerHidden().length / config.thinkerHidden();
            float[] emb = proj.apply(kernels.gemm(), r.thinkerHidden(), rows);
            int[] prompt = new int[rows];
            java.util.Arrays.fill(prompt, LlmModel.EMBEDDING_INPUT);
            engine.submit(new LlmEngine.Request(i, prompt, emb, r.codes(), r.sampling(), Set.of(), false));
        }
        Map<Long, int[]> byId = new HashMap<>();
        for (LlmEngine.Finished f : engine.runToCompletion()) {
            byId.put(f.id(), f.tokens());
        }
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            out.add(byId.get((long) i));
        }
        return out;
    }
}
