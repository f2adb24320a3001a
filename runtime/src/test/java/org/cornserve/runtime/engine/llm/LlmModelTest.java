package org.cornserve.runtime.engine.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.runtime.engine.generate.SamplingParams;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LlmModelTest {
    static final LlmConfig SMALL = new LlmConfig("test-llm", 64, 2, 4, 2, 16, 96, 300, 512, 10000, 1e-6f, false,
            false);
    static final Kernels KERNELS = Kernels.create(Kernels.Choice.AUTO, 2);
    static final Kernels SCALAR = Kernels.create(Kernels.Choice.SCALAR, 2);

    @AfterAll
    static void close() {
        KERNELS.close();
        SCALAR.close();
    }

    static LlmModel model(long seed) {
        return model(seed, KERNELS);
    }

    static LlmModel model(long seed, Kernels kernels) {
        return new LlmModel(SMALL, new SeededWeights(seed), "", kernels, Set.of(259));
    }

    static int[] randomTokens(SplittableRandom rnd, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(256);
        }
        return t;
    }

    @Test
    void cachedAttentionMatchesRecomputationFromScratch() {
        LlmModel m = model(5);
        ReferenceLlm ref = new ReferenceLlm(SMALL, new SeededWeights(5));
        KvCache cache = new KvCache(SMALL, 8, 4);
        SplittableRandom rnd = new SplittableRandom(11);
        int[] prompt = randomTokens(rnd, 13);
        List<Integer> seq = new ArrayList<>();
        for (int t : prompt) {
            seq.add(t);
        }
        // prefill in two chunks of 9 and 4 tokens, then decode 6 tokens one by one
        m.step(List.of(new SeqChunk(1, 0, java.util.Arrays.copyOf(prompt, 9), null, false, false)), cache);
        float[] logits = m.step(List.of(new SeqChunk(1, 9, java.util.Arrays.copyOfRange(prompt, 9, 13), null, true,
                false)), cache).get(0).logits();
        for (int step = 0; step < 7; step++) {
            double[] want = ref.lastLogits(seq.stream().mapToInt(Integer::intValue).toArray());
            for (int v = 0; v < want.length; v++) {
                assertEquals(want[v], logits[v], 2e-4 + 1e-3 * Math.abs(want[v]), "step " + step + " logit " + v);
            }
            int next = rnd.nextInt(256);
            seq.add(next);
            logits = m.step(List.of(SeqChunk.decode(1, seq.size() - 1, next)), cache).get(0).logits();
        }
    }

    static LlmEngine.Request greedy(long id, int[] prompt, int max) {
        return new LlmEngine.Request(id, prompt, null, max, SamplingParams.greedy(), Set.of(), true);
    }

    /** Even ids decode greedily, odd ids sample with their own seed: neither may depend on the batch. */
    static LlmEngine.Request mixed(long id, int[] prompt, int max) {
        SamplingParams p = id % 2 == 0 ? SamplingParams.greedy() : new SamplingParams(0.8, 0.9, 1000 + id);
        return new LlmEngine.Request(id, prompt, null, max, p, Set.of(), true);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void batchingDoesNotChangeTokens(boolean scalarKernels) {
        LlmModel m = model(9, scalarKernels ? SCALAR : KERNELS);
        SplittableRandom rnd = new SplittableRandom(3);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            prompts.add(randomTokens(rnd, 3 + rnd.nextInt(40)));
        }
        Map<Long, LlmEngine.Finished> alone = new HashMap<>();
        for (int i = 0; i < 16; i++) {
            LlmEngine e = new LlmEngine(m, new KvCache(SMALL, 64, 16), 1000);
            e.submit(mixed(i, prompts.get(i), 12));
            alone.put((long) i, e.runToCompletion().get(0));
        }
        // together, with chunked prefill (budget 37 tokens per step) mixing prefill and decode rows
        LlmEngine e = new LlmEngine(m, new KvCache(SMALL, 64, 16), 37);
        for (int i = 0; i < 16; i++) {
            e.submit(mixed(i, prompts.get(i), 12));
        }
        int emitted = 0;
        List<LlmEngine.Finished> together = new ArrayList<>();
        while (!e.idle()) {
            LlmEngine.StepReport r = e.step();
            emitted += r.emitted().size();
            together.addAll(r.finished());
        }
        assertEquals(16 * 12, emitted, "every generated token is reported once as emitted");
        assertEquals(16, together.size());
        for (LlmEngine.Finished f : together) {
            assertArrayEquals(alone.get(f.id()).tokens(), f.tokens(), "sequence " + f.id());
            assertArrayEquals(alone.get(f.id()).hidden(), f.hidden(), "hidden states of " + f.id());
        }
    }

    @Test
    void preemptionUnderCachePressureGivesTheSameTokens() {
        LlmModel m = model(21);
        SplittableRandom rnd = new SplittableRandom(8);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            prompts.add(randomTokens(rnd, 10 + rnd.nextInt(10)));
        }
        LlmEngine roomy = new LlmEngine(m, new KvCache(SMALL, 64, 4), 64);
        LlmEngine tight = new LlmEngine(m, new KvCache(SMALL, 14, 4), 64);
        for (int i = 0; i < 6; i++) {
            roomy.submit(greedy(i, prompts.get(i), 20));
            tight.submit(greedy(i, prompts.get(i), 20));
        }
        Map<Long, int[]> want = new HashMap<>();
        roomy.runToCompletion().forEach(f -> want.put(f.id(), f.tokens()));
        int preemptions = 0;
        for (LlmEngine.Finished f : tight.runToCompletion()) {
            assertArrayEquals(want.get(f.id()), f.tokens(), "sequence " + f.id());
            preemptions += f.preemptions();
        }
        assertTrue(preemptions > 0, "the tight cache forced preemptions");
    }

    @Test
    void bf16WeightsHalveMemoryAndStayCloseToFloat32() {
        LlmModel f32 = model(5);
        LlmModel bf16 = new LlmModel(SMALL, new SeededWeights(5), "", KERNELS, Set.of(259), true);
        assertTrue(bf16.weightBytes() < 0.7 * f32.weightBytes(), bf16.weightBytes() + " vs " + f32.weightBytes());
        int[] toks = randomTokens(new SplittableRandom(2), 20);
        float[] a = f32.step(List.of(new SeqChunk(1, 0, toks, null, true, false)), new KvCache(SMALL, 8, 4)).get(0)
                .logits();
        float[] b = bf16.step(List.of(new SeqChunk(1, 0, toks, null, true, false)), new KvCache(SMALL, 8, 4)).get(0)
                .logits();
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(a[i]));
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        assertTrue(maxDiff > 0 && maxDiff < 0.05 * maxAbs, "bf16 rounding moves logits a little: " + maxDiff
                + " of " + maxAbs);
    }

    @Test
    void refusesRequestsThatCannotFit() {
        LlmEngine e = new LlmEngine(model(1), new KvCache(SMALL, 4, 16), 64);
        RequestRefusedException kv = assertThrows(RequestRefusedException.class,
                () -> e.submit(greedy(1, new int[60], 10)));
        assertTrue(kv.getMessage().contains("70 tokens needs 5 KV blocks of 16, the cache has 4"), kv.getMessage());
        RequestRefusedException pos = assertThrows(RequestRefusedException.class,
                () -> e.submit(greedy(2, new int[10], 600)));
        assertTrue(pos.getMessage().contains("exceeds max positions 512"), pos.getMessage());
        KvCache small = new KvCache(SMALL, 1, 4);
        assertThrows(KvCacheFullException.class,
                () -> model(1).step(List.of(new SeqChunk(1, 0, new int[5], null, true, false)), small));
        assertEquals(1, small.freeBlocks(), "nothing allocated by a refused step");
    }

    @Test
    void splicesEmbeddingsAtPlaceholders() {
        LlmModel m = model(4);
        float[] rows = new float[2 * SMALL.hidden()];
        new SplittableRandom(1).doubles(rows.length).forEach(new java.util.function.DoubleConsumer() {
            int i;

            @Override
            public void accept(double v) {
                rows[i++] = (float) v;
            }
        });
        int[] prompt = {10, 259, 259, 11};
        float[] a = m.step(List.of(new SeqChunk(1, 0, prompt, rows, true, false)), new KvCache(SMALL, 4, 4))
                .get(0).logits();
        int[] direct = {10, LlmModel.EMBEDDING_INPUT, LlmModel.EMBEDDING_INPUT, 11};
        float[] b = m.step(List.of(new SeqChunk(1, 0, direct, rows, true, false)), new KvCache(SMALL, 4, 4))
                .get(0).logits();
        assertArrayEquals(a, b);
        float[] other = rows.clone();
        other[0] += 1;
        float[] c = m.step(List.of(new SeqChunk(1, 0, prompt, other, true, false)), new KvCache(SMALL, 4, 4))
                .get(0).logits();
        assertTrue(!java.util.Arrays.equals(a, c), "the spliced rows reach the output");
        assertThrows(IllegalArgumentException.class,
                () -> m.step(List.of(new SeqChunk(1, 0, prompt, null, true, false)), new KvCache(SMALL, 4, 4)));
    }
}
