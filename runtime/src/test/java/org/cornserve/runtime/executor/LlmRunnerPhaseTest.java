package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A prefill/decode split on the executors' runners: a prefill-phase runner and a decode-phase runner, the KV cache
 * handed from one to the other through the shared-memory sidecar, give the tokens (and, for a thinker, the hidden
 * states) of the whole task run in one runner: the reference, same weights seed, greedy and sampled. The prefill
 * side frees its blocks and the segment is freed once the decode side consumed it.
 */
class LlmRunnerPhaseTest {
    private static final String WHOLE = "tiny-omni/llm";
    private static final String PREFILL = WHOLE + ":prefill";
    private static final String DECODE = WHOLE + ":decode";

    @TempDir
    Path dir;

    /** What a run gave: its tokens in order, the hidden states it handed on (joined), and how it ended. */
    private record Run(List<Integer> tokens, float[] hidden, String reason) {
    }

    /** A seeded text prompt of {@code length} tokens (1, then 32 to 121). */
    static int[] prompt(long seed, int length) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] p = new int[length];
        p[0] = 1;
        for (int i = 1; i < length; i++) {
            p[i] = 32 + rnd.nextInt(90);
        }
        return p;
    }

    /** A prefill invocation has its decode invocation as its consumer; a whole or decode one its talker, if any. */
    private static ExecutorCommand.Open open(long id, String task, int[] prompt, List<TensorRef> inputs, int maxTokens,
            double temperature, boolean keepHidden) {
        return new ExecutorCommand.Open(id, task, prompt, inputs, null, maxTokens, temperature, 11, keepHidden,
                keepHidden || task.equals(PREFILL) && maxTokens > 1 ? 1 : 0);
    }

    /**
     * Steps {@code id} on {@code r}: the prompt from {@code done} on (in chunks of {@code chunk}), then decodes until
     * it ends, recomputing every cached position at step {@code recomputeAt}.
     */
    private static Run drive(TaskRunner r, SharedMemorySidecar sidecar, long id, int promptLength, int done,
            int chunk, int recomputeAt, List<Integer> tokens) {
        List<float[]> outputs = new ArrayList<>();
        String reason = null;
        for (int step = 0; r.open() > 0; step++) {
            ExecutorCommand.StepItem item;
            if (done < promptLength) {
                int len = Math.min(chunk, promptLength - done);
                item = new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.PREFILL, done, len);
                done += len;
            } else if (step == recomputeAt) {
                // preempted and recomputed: every cached position again (the scheduler's target)
                item = new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.PREFILL, 0,
                        promptLength + tokens.size() - 1);
            } else {
                item = new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.DECODE, 0, 1);
            }
            StepOutcome out = new StepOutcome();
            r.step(new ExecutorCommand.RunStep(step, r.task(), List.of(item), 1), out, () -> false);
            ExecutorReport.StepDone report = out.report(step, 0);
            for (ExecutorReport.Emitted e : report.emitted()) {
                for (int t : e.tokens()) {
                    tokens.add(t);
                }
            }
            for (ExecutorReport.Output o : report.outputs()) {
                outputs.add(sidecar.readFloats(o.tensor()));
                sidecar.release(o.tensor());
            }
            for (ExecutorReport.Ended e : report.ended()) {
                reason = e.reason();
                assertEquals(tokens.size(), e.generated(), "generated tokens at the end");
            }
        }
        return new Run(tokens, outputs.isEmpty() ? null : Ops.concat(outputs), reason);
    }

    @ParameterizedTest(name = "seed {0}: prompt {1}, max {2}, hidden {3}, temperature {4}, prefill chunk {5},"
            + " recompute at step {6}")
    @CsvSource({"1, 12, 9, false, 0, 64, -1", "2, 30, 14, true, 0, 7, -1", "3, 5, 2, true, 0, 2, -1",
            "4, 21, 16, false, 0.8, 10, -1", "5, 17, 12, true, 0.7, 64, 4", "6, 40, 20, false, 0, 16, 6"})
    void prefillThenDecodeGivesTheWholeRunsTokensAndStates(long seed, int promptLength, int maxTokens,
            boolean keepHidden, double temperature, int chunk, int recomputeAt) throws Exception {
        int[] prompt = prompt(seed, promptLength);
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000,
                    System::currentTimeMillis)) {
                TaskRunner whole = TaskRunners.create(WHOLE, 1, k, sidecar, 4096, 4, true);
                whole.open(open(1, WHOLE, prompt, List.of(), maxTokens, temperature, keepHidden));
                Run want = drive(whole, sidecar, 1, promptLength, 0, 64, recomputeAt, new ArrayList<>());

                LlmRunner prefill = (LlmRunner) TaskRunners.create(PREFILL, 1, k, sidecar, 4096, 4, true);
                prefill.open(open(2, PREFILL, prompt, List.of(), maxTokens, temperature, keepHidden));
                List<Integer> tokens = new ArrayList<>();
                // the prefill side: its first token, one hand-off, its blocks freed
                List<TensorRef> handoff = new ArrayList<>();
                int done = 0;
                for (int step = 0; prefill.open() > 0; step++) {
                    int len = Math.min(chunk, promptLength - done);
                    StepOutcome out = new StepOutcome();
                    prefill.step(new ExecutorCommand.RunStep(step, PREFILL, List.of(new ExecutorCommand.StepItem(2,
                            ExecutorCommand.ItemKind.PREFILL, done, len)), 1), out, () -> false);
                    done += len;
                    ExecutorReport.StepDone report = out.report(step, 0);
                    report.emitted().forEach(e -> {
                        for (int t : e.tokens()) {
                            tokens.add(t);
                        }
                    });
                    report.outputs().forEach(o -> handoff.add(o.tensor()));
                    if (!report.ended().isEmpty()) {
                        assertEquals(1, report.ended().get(0).generated());
                    }
                }
                assertEquals(List.of(want.tokens().get(0)), tokens, "the prefill side's first token");
                assertEquals(1, handoff.size(), "one hand-off");
                assertEquals(0, prefill.kvBlocksUsed(), "the prefill side frees its blocks once handed on");

                LlmRunner decode = (LlmRunner) TaskRunners.create(DECODE, 1, k, sidecar, 4096, 4, true);
                decode.open(open(3, DECODE, prompt, handoff, maxTokens, temperature, keepHidden));
                assertEquals(keepHidden ? 1 : 0, sidecar.live(), "the hand-off's segment is freed once the decode side"
                        + " read it (a thinker's pending hidden states are the one left)");
                assertEquals(0, decode.kvBlocksUsed(), "its blocks are taken when the scheduler first runs it");
                Run got = drive(decode, sidecar, 3, promptLength, promptLength, 1, recomputeAt < 0 ? -1 : recomputeAt - 1, tokens);
                assertEquals(want.tokens(), got.tokens(), "tokens of the split against the whole run");
                assertEquals(want.reason(), got.reason());
                if (keepHidden) {
                    assertEquals((promptLength + maxTokens) * TinyModels.LLM.hidden(), got.hidden().length);
                    assertArrayEquals(want.hidden(), got.hidden(), 1e-5f, "hidden states handed to a talker");
                }
                assertEquals(0, decode.kvBlocksUsed());
                assertEquals(0, sidecar.live());
            }
            try (Stream<Path> left = Files.list(dir)) {
                assertEquals(List.of(), left.toList(), "no shared-memory file is left");
            }
        }
    }

    /** The thinker's runner in {@code phase}, ending a sequence on {@code stop}. */
    private static LlmRunner runner(String task, org.cornserve.model.task.LlmPhase phase, Kernels k,
            SharedMemorySidecar sidecar, java.util.Set<Integer> stop) {
        org.cornserve.runtime.engine.llm.LlmModel model = new org.cornserve.runtime.engine.llm.LlmModel(
                TinyModels.LLM, new org.cornserve.runtime.engine.weights.SeededWeights(1), "", k, java.util.Set.of());
        return new LlmRunner(task, model, new org.cornserve.runtime.engine.llm.KvCache(TinyModels.LLM, 64, 16),
                sidecar, stop, false, null, 0, phase);
    }

    @ParameterizedTest(name = "hidden states handed on: {0}")
    @CsvSource({"false", "true"})
    void aFirstTokenThatStopsEndsTheDecodeSideAtItsFirstStepAsTheWholeRunEnds(boolean keepHidden) {
        int[] prompt = prompt(13, 19);
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, 1);
                SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000,
                        System::currentTimeMillis)) {
            // the first token the prompt gives, found by a run without stops, is made the stop token
            TaskRunner probe = runner(WHOLE, org.cornserve.model.task.LlmPhase.WHOLE, k, sidecar, java.util.Set.of());
            probe.open(open(1, WHOLE, prompt, List.of(), 1, 0, false));
            int first = drive(probe, sidecar, 1, prompt.length, 0, 64, -1, new ArrayList<>()).tokens().get(0);
            java.util.Set<Integer> stop = java.util.Set.of(first);

            TaskRunner whole = runner(WHOLE, org.cornserve.model.task.LlmPhase.WHOLE, k, sidecar, stop);
            whole.open(open(2, WHOLE, prompt, List.of(), 8, 0, keepHidden));
            Run want = drive(whole, sidecar, 2, prompt.length, 0, 64, -1, new ArrayList<>());
            assertEquals(List.of(first), want.tokens());
            assertEquals("stop", want.reason());

            LlmRunner prefill = runner(PREFILL, org.cornserve.model.task.LlmPhase.PREFILL, k, sidecar, stop);
            prefill.open(open(3, PREFILL, prompt, List.of(), 8, 0, keepHidden));
            StepOutcome out = new StepOutcome();
            prefill.step(new ExecutorCommand.RunStep(0, PREFILL, List.of(new ExecutorCommand.StepItem(3,
                    ExecutorCommand.ItemKind.PREFILL, 0, prompt.length)), 1), out, () -> false);
            ExecutorReport.StepDone report = out.report(0, 0);
            assertEquals(first, report.emitted().get(0).tokens()[0]);
            assertEquals(1, report.outputs().size(), "the prefill hands on even a stopped sequence");
            LlmRunner decode = runner(DECODE, org.cornserve.model.task.LlmPhase.DECODE, k, sidecar, stop);
            decode.open(open(4, DECODE, prompt, List.of(report.outputs().get(0).tensor()), 8, 0, keepHidden));
            List<Integer> tokens = new ArrayList<>(List.of(first));
            Run got = drive(decode, sidecar, 4, prompt.length, prompt.length, 1, -1, tokens);
            assertEquals(want.tokens(), got.tokens(), "no token past the stop");
            assertEquals("stop", got.reason());
            if (keepHidden) {
                assertArrayEquals(want.hidden(), got.hidden(), 1e-5f, "every position's state, the stop's too");
            }
            assertEquals(0, decode.kvBlocksUsed());
            assertEquals(0, sidecar.live());
        }
    }

    @Test
    void aPrefillCappedAtOneTokenIsTheWholeAnswerAndABadHandOffIsRefused() {
        int[] prompt = prompt(9, 10);
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, 1);
                SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000,
                        System::currentTimeMillis)) {
            TaskRunner whole = TaskRunners.create(WHOLE, 1, k, sidecar, 4096, 4, true);
            whole.open(open(1, WHOLE, prompt, List.of(), 1, 0, false));
            Run want = drive(whole, sidecar, 1, prompt.length, 0, 64, -1, new ArrayList<>());
            TaskRunner prefill = TaskRunners.create(PREFILL, 1, k, sidecar, 4096, 4, true);
            prefill.open(open(2, PREFILL, prompt, List.of(), 1, 0, false));
            Run got = drive(prefill, sidecar, 2, prompt.length, 0, 64, -1, new ArrayList<>());
            assertEquals(want.tokens(), got.tokens());
            assertEquals(null, got.hidden(), "nothing handed on: no decode follows");

            TaskRunner decode = TaskRunners.create(DECODE, 1, k, sidecar, 4096, 4, true);
            TensorRef junk = sidecar.putFloats(new float[] {10, 3, 0, 1, 2}, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> decode.open(open(3, DECODE, prompt, List.of(junk), 8, 0, false)));
            assertTrue(e.getMessage().contains("not a prefill's KV cache"), e.getMessage());
            assertEquals(0, sidecar.live(), "a refused hand-off is released");
            IllegalArgumentException talker = assertThrows(IllegalArgumentException.class,
                    () -> TaskRunners.create("tiny-omni/talker:decode", 1, k, sidecar, 4096, 4, true));
            assertTrue(talker.getMessage().contains("only the llm component"), talker.getMessage());
        }
    }
}
