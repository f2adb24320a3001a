package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.audio.AudioEncoder;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.tensor.Tensor;
import org.cornserve.runtime.engine.vision.ImageInput;
import org.cornserve.runtime.engine.vision.VisionEncoder;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.cornserve.runtime.sidecar.SegmentFiles;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The encoders' executors write their embeddings where they lie in shared memory (the last projection stores its rows
 * into each invocation's segment): what a consumer reads equals, bit for bit, the heap path's output (the same
 * encoder's {@code encode} of the batch, each invocation's images or clips concatenated), for batches of several
 * invocations with several items each, some with no consumer; an engine failure frees every segment it was writing.
 */
class SidecarEncoderOutputTest {
    private static final long WEIGHT_SEED = 3;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);
    private Kernels kernels;
    private SharedMemorySidecar gateway;
    private SharedMemorySidecar encoder;
    private SharedMemorySidecar consumer;

    @BeforeEach
    void start() {
        kernels = Kernels.create(Kernels.Choice.AUTO, 2);
        gateway = new SharedMemorySidecar(dir, "eo", "gw", 60_000, clock::get);
        encoder = new SharedMemorySidecar(dir, "eo", "enc", 60_000, clock::get);
        consumer = new SharedMemorySidecar(dir, "eo", "llm", 60_000, clock::get);
    }

    @AfterEach
    void stop() throws IOException {
        kernels.close();
        SegmentFiles.closeAndAssertNoneLeft(dir, gateway, encoder, consumer);
    }

    /** Opens {@code items.size()} invocations, runs them in one batch step and reads each output (null: none). */
    private List<float[]> runBatch(String task, List<List<float[]>> items, List<int[]> dims, int[] consumers) {
        TaskRunner runner = TaskRunners.create(task, WEIGHT_SEED, kernels, encoder, 0, 1, false);
        List<ExecutorCommand.StepItem> step = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<TensorRef> inputs = new ArrayList<>();
            for (float[] item : items.get(i)) {
                inputs.add(gateway.putFloats(item, 1));
            }
            runner.open(new ExecutorCommand.Open(i + 1, task, null, inputs, dims.get(i), 0, 0, 0, false,
                    consumers[i], null, null, 0));
            step.add(new ExecutorCommand.StepItem(i + 1, ExecutorCommand.ItemKind.BATCH, 0, 1));
        }
        StepOutcome out = new StepOutcome();
        runner.step(new ExecutorCommand.RunStep(0, task, step, 1), out, () -> false);
        Map<Long, float[]> read = new HashMap<>();
        for (ExecutorReport.Output o : out.report(0, 0).outputs()) {
            read.put(o.invocation(), consumer.readFloats(o.tensor()));
            assertEquals(consumers[(int) o.invocation() - 1] - 1, consumer.release(o.tensor()),
                    "published for its consumers");
            for (int c = 1; c < consumers[(int) o.invocation() - 1]; c++) {
                consumer.release(o.tensor());
            }
        }
        assertEquals(0, encoder.live(), "every output released, nothing left pending");
        assertEquals(0, gateway.live(), "every input released");
        List<float[]> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            result.add(read.get((long) i + 1));
        }
        return result;
    }


    private static int[] consumers(SplittableRandom rnd, int n) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = i == 0 ? 1 + rnd.nextInt(2) : rnd.nextInt(3); // the first always has one
        }
        return c;
    }

    /**
     * Each invocation's output against the heap path's: the encoder's tensors for its {@code counts[i]} items,
     * concatenated; none for an invocation without consumers.
     */
    private static void assertOutputs(List<Tensor> heap, int[] counts, List<float[]> got, int[] consumers) {
        for (int i = 0, k = 0; i < counts.length; k += counts[i], i++) {
            if (consumers[i] == 0) {
                assertNull(got.get(i), "no consumer, no tensor");
            } else {
                float[] expected = Ops.concat(heap.subList(k, k + counts[i]).stream().map(Tensor::data).toList());
                assertArrayEquals(expected, got.get(i), "invocation " + (i + 1) + ", bit for bit");
            }
        }
    }

    /** One item of an invocation: its input floats and its dims (height and width of an image; none for a clip). */
    private record Item(float[] data, int... dims) {
    }

    /**
     * Runs a random batch (1..3 invocations of 1..2 items made by {@code item}, random consumers) through
     * {@code task}'s executor and checks each output against {@code heap}'s tensors of every item in order.
     */
    private void checkBatch(long seed, String task, Function<SplittableRandom, Item> item,
            Function<List<Item>, List<Tensor>> heap) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int invocations = 1 + rnd.nextInt(3);
        List<List<float[]>> items = new ArrayList<>();
        List<int[]> dims = new ArrayList<>();
        List<Item> all = new ArrayList<>();
        int[] counts = new int[invocations];
        for (int i = 0; i < invocations; i++) {
            counts[i] = 1 + rnd.nextInt(2);
            List<Item> mine = new ArrayList<>();
            for (int j = 0; j < counts[i]; j++) {
                mine.add(item.apply(rnd));
            }
            all.addAll(mine);
            items.add(mine.stream().map(Item::data).toList());
            dims.add(mine.stream().flatMapToInt(it -> Arrays.stream(it.dims())).toArray());
        }
        int[] consumers = consumers(rnd, invocations);
        assertOutputs(heap.apply(all), counts, runBatch(task, items, dims, consumers), consumers);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void visionEmbeddingsWrittenInPlaceEqualTheHeapOutput(long seed) {
        int side = TinyModels.VISION.tokenSide();
        checkBatch(seed, "tiny-omni/vision-encoder", rnd -> {
            int h = side * (1 + rnd.nextInt(3));
            int w = side * (1 + rnd.nextInt(3));
            float[] p = new float[h * w * 3];
            for (int k = 0; k < p.length; k++) {
                p[k] = rnd.nextFloat();
            }
            return new Item(p, h, w);
        }, all -> new VisionEncoder(TinyModels.VISION, new SeededWeights(WEIGHT_SEED), kernels)
                .encode(all.stream().map(it -> new ImageInput(it.dims()[0], it.dims()[1], it.data())).toList()));
    }

    private static float[] clip(SplittableRandom rnd, int samples) {
        float[] c = new float[samples];
        for (int k = 0; k < samples; k++) {
            c[k] = (float) (0.3 * Math.sin(k * (0.01 + rnd.nextDouble() * 1e-4)) + 0.05 * rnd.nextGaussian());
        }
        return c;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void audioEmbeddingsWrittenInPlaceEqualTheHeapOutput(long seed) {
        int rate = TinyModels.AUDIO.sampleRate();
        checkBatch(seed, "tiny-omni/audio-encoder", rnd -> new Item(clip(rnd, rate / 4 + rnd.nextInt(rate))),
                all -> new AudioEncoder(TinyModels.AUDIO, new SeededWeights(WEIGHT_SEED), kernels)
                        .encode(all.stream().map(Item::data).toList()));
    }

    @Test
    void anEngineFailureFreesEverySegmentItWasWriting() {
        String task = "tiny-omni/audio-encoder";
        TaskRunner runner = TaskRunners.create(task, WEIGHT_SEED, kernels, encoder, 0, 1, false);
        SplittableRandom rnd = new SplittableRandom(9);
        float[] good = clip(rnd, TinyModels.AUDIO.sampleRate() / 2);
        float[] tooShort = new float[8];
        runner.open(new ExecutorCommand.Open(1, task, null, List.of(gateway.putFloats(good, 1)), null, 0, 0, 0, false,
                1, null, null, 0));
        runner.open(new ExecutorCommand.Open(2, task, null, List.of(gateway.putFloats(tooShort, 1)), null, 0, 0, 0,
                false, 2, null, null, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> runner.step(
                new ExecutorCommand.RunStep(0, task, List.of(
                        new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.BATCH, 0, 1),
                        new ExecutorCommand.StepItem(2, ExecutorCommand.ItemKind.BATCH, 0, 1)), 1),
                new StepOutcome(), () -> false));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        assertEquals(0, encoder.live(), "the failed batch's segments were freed, not left to the timeout");
        runner.close(1);
        runner.close(2);
    }
}
