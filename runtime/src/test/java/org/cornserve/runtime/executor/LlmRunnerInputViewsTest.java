package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.sidecar.SegmentFiles;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorExpiredException;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The LLM reads an encoder's embeddings where they lie in shared memory (two inputs, prefill chunks that cut across
 * them, a recompute after preemption that reads them again) and computes exactly what it computes from the same rows
 * on the heap (the reference: the same runner whose views were copied out before its first step, the path it takes
 * for a sequence held past half the tensor timeout). The producer's segments stay referenced while the sequence may
 * read them and are released when it ends; a tensor reclaimed while held fails the step by name, never reads another.
 */
class LlmRunnerInputViewsTest {
    private static final String LLM = "tiny-vl/llm";
    private static final int H = TinyModels.LLM.hidden();

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);
    private Kernels kernels;
    private SharedMemorySidecar producer;
    private SharedMemorySidecar consumer;

    @BeforeEach
    void start() {
        kernels = Kernels.create(Kernels.Choice.AUTO, 1);
        producer = new SharedMemorySidecar(dir, "lv", "enc", 500, clock::get);
        consumer = new SharedMemorySidecar(dir, "lv", "llm", 500, clock::get);
    }

    @AfterEach
    void stop() throws IOException {
        kernels.close();
        SegmentFiles.closeAndAssertNoneLeft(dir, producer, consumer);
    }

    private TaskRunner llm() {
        return TaskRunners.create(LLM, 3, kernels, consumer, 4096, 4, true);
    }

    private record Run(List<Integer> tokens, float[] hidden, List<Integer> producerLive) {
    }

    private static float[] rows(SplittableRandom rnd, int n) {
        float[] out = new float[n * H];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return out;
    }

    /** The prompt around two images of {@code a} and {@code b} rows. */
    private static int[] prompt(int a, int b) {
        List<Integer> p = new ArrayList<>(List.of(1, 72));
        for (int i = 0; i < a; i++) {
            p.add(ByteTokenizer.IMAGE);
        }
        p.add(101);
        for (int i = 0; i < b; i++) {
            p.add(ByteTokenizer.IMAGE);
        }
        p.addAll(List.of(108, 32));
        return p.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Opens one sequence on two image inputs and runs it: the prompt in random chunks, two decodes, a recompute of
     * everything from 0 (as after preemption), then decodes to its cap. With {@code spill} the clock first passes half
     * the timeout, so the runner copies its inputs onto the heap before the first step.
     */
    private Run run(long seed, boolean spill) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int a = 1 + rnd.nextInt(20);
        int b = 1 + rnd.nextInt(20);
        float[] first = rows(rnd, a);
        float[] second = rows(rnd, b);
        int[] prompt = prompt(a, b);
        clock.set(1_000);
        TaskRunner llm = llm();
        List<TensorRef> inputs = List.of(producer.putFloats(first, 1), producer.putFloats(second, 1));
        llm.open(new ExecutorCommand.Open(1, LLM, prompt, inputs, null, 6, 0, 7, true, 1, null, null, 0));
        if (spill) {
            clock.addAndGet(250);
        }
        List<Integer> tokens = new ArrayList<>();
        List<Integer> live = new ArrayList<>();
        float[] hidden = null;
        List<ExecutorCommand.StepItem> plan = new ArrayList<>();
        for (int at = 0; at < prompt.length; ) {
            int len = Math.min(prompt.length - at, 1 + rnd.nextInt(12));
            plan.add(new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.PREFILL, at, len));
            at += len;
        }
        for (int step = 0; llm.open() > 0; step++) {
            ExecutorCommand.StepItem item;
            if (step < plan.size()) {
                item = plan.get(step);
            } else if (step == plan.size() + 2) {
                item = new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.PREFILL, 0,
                        prompt.length + tokens.size()); // recompute: every input row read again
            } else {
                item = new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.DECODE, 0, 1);
            }
            StepOutcome out = new StepOutcome();
            llm.step(new ExecutorCommand.RunStep(step, LLM, List.of(item), 1), out, () -> false);
            ExecutorReport.StepDone done = out.report(step, 0);
            for (ExecutorReport.Emitted e : done.emitted()) {
                for (int t : e.tokens()) {
                    tokens.add(t);
                }
            }
            for (ExecutorReport.Output o : done.outputs()) {
                hidden = consumer.readFloats(o.tensor());
                consumer.release(o.tensor());
            }
            live.add(producer.live());
        }
        assertEquals(0, producer.live(), "the ended sequence released its inputs");
        return new Run(tokens, hidden, live);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void embeddingsReadFromTheSegmentsGiveWhatTheHeapRowsGive(long seed) {
        Run viewed = run(seed, false);
        Run heap = run(seed, true);
        assertEquals(6, viewed.tokens().size());
        assertEquals(heap.tokens(), viewed.tokens(), "the same tokens");
        assertArrayEquals(heap.hidden(), viewed.hidden(), "the same hidden states, bit for bit");
        List<Integer> held = viewed.producerLive().subList(0, viewed.producerLive().size() - 1);
        assertTrue(held.stream().allMatch(n -> n == 2), "the views hold both inputs until the end: " + held);
        assertTrue(heap.producerLive().stream().allMatch(n -> n == 0),
                "inputs copied out near their timeout are released at once: " + heap.producerLive());
    }

    @Test
    void anInputReclaimedWhileHeldFailsTheStepByNameAndNeverReadsTheNextTensor() {
        TaskRunner llm = llm();
        TensorRef input = producer.putFloats(rows(new SplittableRandom(5), 3), 1);
        llm.open(new ExecutorCommand.Open(1, LLM, prompt(3, 0), List.of(input), null, 4, 0, 7, false, 0, null,
                null, 0));
        clock.addAndGet(500);
        producer.sweep();
        TensorRef next = producer.putFloats(new float[3 * H], 1);
        assertEquals(input.segment(), next.segment(), "the producer reused the reclaimed segment");
        TensorExpiredException e = assertThrows(TensorExpiredException.class, () -> llm.step(
                new ExecutorCommand.RunStep(0, LLM, List.of(new ExecutorCommand.StepItem(1,
                        ExecutorCommand.ItemKind.PREFILL, 0, 6)), 1), new StepOutcome(), () -> false));
        assertTrue(e.getMessage().contains(input.segment()), e.getMessage());
        llm.close(1);
        assertEquals(1, producer.live(), "closing the sequence leaves the next tensor's reference alone");
    }

    @Test
    void anOpenRefusedForItsRowsReleasesItsInputs() {
        TaskRunner llm = llm();
        TensorRef input = producer.putFloats(rows(new SplittableRandom(6), 2), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> llm.open(
                new ExecutorCommand.Open(1, LLM, prompt(3, 0), List.of(input), null, 4, 0, 7, false, 0, null,
                        null, 0)));
        assertTrue(e.getMessage().contains("3 placeholders but 2 embedding rows"), e.getMessage());
        assertEquals(0, producer.live(), "the refused invocation's input was released");
        assertEquals(0, llm.open());
    }
}
