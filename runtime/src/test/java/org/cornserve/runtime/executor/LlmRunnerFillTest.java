package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The profiler's {@link ExecutorCommand.ItemKind#FILL}: a sequence whose prompt's keys and values are written, not
 * computed, holds what a prefilled one holds (its blocks, its context length, one first token) and decodes from
 * there to its cap; anything but a whole text prompt of a fresh sequence is refused.
 */
class LlmRunnerFillTest {
    private static final String TASK = "tiny-omni/llm";

    @TempDir
    Path dir;

    private static ExecutorCommand.Open open(long id, int[] prompt, int maxTokens) {
        return new ExecutorCommand.Open(id, TASK, prompt, List.of(), null, maxTokens, 0, 11, false, 0);
    }

    private static ExecutorReport.StepDone step(TaskRunner r, long step, ExecutorCommand.StepItem item) {
        StepOutcome out = new StepOutcome();
        r.step(new ExecutorCommand.RunStep(step, r.task(), List.of(item), 1), out, () -> false);
        return out.report(step, 0);
    }

    private static List<Integer> tokens(ExecutorReport.StepDone report) {
        List<Integer> t = new ArrayList<>();
        for (ExecutorReport.Emitted e : report.emitted()) {
            for (int x : e.tokens()) {
                t.add(x);
            }
        }
        return t;
    }

    @ParameterizedTest(name = "seed {0}: prompt {1}, max {2}")
    @CsvSource({"1, 1, 5", "2, 16, 9", "3, 17, 4", "4, 200, 12"})
    void aFilledSequenceHoldsWhatAPrefilledOneDoesAndDecodesToItsCap(long seed, int length, int maxTokens)
            throws Exception {
        int[] prompt = LlmRunnerPhaseTest.prompt(seed, length);
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, 1);
                SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000,
                        System::currentTimeMillis)) {
            LlmRunner prefilled = (LlmRunner) TaskRunners.create(TASK, 1, k, sidecar, 4096, 4, true);
            prefilled.open(open(1, prompt, maxTokens));
            assertEquals(1, tokens(step(prefilled, 0, new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.PREFILL,
                    0, length))).size());

            LlmRunner filled = (LlmRunner) TaskRunners.create(TASK, 1, k, sidecar, 4096, 4, true);
            filled.open(open(2, prompt, maxTokens));
            ExecutorReport.StepDone first = step(filled, 0, new ExecutorCommand.StepItem(2,
                    ExecutorCommand.ItemKind.FILL, 0, length));
            // its first token is the prompt's last, reported as a prefill's is
            assertEquals(List.of(prompt[length - 1]), tokens(first));
            assertEquals(prefilled.kvBlocksUsed(), filled.kvBlocksUsed(), "the blocks a prefill of the prompt holds");

            // decodes at the context the fill left, as the prefilled one does, to the cap
            int generated = 1;
            String reason = null;
            for (long s = 1; filled.open() > 0; s++) {
                ExecutorReport.StepDone d = step(filled, s, new ExecutorCommand.StepItem(2,
                        ExecutorCommand.ItemKind.DECODE, 0, 1));
                generated += tokens(d).size();
                step(prefilled, s, new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.DECODE, 0, 1));
                if (filled.open() > 0) {
                    assertEquals(prefilled.kvBlocksUsed(), filled.kvBlocksUsed(), "blocks after decode step " + s);
                }
                for (ExecutorReport.Ended e : d.ended()) {
                    reason = e.reason();
                    assertEquals(maxTokens, e.generated());
                }
            }
            assertEquals(maxTokens, generated);
            assertEquals("length", reason);
            assertEquals(0, filled.kvBlocksUsed(), "its blocks freed at its end");
        }
    }

    @Test
    void onlyAWholeTextPromptOfAFreshSequenceIsFilled() throws Exception {
        int[] prompt = LlmRunnerPhaseTest.prompt(7, 20);
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, 1);
                SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 10_000,
                        System::currentTimeMillis)) {
            LlmRunner r = (LlmRunner) TaskRunners.create(TASK, 1, k, sidecar, 4096, 4, true);
            r.open(open(1, prompt, 8));
            IllegalStateException part = assertThrows(IllegalStateException.class, () -> step(r, 0,
                    new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.FILL, 0, 10)));
            assertTrue(part.getMessage().contains("whole text prompt") && part.getMessage().contains("[0, 10)"),
                    part.getMessage());
            step(r, 1, new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.PREFILL, 0, 20));
            IllegalStateException again = assertThrows(IllegalStateException.class, () -> step(r, 2,
                    new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.FILL, 0, 20)));
            assertTrue(again.getMessage().contains("20 cached"), again.getMessage());
            // a multi-iteration step may only decode
            r.open(open(2, prompt, 8));
            assertThrows(IllegalStateException.class, () -> {
                StepOutcome out = new StepOutcome();
                r.step(new ExecutorCommand.RunStep(3, r.task(), List.of(new ExecutorCommand.StepItem(2,
                        ExecutorCommand.ItemKind.FILL, 0, 20)), 2), out, () -> false);
            });
        }
    }
}
