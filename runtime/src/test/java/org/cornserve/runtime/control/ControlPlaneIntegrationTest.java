package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.cornserve.model.Modality;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default plan served for real: executor processes, shared memory, the shared scheduling core. */
@Tag("integration")
@Timeout(300)
class ControlPlaneIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;

    static Path shm;
    static ControlPlane runtime;

    @BeforeAll
    static void start() throws IOException {
        shm = Files.createTempDirectory(itRoot, "cornserve-it");
        runtime = Runtimes.start(Runtimes.defaultPlan(), DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withRequestTimeoutMillis(60_000));
    }

    @AfterAll
    static void stop() throws IOException {
        if (runtime != null) {
            runtime.close();
        }
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
        Files.delete(shm);
    }

    static byte[] png(int w, int h, long seed) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static byte[] wav(double seconds) throws IOException {
        float[] s = new float[(int) (16000 * seconds)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.sin(i * 0.05) * 0.3f;
        }
        return WavFiles.toBytes(s, 16000);
    }

    @Test
    void anImageAndAudioRequestAnswersWithTextAndSpeech() throws Exception {
        CollectingSink sink = new CollectingSink();
        runtime.invoke(new ModelRequest("tiny-omni", "Describe this.", List.of(png(84, 56, 1)), List.of(wav(1)), 6, 0,
                3, Set.of(Modality.TEXT, Modality.AUDIO)), sink);
        assertTrue(sink.await(120), "answered");
        assertNull(sink.failure, () -> "failed: " + sink.failure);
        assertNotNull(sink.usage);
        assertEquals(1 + 6 + 25 + "Describe this.".length(), sink.usage.promptTokens());
        assertTrue(sink.usage.completionTokens() >= 1 && sink.usage.completionTokens() <= 6);
        assertEquals(1, sink.audio.size());
        WavFiles.Audio audio = WavFiles.read(sink.audio.get(0), "the answer");
        assertEquals(24000, audio.sampleRate());
        assertTrue(audio.samples().length > 0);
        assertEquals(1, sink.ends());
    }

    /** The thinker may end after a token or two; the talker still gets its input and the answer has speech. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void aSpeechAnswerWithATinyTokenCapStillSpeaks(int maxTokens) throws Exception {
        CollectingSink sink = new CollectingSink();
        runtime.invoke(new ModelRequest("tiny-omni", "Hi", List.of(), List.of(), maxTokens, 0, 5,
                Set.of(Modality.TEXT, Modality.AUDIO)), sink);
        assertTrue(sink.await(120), "answered");
        assertNull(sink.failure, () -> "failed: " + sink.failure);
        assertTrue(sink.usage.completionTokens() >= 1 && sink.usage.completionTokens() <= maxTokens,
                () -> "completion tokens " + sink.usage.completionTokens());
        assertEquals(1, sink.audio.size());
        assertTrue(WavFiles.read(sink.audio.get(0), "the answer").samples().length > 0);
    }

    @Test
    void aTextRequestStreamsText() throws Exception {
        CollectingSink sink = new CollectingSink();
        runtime.invoke(new ModelRequest("tiny-omni", "Hello there", List.of(), List.of(), 8, 0.8, 11,
                Set.of(Modality.TEXT)), sink);
        assertTrue(sink.await(120));
        assertNull(sink.failure, () -> "failed: " + sink.failure);
        assertEquals(12, sink.usage.promptTokens());
        assertTrue(sink.audio.isEmpty());
    }

    @Test
    void badInputFailsAtOnceWithTheReason() throws Exception {
        CollectingSink sink = new CollectingSink();
        runtime.invoke(new ModelRequest("tiny-omni", "x", List.of(new byte[] {1, 2, 3}), List.of(), 4, 0, 1,
                Set.of()), sink);
        assertTrue(sink.await(1));
        assertEquals(400, sink.failure.httpStatus());
        assertTrue(sink.failure.message().contains("image 1"), sink.failure.message());
        CollectingSink unknown = new CollectingSink();
        runtime.invoke(new ModelRequest("tiny-vl", "x", List.of(), List.of(), 4, 0, 1, Set.of()), unknown);
        assertEquals(404, unknown.failure.httpStatus());
    }
}
