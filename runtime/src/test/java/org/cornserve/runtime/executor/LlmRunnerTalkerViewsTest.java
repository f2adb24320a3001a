package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.audio.Talker;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.cornserve.runtime.sidecar.SegmentFiles;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The talker reads its thinker's states where they lie in shared memory, a block of rows at a time into its
 * projection, instead of copying the whole input onto the heap first: the rows it holds equal, bit for bit, the heap
 * path's (the concatenated states copied out, projected whole by {@link Talker#project(float[])}, padded to the planned
 * rows by repeating the last), for inputs in several tensors, longer than one block, and streamed in after the first
 * chunk; every input is released as soon as it is projected.
 */
class LlmRunnerTalkerViewsTest {
    private static final String TALKER = "tiny-omni/talker";
    private static final long WEIGHT_SEED = 4;
    private static final int W = TinyModels.TALKER.thinkerHidden();

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);
    private Kernels kernels;
    private SharedMemorySidecar thinker;
    private SharedMemorySidecar talkerSide;

    @BeforeEach
    void start() {
        kernels = Kernels.create(Kernels.Choice.AUTO, 2);
        thinker = new SharedMemorySidecar(dir, "tv", "th", 60_000, clock::get);
        talkerSide = new SharedMemorySidecar(dir, "tv", "tk", 60_000, clock::get);
    }

    @AfterEach
    void stop() throws IOException {
        kernels.close();
        SegmentFiles.closeAndAssertNoneLeft(dir, thinker, talkerSide);
    }

    private static float[] states(SplittableRandom rnd, int rows) {
        float[] s = new float[rows * W];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (rnd.nextGaussian() * 0.2);
        }
        return s;
    }

    /** The heap path: the states concatenated, projected whole, padded to {@code planned} rows. */
    private float[] reference(List<float[]> parts, int planned) {
        float[] all = Ops.concat(parts);
        float[] projected = new Talker(TinyModels.TALKER, new SeededWeights(WEIGHT_SEED), kernels, 16).project(all);
        int h = TinyModels.TALKER.llm().hidden();
        int have = projected.length / h;
        float[] out = Arrays.copyOf(projected, Math.max(have, planned) * h);
        for (int r = have; r < planned; r++) {
            System.arraycopy(projected, (have - 1) * h, out, r * h, h);
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void inputRowsReadFromTheViewsEqualTheHeapPath(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        LlmRunner talker = (LlmRunner) TaskRunners.create(TALKER, WEIGHT_SEED, kernels, talkerSide, 4096, 4, false);
        // the whole input at open: several tensors, together longer than one projection block, padded
        List<float[]> parts = new ArrayList<>();
        List<TensorRef> refs = new ArrayList<>();
        for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
            float[] p = states(rnd, 1 + rnd.nextInt(60));
            parts.add(p);
            refs.add(thinker.putFloats(p, 1));
        }
        int have = parts.stream().mapToInt(p -> p.length / W).sum();
        int planned = have + rnd.nextInt(5);
        talker.open(new ExecutorCommand.Open(1, TALKER, null, refs, new int[] {planned}, 8, 0, 3, false, 1));
        assertEquals(0, thinker.live(), "released as soon as projected");
        assertArrayEquals(reference(parts, planned), talker.heapInputRows(1), "bit for bit");
        talker.close(1);

        // streamed: the first chunk at open, more as they come
        List<float[]> streamed = new ArrayList<>(List.of(states(rnd, 1 + rnd.nextInt(10))));
        int plannedStream = 200;
        talker.open(new ExecutorCommand.Open(2, TALKER, null, List.of(thinker.putFloats(streamed.get(0), 1)),
                new int[] {plannedStream}, 300, 0, 3, false, 1, null, null, 0, 4));
        for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
            float[] more = states(rnd, 1 + rnd.nextInt(80));
            streamed.add(more);
            talker.moreStates(new ExecutorCommand.StreamStates(2, thinker.putFloats(more, 1), i == n - 1, 300));
            assertEquals(0, thinker.live(), "each chunk released as soon as projected");
        }
        int rows = streamed.stream().mapToInt(p -> p.length / W).sum();
        assertTrue(rows <= plannedStream);
        assertArrayEquals(reference(streamed, rows), talker.heapInputRows(2), "streamed rows, bit for bit");
        talker.close(2);
    }
}
