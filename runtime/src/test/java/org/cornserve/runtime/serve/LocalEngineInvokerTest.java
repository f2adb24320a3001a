package org.cornserve.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cornserve.model.Modality;
import org.cornserve.runtime.engine.EngineRunner;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.serve.local.LocalEngineSettings;
import org.cornserve.runtime.serve.local.LocalEngineSettings.Kind;
import org.cornserve.runtime.serve.local.LocalEngineSettings.LocalModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process invoker against the engine's one-shot runner (a simple reference that runs every component in
 * turn): the same inputs give the same text, token counts, WAV samples and PNG bytes. Cancellation frees KV blocks.
 */
@Tag("slow")
@Timeout(180)
class LocalEngineInvokerTest {
    static LocalEngineInvoker invoker;
    static Kernels kernels;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        invoker = new LocalEngineInvoker(new LocalEngineSettings(List.of(new LocalModel("tiny-vl", Kind.VL, 0),
                new LocalModel("tiny-omni", Kind.OMNI, 0), new LocalModel("tiny-image", Kind.IMAGE, 0)), 2, 8, 4,
                8192, 512, 4, 64, false));
        kernels = Kernels.create(Kernels.Choice.AUTO, 2);
    }

    @AfterAll
    static void stop() {
        invoker.close();
        kernels.close();
    }

    /** Collects one request's outputs. */
    static final class Collector implements OutputSink {
        final StringBuilder text = new StringBuilder();
        final List<String> deltas = new ArrayList<>();
        byte[] audio;
        byte[] image;
        Usage usage;
        Failure failure;
        final CountDownLatch done = new CountDownLatch(1);
        final CountDownLatch firstText = new CountDownLatch(1);

        @Override
        public void text(String delta) {
            text.append(delta);
            deltas.add(delta);
            firstText.countDown();
        }

        @Override
        public void audio(byte[] wav) {
            audio = wav;
        }

        @Override
        public void image(byte[] png) {
            image = png;
        }

        @Override
        public void completed(Usage u) {
            usage = u;
            done.countDown();
        }

        @Override
        public void failed(Failure f) {
            failure = f;
            done.countDown();
        }

        Collector await() throws InterruptedException {
            assertTrue(done.await(120, TimeUnit.SECONDS), "the request ended");
            assertNull(failure, () -> "failed: " + failure);
            return this;
        }
    }

    static Collector run(ModelRequest r) throws InterruptedException {
        Collector c = new Collector();
        invoker.invoke(r, c);
        return c.await();
    }

    @Test
    void visionLanguageMatchesTheEngineRunner() throws Exception {
        byte[] png = ImageFiles.pngBytes(new float[56 * 56 * 3], 56, 56);
        Files.write(dir.resolve("in.png"), png);
        for (double temperature : new double[] {0, 0.8}) {
            Collector c = run(new ModelRequest("tiny-vl", "What is in the picture?", List.of(png), List.of(), 24,
                    temperature, 3, Set.of(Modality.TEXT)));
            EngineRunner.RunResult ref = new EngineRunner(TinyModels.Model.TINY_VL, kernels, 0, null).run(
                    new EngineRunner.RunRequest("What is in the picture?", dir.resolve("in.png"), null, 24, 3,
                            temperature, 64, dir.resolve("vl")));
            assertEquals(ref.text(), c.text.toString(), "temperature " + temperature);
            assertEquals(ref.tokens().length, c.usage.completionTokens());
            assertEquals(1 + 4 + "What is in the picture?".length(), c.usage.promptTokens());
        }
    }

    @Test
    void omniSpeechMatchesTheEngineRunner() throws Exception {
        byte[] wav = WavFiles.toBytes(new float[8000], 16000);
        Files.write(dir.resolve("in.wav"), wav);
        Collector c = run(new ModelRequest("tiny-omni", "Say something", List.of(), List.of(wav), 12, 0, 5,
                Set.of(Modality.TEXT, Modality.AUDIO)));
        EngineRunner.RunResult ref = new EngineRunner(TinyModels.Model.TINY_OMNI, kernels, 0, null).run(
                new EngineRunner.RunRequest("Say something", null, dir.resolve("in.wav"), 12, 5, 0, 64,
                        dir.resolve("omni")));
        assertEquals(ref.text(), c.text.toString());
        assertNotNull(c.audio);
        assertArrayEquals(WavFiles.read(dir.resolve("omni/answer.wav")).samples(),
                WavFiles.read(c.audio, "answer").samples());
    }

    @Test
    void imageMatchesTheEngineRunner() throws Exception {
        Collector c = run(new ModelRequest("tiny-image", "a red boat", List.of(), List.of(), 1, 0, 9,
                Set.of(Modality.IMAGE)));
        new EngineRunner(TinyModels.Model.TINY_IMAGE, kernels, 0, null).run(new EngineRunner.RunRequest("a red boat",
                null, null, 1, 9, 0, 64, dir.resolve("img")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("img/image.png")), c.image);
    }

    @Test
    void badInputFailsAtOnceWith400() {
        Collector c = new Collector();
        invoker.invoke(new ModelRequest("tiny-vl", "x", List.of(new byte[] {1, 2, 3}), List.of(), 4, 0, 0,
                Set.of()), c);
        assertEquals(400, c.failure.httpStatus());
        assertTrue(c.failure.message().contains("image 1"), c.failure.message());
        Collector audio = new Collector();
        invoker.invoke(new ModelRequest("tiny-vl", "x", List.of(), List.of(new byte[] {1}), 4, 0, 0, Set.of()), audio);
        assertTrue(audio.failure.message().contains("no audio encoder"), audio.failure.message());
        Collector tooLong = new Collector();
        invoker.invoke(new ModelRequest("tiny-vl", "x", List.of(), List.of(), 5000, 0, 0, Set.of()), tooLong);
        try {
            tooLong.done.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertEquals(400, tooLong.failure.httpStatus());
        assertTrue(tooLong.failure.message().contains("max positions"), tooLong.failure.message());
    }

    @Test
    void cancellingMidStreamStopsTheSinkAndFreesKvBlocks() throws Exception {
        Collector c = new Collector();
        InvocationHandle h = invoker.invoke(new ModelRequest("tiny-vl", "go on", List.of(), List.of(), 3000, 0.9, 1,
                Set.of()), c);
        assertTrue(c.firstText.await(60, TimeUnit.SECONDS));
        h.cancel();
        int seen = c.deltas.size();
        long deadline = System.nanoTime() + 10_000_000_000L;
        int[] kv = invoker.kvBlocks("tiny-vl");
        while (kv[0] != kv[1] && System.nanoTime() < deadline) {
            Thread.sleep(10);
            kv = invoker.kvBlocks("tiny-vl");
        }
        assertEquals(kv[1], kv[0]);
        Thread.sleep(100);
        assertEquals(seen, c.deltas.size(), "no text after cancel() returned");
        assertEquals(1, c.done.getCount(), "neither completed nor failed");
        assertEquals(0, invoker.inFlight());
    }
}
