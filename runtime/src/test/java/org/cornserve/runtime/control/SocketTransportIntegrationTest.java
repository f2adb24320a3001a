package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.cornserve.model.Modality;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cross-host tensor path forced on one machine ({@code --tensor-transport socket}): every tensor between two
 * processes streams through the sidecars over loopback, and the answers equal those of shared memory.
 */
@Tag("integration")
class SocketTransportIntegrationTest {

    private static void assertNoSegmentsLeft(Path shm) throws Exception {
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory segment is left");
        }
    }

    /** The chat app (vision encoder and LLM in two deployments) over HTTP: same answers, pixels and embeddings streamed. */
    @Test
    @Timeout(400)
    void theChatAppAnswersTheSameOverTheSocketStreamAsOverSharedMemory() throws Exception {
        Path shm = Files.createTempDirectory("cornserve-socket-it");
        var plan = PlanValidator.builtIn().readAndValidate(Path.of("src/test/resources/plans/tiny-vl-split-cpu.json"));
        int requests = 3;
        RuntimeOptions options = RuntimeOptions.defaults().withShmDir(shm);
        ChatTransportBench.Result viaShm = ChatTransportBench.run(plan, DeviceSlots.parse("cpu:2"),
                options.withTensorTransport(TensorTransport.Mode.SHM), 0, requests, 96, 10);
        assertNoSegmentsLeft(shm);
        ChatTransportBench.Result viaSocket = ChatTransportBench.run(plan, DeviceSlots.parse("cpu:2"),
                options.withTensorTransport(TensorTransport.Mode.SOCKET), 0, requests, 96, 10);
        assertNoSegmentsLeft(shm);
        assertEquals(requests, viaShm.answers().size());
        assertEquals(viaShm.answers(), viaSocket.answers(), "the same answers by either transport");
        assertEquals(0, viaShm.streamedTensors(), "shared memory streams nothing");
        // per request: the image's pixels fetched by the encoder's host, its embeddings streamed to the LLM's
        assertEquals(2L * requests, viaSocket.streamedTensors());
        long pixels = 3L * 84 * 84 * Float.BYTES; // 96 px resized to the encoder's 84 (3 x 3 patches of 28)
        assertTrue(viaSocket.streamedBytes() > requests * pixels / 2, () -> viaSocket.streamedBytes() + " bytes");
        Files.deleteIfExists(shm);
    }

    /**
     * The default plan (thinker; talker and vocoder apart): the thinker's hidden states stream to the talker and the
     * vocoder's WAV to the control plane; text and WAV equal those of shared memory, byte for byte.
     */
    @Test
    @Timeout(400)
    void speechCrossesByStreamWithTheSameWav() throws Exception {
        Path shm = Files.createTempDirectory("cornserve-socket-it");
        CollectingSink[] sinks = new CollectingSink[2];
        long[] streamed = new long[2];
        long[] received = new long[2];
        TensorTransport.Mode[] modes = {TensorTransport.Mode.SHM, TensorTransport.Mode.SOCKET};
        for (int m = 0; m < 2; m++) {
            try (ControlPlane runtime = Runtimes.start(Runtimes.defaultPlan(), DeviceSlots.parse("cpu:2"),
                    RuntimeOptions.defaults().withShmDir(shm).withTensorTransport(modes[m]))) {
                CollectingSink sink = new CollectingSink();
                runtime.invoke(new ModelRequest("tiny-omni", "Describe this.",
                        List.of(ControlPlaneIntegrationTest.png(84, 56, 1)), List.of(ControlPlaneIntegrationTest.wav(1)),
                        5, 0.5, 3, Set.of(Modality.TEXT, Modality.AUDIO)), sink);
                assertTrue(sink.await(180), "answered");
                assertNull(sink.failure, () -> modes[0] + ": failed: " + sink.failure);
                sinks[m] = sink;
                streamed[m] = runtime.tensorTransport().streamedTensors();
                received[m] = runtime.tensorTransport().receivedTensors();
            }
            assertNoSegmentsLeft(shm);
        }
        assertEquals(sinks[0].text.toString(), sinks[1].text.toString());
        assertEquals(1, sinks[1].audio.size());
        assertArrayEquals(sinks[0].audio.get(0), sinks[1].audio.get(0), "the same WAV by either transport");
        assertEquals(0, streamed[0]);
        // the image and the audio clip fetched by the thinker, its hidden states streamed to the talker (the plan's
        // chunk of one token: a tensor per token it generated, the last one's with the rest); the WAV back to the
        // control plane's own stream server
        assertEquals(2 + sinks[1].usage.completionTokens(), streamed[1]);
        assertEquals(0, received[0]);
        assertEquals(1, received[1], "the vocoder streamed its WAV to the control plane");
        Files.deleteIfExists(shm);
    }

    /**
     * A consumer's executor that dies and is replaced listens on a new port: tensors stream to the new endpoint, and
     * the same request gets the same answer as before the crash.
     */
    @Test
    @Timeout(400)
    void aReplacedExecutorGetsTensorsAtItsNewEndpoint() throws Exception {
        Path shm = Files.createTempDirectory("cornserve-socket-it");
        var plan = PlanValidator.builtIn().readAndValidate(Path.of("src/test/resources/plans/tiny-vl-split-cpu.json"));
        try (ControlPlane runtime = Runtimes.start(plan, DeviceSlots.parse("cpu:2"), RuntimeOptions.defaults()
                .withShmDir(shm).withTensorTransport(TensorTransport.Mode.SOCKET))) {
            ModelRequest request = new ModelRequest("tiny-vl", "What is it?",
                    List.of(ControlPlaneIntegrationTest.png(70, 84, 9)), List.of(), 6, 0.7, 5, Set.of());
            CollectingSink before = new CollectingSink();
            runtime.invoke(request, before);
            assertTrue(before.await(120));
            assertNull(before.failure, () -> "failed: " + before.failure);
            TaskManager llm = runtime.taskManagers().get(1);
            ExecutorHandle old = llm.executor(0);
            int oldPort = old.sidecar().streamPort();
            old.kill();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while ((llm.executor(0) == old || !llm.executor(0).ready()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(llm.executor(0) != old && llm.executor(0).ready(), "a new LLM executor is up");
            assertTrue(llm.executor(0).sidecar().streamPort() != oldPort
                    || !llm.executor(0).sidecar().streamHost().equals(old.sidecar().streamHost()), "a new endpoint");
            long streamedBefore = runtime.tensorTransport().streamedTensors();
            CollectingSink after;
            long upDeadline = System.nanoTime() + 30_000_000_000L;
            do {
                after = new CollectingSink();
                runtime.invoke(request, after);
                assertTrue(after.await(120), "answered or refused in bounded time");
            } while (after.failure != null && after.failure.httpStatus() == 503 && System.nanoTime() < upDeadline);
            CollectingSink served = after;
            assertNull(served.failure, () -> "failed after the restart: " + served.failure);
            assertEquals(before.text.toString(), served.text.toString());
            assertTrue(runtime.tensorTransport().streamedTensors() >= streamedBefore + 2);
        }
        assertNoSegmentsLeft(shm);
        Files.deleteIfExists(shm);
    }
}
