package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.llm.ChunkOutput;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.llm.SeqChunk;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.cornserve.runtime.sidecar.SegmentFiles;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A thinker writes its hidden states where its talker reads them: each chunk and the rest at its end are stored by the
 * model straight into a pending segment and published from there. What the consumer reads equals, bit for bit, the
 * heap path: the same model driven through the same chunks with its hidden states returned in arrays. Covers
 * streamed chunks of several sizes (none too), prefills in random pieces, and a recompute after preemption that
 * reaches rows handed on already; a sequence closed before its end frees its pending segment.
 */
class LlmRunnerHiddenExportTest {
    private static final String THINKER = "tiny-omni/llm";
    private static final long WEIGHT_SEED = 5;
    private static final int H = TinyModels.LLM.hidden();

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);
    private Kernels kernels;
    private SharedMemorySidecar thinker;
    private SharedMemorySidecar talker;

    @BeforeEach
    void start() {
        kernels = Kernels.create(Kernels.Choice.AUTO, 1);
        thinker = new SharedMemorySidecar(dir, "he", "th", 60_000, clock::get);
        talker = new SharedMemorySidecar(dir, "he", "tk", 60_000, clock::get);
    }

    @AfterEach
    void stop() throws IOException {
        kernels.close();
        SegmentFiles.closeAndAssertNoneLeft(dir, thinker, talker);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void hiddenStatesWrittenInPlaceEqualTheHeapPath(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] prompt = new int[3 + rnd.nextInt(30)];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 32 + rnd.nextInt(90);
        }
        int maxTokens = 3 + rnd.nextInt(10);
        int chunkTokens = rnd.nextInt(4);
        boolean recompute = rnd.nextBoolean();
        TaskRunner runner = TaskRunners.create(THINKER, WEIGHT_SEED, kernels, thinker, 4096, 4, true);
        runner.open(new ExecutorCommand.Open(1, THINKER, prompt, List.of(), null, maxTokens, 0, 7, true, 1, null,
                null, 0, chunkTokens));
        List<ExecutorCommand.StepItem> plan = new ArrayList<>();
        for (int at = 0; at < prompt.length; ) {
            int len = Math.min(prompt.length - at, 1 + rnd.nextInt(12));
            plan.add(new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.PREFILL, at, len));
            at += len;
        }
        List<Integer> tokens = new ArrayList<>();
        List<ExecutorCommand.StepItem> ran = new ArrayList<>();
        List<float[]> handedOn = new ArrayList<>();
        for (int step = 0; runner.open() > 0; step++) {
            ExecutorCommand.StepItem item;
            if (step < plan.size()) {
                item = plan.get(step);
            } else if (recompute && step == plan.size() + 2) {
                item = new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.PREFILL, 0,
                        prompt.length + tokens.size());
            } else {
                item = new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.DECODE, 0, 1);
            }
            ran.add(item);
            StepOutcome out = new StepOutcome();
            runner.step(new ExecutorCommand.RunStep(step, THINKER, List.of(item), 1), out, () -> false);
            ExecutorReport.StepDone done = out.report(step, 0);
            done.emitted().forEach(e -> Arrays.stream(e.tokens()).forEach(tokens::add));
            for (ExecutorReport.Output o : done.outputs()) {
                handedOn.add(talker.readFloats(o.tensor()));
                assertEquals(0, talker.release(o.tensor()));
            }
        }
        assertEquals(maxTokens, tokens.size());
        assertEquals(0, thinker.live(), "every chunk released, nothing pending");
        float[] got = Ops.concat(handedOn);
        assertEquals((prompt.length + maxTokens) * H, got.length, "every position of the prompt and the answer");
        assertArrayEquals(heapPath(prompt, tokens, ran), got, "bit for bit");
    }

    /** The same model through the same chunks, the hidden states of each position returned in arrays. */
    private float[] heapPath(int[] prompt, List<Integer> generated, List<ExecutorCommand.StepItem> ran) {
        LlmModel model = new LlmModel(TinyModels.LLM, new SeededWeights(WEIGHT_SEED), "", kernels,
                Set.of(ByteTokenizer.IMAGE, ByteTokenizer.AUDIO));
        KvCache cache = new KvCache(TinyModels.LLM, 4096 / 16 + 4, 16);
        int total = prompt.length + generated.size();
        int[] all = new int[total];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        for (int i = 0; i < generated.size(); i++) {
            all[prompt.length + i] = generated.get(i);
        }
        float[] rows = new float[total * H];
        int computed = 0;
        List<int[]> chunks = new ArrayList<>();
        for (ExecutorCommand.StepItem item : ran) {
            int start = item.kind() == ExecutorCommand.ItemKind.PREFILL ? (int) item.start() : computed;
            int len = item.kind() == ExecutorCommand.ItemKind.PREFILL ? (int) item.tokens() : 1;
            chunks.add(new int[] {start, len});
            computed = start + len;
        }
        chunks.add(new int[] {computed, 1}); // the last sampled token, fed once more at the end
        for (int[] c : chunks) {
            if (c[0] == 0) {
                cache.free(1);
            }
            ChunkOutput o = model.step(List.of(new SeqChunk(1, c[0], Arrays.copyOfRange(all, c[0], c[0] + c[1]), null,
                    true, true)), cache).get(0);
            System.arraycopy(o.hidden(), 0, rows, c[0] * H, c[1] * H);
        }
        return rows;
    }

    @Test
    void aSequenceClosedBeforeItsEndFreesItsPendingSegment() {
        TaskRunner runner = TaskRunners.create(THINKER, WEIGHT_SEED, kernels, thinker, 4096, 4, true);
        runner.open(new ExecutorCommand.Open(1, THINKER, new int[] {72, 105, 33}, List.of(), null, 5, 0, 7, true, 1,
                null, null, 0, 0));
        runner.step(new ExecutorCommand.RunStep(0, THINKER, List.of(new ExecutorCommand.StepItem(1,
                ExecutorCommand.ItemKind.PREFILL, 0, 3)), 1), new StepOutcome(), () -> false);
        assertEquals(1, thinker.live(), "the rows computed so far lie in the pending segment");
        runner.close(1);
        assertEquals(0, thinker.live(), "closing the failed or cancelled sequence freed it");
        assertTrue(thinker.segments() >= 1);
    }
}
