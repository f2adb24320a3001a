package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sequence that would run past the model's positions is refused alone at open, not inside a batch step. */
class LlmRunnerPositionsTest {
    @TempDir
    Path dir;

    @Test
    void aSequencePastThePositionsIsRefusedAtOpenAndTheOthersRun() {
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "t", "x", 1000, System::currentTimeMillis);
                Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            TaskRunner llm = TaskRunners.create("tiny-omni/llm", 1, k, sidecar, 16384, 8, false);
            int[] longPrompt = new int[4000];
            Arrays.fill(longPrompt, 65);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> llm.open(
                    new ExecutorCommand.Open(1, "tiny-omni/llm", longPrompt, List.of(), null, 200, 0, 1, false, 0)));
            assertTrue(e.getMessage().contains("4200 positions") && e.getMessage().contains("4096"), e.getMessage());
            assertEquals(0, llm.open(), "nothing was kept of the refused invocation");
            llm.open(new ExecutorCommand.Open(2, "tiny-omni/llm", new int[] {1, 72, 105}, List.of(), null, 2, 0, 1,
                    false, 0));
            StepOutcome out = new StepOutcome();
            llm.step(new ExecutorCommand.RunStep(1, "tiny-omni/llm", List.of(new ExecutorCommand.StepItem(2,
                    ExecutorCommand.ItemKind.PREFILL, 0, 3)), 1), out, () -> false);
            assertEquals(1, llm.open());
        }
    }
}
