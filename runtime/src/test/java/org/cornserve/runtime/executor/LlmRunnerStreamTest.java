package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streamed hand-off on the executors: a thinker streaming its hidden states hands on exactly the states it hands
 * on whole (the reference: the same thinker without streaming), its first chunk in the step where it has generated
 * the chunk's tokens; a talker opened with the first chunk takes the rest as they come, computes only positions whose
 * states are final, and ends at the codes its last rows ask for, never before they came (unless at its cap).
 */
class LlmRunnerStreamTest {
    private static final String THINKER = "tiny-omni/llm";
    private static final String TALKER = "tiny-omni/talker";
    private static final int[] PROMPT = {1, 72, 101, 108, 108, 111, 32, 116, 104, 101, 114, 101};

    @TempDir
    Path dir;

    /** What one thinker run handed on: its tokens, its outputs in order, the step of each, and the last's. */
    private record Run(List<Integer> tokens, List<float[]> outputs, List<Boolean> partial, List<Integer> stepOf,
            List<Integer> generatedAt) {
    }

    private Run runThinker(TaskRunner llm, SharedMemorySidecar sidecar, int chunk, int maxTokens) {
        llm.open(new ExecutorCommand.Open(1, THINKER, PROMPT, List.of(), null, maxTokens, 0, 7, true, 1, null, null, 0,
                chunk));
        Run run = new Run(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        for (int step = 0; llm.open() > 0; step++) {
            ExecutorCommand.StepItem item = step == 0
                    ? new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.PREFILL, 0, PROMPT.length)
                    : new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.DECODE, 0, 1);
            StepOutcome out = new StepOutcome();
            llm.step(new ExecutorCommand.RunStep(step, THINKER, List.of(item), 1), out, () -> false);
            ExecutorReport.StepDone done = out.report(step, 0);
            for (ExecutorReport.Emitted e : done.emitted()) {
                for (int t : e.tokens()) {
                    run.tokens().add(t);
                }
            }
            for (ExecutorReport.Output o : done.outputs()) {
                run.outputs().add(sidecar.readFloats(o.tensor()));
                sidecar.release(o.tensor());
                run.partial().add(o.partial());
                run.stepOf().add(step);
                run.generatedAt().add(run.tokens().size());
            }
        }
        return run;
    }

    @ParameterizedTest(name = "chunks of {0} tokens")
    @ValueSource(ints = {1, 3, 7, 40})
    void aStreamingThinkerHandsOnTheStatesItHandsOnWhole(int chunk) {
        int maxTokens = 12;
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000, System::currentTimeMillis);
                Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            Run whole = runThinker(TaskRunners.create(THINKER, 1, k, sidecar, 4096, 4, true), sidecar, 0, maxTokens);
            Run streamed = runThinker(TaskRunners.create(THINKER, 1, k, sidecar, 4096, 4, true), sidecar, chunk,
                    maxTokens);
            assertEquals(whole.tokens(), streamed.tokens(), "streaming changes no token");
            assertEquals(1, whole.outputs().size());
            float[] joined = Ops.concat(streamed.outputs());
            assertArrayEquals(whole.outputs().get(0), joined, "the chunks and the rest are the whole states, in order");
            int h = TinyModels.LLM.hidden();
            assertEquals((PROMPT.length + maxTokens) * h, joined.length, "every position of the prompt and answer");
            // a chunk every k tokens while the sequence runs (the first when k are generated), the rest at its end
            int chunks = chunk >= maxTokens ? 0 : (maxTokens - 1) / chunk;
            assertEquals(chunks + 1, streamed.outputs().size());
            for (int i = 0; i < chunks; i++) {
                assertTrue(streamed.partial().get(i));
                assertEquals((i + 1) * chunk, streamed.generatedAt().get(i), "chunk " + i + " after its tokens");
                assertEquals((i + 1) * chunk - 1, streamed.stepOf().get(i), "chunk " + i + "'s step");
            }
            assertEquals(false, streamed.partial().get(chunks), "the last output is the rest");
            if (chunks > 0) {
                assertEquals((PROMPT.length + chunk - 1) * h, streamed.outputs().get(0).length,
                        "the first chunk: the positions computed when its tokens are generated");
            }
            assertEquals(0, sidecar.live(), "every tensor read and released");
        }
    }

    @Test
    void aStreamedTalkerRunsOnWhatHasComeAndEndsAtTheCodesItsLastRowsAskFor() {
        int thinkerRows = PROMPT.length + 1;
        int planned = PROMPT.length + 1;
        int w = TinyModels.TALKER.thinkerHidden();
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000, System::currentTimeMillis);
                Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            LlmRunner talker = (LlmRunner) TaskRunners.create(TALKER, 1, k, sidecar, 4096, 4, false);
            TensorRef first = sidecar.putFloats(states(thinkerRows - 1, w, 1), 1);
            talker.open(new ExecutorCommand.Open(5, TALKER, null, List.of(first), new int[] {planned}, 60, 0, 3, false,
                    1, null, null, 0, 1));
            int codes = 0;
            StepOutcome out = step(talker, 0, new ExecutorCommand.StepItem(5, ExecutorCommand.ItemKind.PREFILL, 0,
                    planned));
            codes += emitted(out);
            for (int i = 1; i <= 10; i++) {
                talker.moreStates(new ExecutorCommand.StreamStates(5, sidecar.putFloats(states(1, w, 1 + i), 1), false,
                        0));
                out = step(talker, i, new ExecutorCommand.StepItem(5, ExecutorCommand.ItemKind.DECODE, 0, 1));
                codes += emitted(out);
                assertTrue(out.report(i, 0).ended().isEmpty(), "no end before the last rows came");
            }
            assertEquals(11, codes);
            // the last rows ask for fewer codes than the scheduler planned so far: the talker, which computed no code
            // before its states were final, computes the ones its answer needs at its next step and ends there
            talker.moreStates(new ExecutorCommand.StreamStates(5, sidecar.putFloats(states(2, w, 20), 1), true, 8));
            out = step(talker, 11, new ExecutorCommand.StepItem(5, ExecutorCommand.ItemKind.DECODE, 0, 1));
            ExecutorReport.StepDone done = out.report(11, 0);
            assertEquals(1, done.ended().size());
            assertEquals(8, done.ended().get(0).generated(), "the codes the last rows ask for, however many planned");
            assertEquals(8, sidecar.readInts(done.outputs().get(0).tensor()).length, "its codes go to the vocoder");
            sidecar.release(done.outputs().get(0).tensor());
            assertEquals(0, talker.open());
            // states for an invocation that ended are only released
            talker.moreStates(new ExecutorCommand.StreamStates(5, sidecar.putFloats(states(1, w, 30), 1), true, 8));
            assertEquals(0, sidecar.live(), "nothing left in the sidecar");
        }
    }

    @Test
    void aTalkerWhoseInputDoesNotStreamRefusesMoreStatesAndAStreamedOneWithoutPlannedRowsIsRefused() {
        int w = TinyModels.TALKER.thinkerHidden();
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000, System::currentTimeMillis);
                Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            LlmRunner talker = (LlmRunner) TaskRunners.create(TALKER, 1, k, sidecar, 4096, 4, false);
            talker.open(new ExecutorCommand.Open(6, TALKER, null, List.of(sidecar.putFloats(states(4, w, 1), 1)),
                    new int[] {4}, 30, 0, 3, false, 1));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> talker.moreStates(
                    new ExecutorCommand.StreamStates(6, null, true, 8)));
            assertTrue(e.getMessage().contains("does not stream"), e.getMessage());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> talker.open(
                    new ExecutorCommand.Open(7, TALKER, null, List.of(sidecar.putFloats(states(4, w, 1), 1)), null, 30,
                            0, 3, false, 1, null, null, 0, 1)));
            assertTrue(bad.getMessage().contains("planned rows"), bad.getMessage());
        }
    }

    private static StepOutcome step(TaskRunner r, long id, ExecutorCommand.StepItem item) {
        StepOutcome out = new StepOutcome();
        r.step(new ExecutorCommand.RunStep(id, r.task(), List.of(item), 1), out, () -> false);
        return out;
    }

    private static int emitted(StepOutcome out) {
        int n = 0;
        for (ExecutorReport.Emitted e : out.report(0, 0).emitted()) {
            n += e.tokens().length;
        }
        return n;
    }

    /** {@code rows} rows of width {@code w}, small values that differ by row. */
    private static float[] states(int rows, int w, int seed) {
        float[] s = new float[rows * w];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.sin(seed * 31 + i * 0.37) * 0.1f;
        }
        return s;
    }
}
