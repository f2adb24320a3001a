package org.cornserve.runtime.engine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmConfig;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.llm.SeqChunk;
import org.cornserve.runtime.engine.vision.ImageInput;
import org.cornserve.runtime.engine.vision.VisionEncoder;
import org.cornserve.runtime.engine.vision.VitConfig;
import org.cornserve.runtime.engine.weights.SeededWeights;

/**
 * The engine's throughput figures: matrix-multiply GFLOP/s (scalar and vector kernels), tiny-LLM decode
 * tokens per second at several batch sizes, and tiny vision-encoder images per second. Each figure is
 * the best of several timed runs after a warm-up.
 */
public final class EngineBench {
    /** Matmul, LLM and encoder figures of one run. */
    public record Report(String vectorApi, int threads, List<MatmulBench.Result> matmul, List<LlmResult> llm,
            List<EncoderResult> encoder) {
    }

    /** Decode throughput of the tiny LLM at one batch size. */
    public record LlmResult(String model, String weights, int batch, int contextTokens, int decodeSteps, double bestSeconds,
            double tokensPerSecond, double stepMillis) {
    }

    /** Vision encoder throughput for one batch of images. */
    public record EncoderResult(String model, int batch, int imagePx, int tokensPerImage, double bestSeconds,
            double imagesPerSecond) {
    }

    /** What to measure. */
    public record Options(int threads, List<Integer> matmulSizes, List<Integer> llmBatches, int imageBatch,
            int repeats, boolean scalar) {
    }

    private EngineBench() {
    }

    /** Runs every figure, reporting progress lines to {@code log}. */
    public static Report run(Options o, Consumer<String> log) {
        List<MatmulBench.Result> mm = new ArrayList<>();
        List<Kernels.Choice> kinds = new ArrayList<>();
        if (o.scalar()) {
            kinds.add(Kernels.Choice.SCALAR);
        }
        if (Kernels.vectorApiAvailable()) {
            kinds.add(Kernels.Choice.VECTOR);
        }
        for (Kernels.Choice kind : kinds) {
            try (Kernels k = Kernels.create(kind, o.threads())) {
                for (int size : o.matmulSizes()) {
                    int repeats = size >= 2048 ? Math.max(1, o.repeats() / 2) : o.repeats();
                    MatmulBench.Result r = MatmulBench.run(k, size, repeats);
                    log.accept(String.format("matmul %-10s threads=%d n=%d  %.1f GFLOP/s (best %.3f s)", r.kernel(),
                            r.threads(), r.size(), r.gflops(), r.bestSeconds()));
                    mm.add(r);
                }
            }
        }
        List<LlmResult> llm = new ArrayList<>();
        List<EncoderResult> enc = new ArrayList<>();
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, o.threads())) {
            for (boolean bf16 : new boolean[] {false, true}) {
                LlmModel model = new LlmModel(TinyModels.LLM, new SeededWeights(1), "", k, Set.of(), bf16);
                for (int batch : o.llmBatches()) {
                    LlmResult r = llmDecode(model, batch, 128, 32, o.repeats());
                    log.accept(String.format("llm %s %s weights batch=%d context=%d  %.0f tokens/s (%.2f ms per step)",
                            r.model(), r.weights(), r.batch(), r.contextTokens(), r.tokensPerSecond(), r.stepMillis()));
                    llm.add(r);
                }
            }
            EncoderResult e = vision(k, TinyModels.VISION, o.imageBatch(), 448, o.repeats());
            log.accept(String.format("vision encoder batch=%d %dpx (%d tokens each)  %.1f images/s", e.batch(),
                    e.imagePx(), e.tokensPerImage(), e.imagesPerSecond()));
            enc.add(e);
        }
        return new Report(Kernels.vectorApiAvailable() ? "present" : "absent", o.threads(), mm, llm, enc);
    }

    /** Decode tokens per second: {@code batch} sequences with {@code context} cached tokens each, {@code steps} steps. */
    public static LlmResult llmDecode(LlmModel model, int batch, int context, int steps, int repeats) {
        LlmConfig c = model.config();
        SplittableRandom rnd = new SplittableRandom(batch);
        double best = Double.MAX_VALUE;
        int warmups = 2;
        for (int rep = 0; rep < repeats + warmups; rep++) {
            KvCache cache = new KvCache(c, batch * ((context + steps) / 16 + 2), 16);
            List<SeqChunk> prefill = new ArrayList<>();
            for (int s = 0; s < batch; s++) {
                int[] toks = new int[context];
                for (int i = 0; i < context; i++) {
                    toks[i] = rnd.nextInt(256);
                }
                prefill.add(new SeqChunk(s, 0, toks, null, false, false));
            }
            model.step(prefill, cache);
            long t0 = System.nanoTime();
            for (int step = 0; step < steps; step++) {
                List<SeqChunk> chunks = new ArrayList<>(batch);
                for (int s = 0; s < batch; s++) {
                    chunks.add(SeqChunk.decode(s, context + step, rnd.nextInt(256)));
                }
                model.step(chunks, cache);
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            if (rep >= warmups) {
                best = Math.min(best, sec);
            }
        }
        return new LlmResult(c.name(), model.bf16Weights() ? "bf16" : "f32", batch, context, steps, best, batch * steps / best, best / steps * 1e3);
    }

    /** Images per second of the vision encoder on a batch of {@code px x px} images. */
    public static EncoderResult vision(Kernels k, VitConfig config, int batch, int px, int repeats) {
        VisionEncoder enc = new VisionEncoder(config, new SeededWeights(2), k);
        SplittableRandom rnd = new SplittableRandom(4);
        List<ImageInput> imgs = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            float[] p = new float[px * px * 3];
            for (int j = 0; j < p.length; j++) {
                p[j] = (float) rnd.nextDouble(-2, 2);
            }
            imgs.add(new ImageInput(px, px, p));
        }
        double best = Double.MAX_VALUE;
        int warmups = 2;
        for (int rep = 0; rep < repeats + warmups; rep++) {
            long t0 = System.nanoTime();
            enc.encode(imgs);
            double sec = (System.nanoTime() - t0) / 1e9;
            if (rep >= warmups) {
                best = Math.min(best, sec);
            }
        }
        return new EncoderResult("tiny-vision", batch, px, config.tokens(px, px), best, batch / best);
    }
}
