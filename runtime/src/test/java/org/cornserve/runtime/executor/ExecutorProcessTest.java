package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.cornserve.runtime.control.ExecutorEvents;
import org.cornserve.runtime.control.ExecutorHandle;
import org.cornserve.runtime.control.ExecutorHub;
import org.cornserve.runtime.engine.EngineRunner;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.vision.ImageInput;
import org.cornserve.runtime.launch.ExecutorSpec;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An executor process driven step by step over its protocol gives the same tokens as the in-process engine. */
@Tag("integration")
class ExecutorProcessTest {
    @TempDir
    Path tmp;

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    private final ExecutorEvents listener = new ExecutorEvents() {
        @Override
        public void ready(ExecutorHandle executor, ExecutorReport.Ready ready, long startupNanos) {
            events.add(ready);
        }

        @Override
        public void report(ExecutorHandle executor, ExecutorReport report) {
            events.add(report);
        }

        @Override
        public void down(ExecutorHandle executor, String why) {
            events.add("down: " + why);
        }
    };

    private <T> T next(Class<T> type) throws InterruptedException {
        Object o = events.poll(60, TimeUnit.SECONDS);
        assertNotNull(o, "no event within 60 s");
        assertTrue(type.isInstance(o), "expected " + type.getSimpleName() + ", got " + o);
        return type.cast(o);
    }

    @Test
    @Timeout(120)
    void aVisionLanguageRequestSteppedThroughAnExecutorMatchesTheEngineRunner() throws Exception {
        Path image = tmp.resolve("in.png");
        BufferedImage img = new BufferedImage(70, 56, BufferedImage.TYPE_INT_RGB);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 70; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        ImageIO.write(img, "png", image.toFile());
        String prompt = "What is this?";
        int maxTokens = 6;
        EngineRunner.RunResult expected;
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            expected = new EngineRunner(TinyModels.Model.TINY_VL, k, 1, null).run(new EngineRunner.RunRequest(prompt,
                    image, null, maxTokens, 7, 0, 256, tmp.resolve("out")));
        }
        try (SharedMemorySidecar cp = new SharedMemorySidecar(tmp, "xt", "cp", 30_000, System::currentTimeMillis);
                LocalProcessLauncher launcher = new LocalProcessLauncher();
                ExecutorHub hub = new ExecutorHub(launcher, listener, 60_000)) {
            ExecutorHandle h = hub.start(new ExecutorSpec("ex1", List.of("tiny-vl/vision-encoder", "tiny-vl/llm"), 1, 1,
                    4096, 8, hub.address(), "xt", tmp, 30_000));
            ExecutorReport.Ready ready = next(ExecutorReport.Ready.class);
            assertEquals(List.of("tiny-vl/vision-encoder", "tiny-vl/llm"), ready.tasks());
            assertTrue(h.ready());
            if (Files.exists(Path.of("/proc/self/stat"))) {
                assertEquals(Math.min(19, niceOf(ProcessHandle.current().pid()) + LocalProcessLauncher.niceness()),
                        niceOf(h.pid()), "the executor runs at a lower CPU priority than the control plane");
            }

            ImageInput pixels = ImageInput.of(ImageFiles.read(Files.readAllBytes(image), "in.png"), TinyModels.VISION);
            TensorRef in = cp.putFloats(pixels.pixels(), 1);
            h.send(new ExecutorCommand.Open(1, "tiny-vl/vision-encoder", null, List.of(in),
                    new int[] {pixels.height(), pixels.width()}, 0, 0, 0, false, 1));
            h.send(new ExecutorCommand.RunStep(1, "tiny-vl/vision-encoder",
                    List.of(new ExecutorCommand.StepItem(1, ExecutorCommand.ItemKind.BATCH, 0, 0)), 1));
            ExecutorReport.StepDone encoded = next(ExecutorReport.StepDone.class);
            assertEquals(null, encoded.failure());
            assertEquals(1, encoded.outputs().size());
            TensorRef emb = encoded.outputs().get(0).tensor();
            int imageTokens = (int) (emb.bytes() / Float.BYTES / TinyModels.LLM.hidden());
            assertEquals((pixels.height() / 28) * (pixels.width() / 28), imageTokens);

            List<Integer> ids = new ArrayList<>();
            ids.add(ByteTokenizer.BOS);
            for (int i = 0; i < imageTokens; i++) {
                ids.add(ByteTokenizer.IMAGE);
            }
            for (int t : new ByteTokenizer().encode(prompt)) {
                ids.add(t);
            }
            int[] tokens = ids.stream().mapToInt(Integer::intValue).toArray();
            h.send(new ExecutorCommand.Open(2, "tiny-vl/llm", tokens, List.of(emb), null, maxTokens, 0, 7, false, 0));
            List<Integer> generated = new ArrayList<>();
            long step = 2;
            ExecutorCommand.StepItem item = new ExecutorCommand.StepItem(2, ExecutorCommand.ItemKind.PREFILL, 0,
                    tokens.length);
            while (true) {
                h.send(new ExecutorCommand.RunStep(step++, "tiny-vl/llm", List.of(item), 1));
                ExecutorReport.StepDone done = next(ExecutorReport.StepDone.class);
                assertEquals(null, done.failure());
                for (int t : done.emitted().get(0).tokens()) {
                    generated.add(t);
                }
                if (!done.ended().isEmpty()) {
                    assertEquals(generated.size(), done.ended().get(0).generated());
                    break;
                }
                item = new ExecutorCommand.StepItem(2, ExecutorCommand.ItemKind.DECODE, 0, 1);
            }
            assertArrayEquals(expected.tokens(), generated.stream().mapToInt(Integer::intValue).toArray());

            // async scheduling sends the next step before it hears of an end: the step right after the end may name
            // the ended sequence, which is left out (no token past its end); a later one naming it is an error
            h.send(new ExecutorCommand.RunStep(99, "tiny-vl/llm",
                    List.of(new ExecutorCommand.StepItem(2, ExecutorCommand.ItemKind.DECODE, 0, 1)), 1));
            ExecutorReport.StepDone skipped = next(ExecutorReport.StepDone.class);
            assertEquals(null, skipped.failure());
            assertEquals(List.of(), skipped.emitted(), "nothing past the end");
            h.send(new ExecutorCommand.RunStep(100, "tiny-vl/llm",
                    List.of(new ExecutorCommand.StepItem(2, ExecutorCommand.ItemKind.DECODE, 0, 1)), 1));
            ExecutorReport.StepDone failed = next(ExecutorReport.StepDone.class);
            assertEquals("tiny-vl/llm", failed.failure().stage());
            assertTrue(failed.failure().message().contains("not open"), failed.failure().message());

            h.kill();
            assertTrue(next(String.class).startsWith("down"));
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("cornserve-")).toList());
        }
    }

    /** A process's niceness: field 19 of /proc/PID/stat (the fields after its parenthesised name start at 3). */
    static int niceOf(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19 - 3]);
    }
}
