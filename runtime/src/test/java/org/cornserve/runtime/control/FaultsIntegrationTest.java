package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.cornserve.model.Modality;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults over the real runtime: an executor killed mid-request, an exception inside a unit task, overload. */
@Tag("integration")
class FaultsIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;


    private static ModelRequest text(String prompt, int maxTokens) {
        return new ModelRequest("tiny-omni", prompt, List.of(), List.of(), maxTokens, 0, 1, Set.of(Modality.TEXT));
    }

    @Test
    @Timeout(300)
    void faultsFailOnlyWhatTheyTouchAndTheRuntimeRecovers() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        try (ControlPlane runtime = Runtimes.start(Runtimes.defaultPlan(), DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withRequestTimeoutMillis(60_000).withAdmissionBound(6))) {
            // an exception inside one unit task (audio past the encoder's limit) fails only that request
            CollectingSink tooLong = new CollectingSink();
            CollectingSink fine = new CollectingSink();
            runtime.invoke(new ModelRequest("tiny-omni", "listen", List.of(), List.of(ControlPlaneIntegrationTest.wav(301)), 4, 0,
                    1, Set.of()), tooLong);
            runtime.invoke(text("hello", 4), fine);
            assertTrue(tooLong.await(60) && fine.await(60));
            assertEquals(500, tooLong.failure.httpStatus());
            assertEquals("tiny-omni/audio-encoder", tooLong.failure.stage());
            assertTrue(tooLong.failure.message().contains("exceeds the encoder's limit"), tooLong.failure.message());
            assertNull(fine.failure, () -> "failed: " + fine.failure);

            // load past the admission bound is refused at once
            List<CollectingSink> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                CollectingSink s = new CollectingSink();
                burst.add(s);
                runtime.invoke(text("burst " + i, 40), s);
            }
            long t0 = System.nanoTime();
            int refused = 0;
            for (CollectingSink s : burst) {
                assertTrue(s.await(120));
                if (s.failure != null) {
                    assertEquals(429, s.failure.httpStatus(), s.failure.toString());
                    refused++;
                }
            }
            assertTrue(refused > 0, "some of the burst is refused");
            assertTrue(refused < 20, "the bound admits some");

            // an executor killed mid-request: the request fails with 503 in bounded time, the executor restarts
            CollectingSink victim = new CollectingSink();
            runtime.invoke(text("a long answer please", 400), victim);
            while (victim.firstTextNanos < 0 && victim.ends() == 0) {
                Thread.sleep(5);
            }
            long killedAt = System.nanoTime();
            runtime.taskManagers().get(0).executor(0).kill();
            assertTrue(victim.await(30), "the request ends within 30 s of the kill");
            assertEquals(503, victim.failure.httpStatus(), victim.failure.toString());
            assertEquals("tiny-omni/llm", victim.failure.stage(), "the failure names the stage lost");
            assertTrue(victim.failure.message().contains("not retried"), victim.failure.message());
            assertTrue((System.nanoTime() - killedAt) / 1e9 < 30);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (runtime.stats().deployments().get(0).readyReplicas() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, runtime.stats().deployments().get(0).restarts());
            assertEquals(1, runtime.stats().deployments().get(0).readyReplicas());
            assertEquals(1, runtime.deployments().get(0).restarts(), "the restart shows in the gateway's metrics");
            CollectingSink after = new CollectingSink();
            long upDeadline = System.nanoTime() + 30_000_000_000L;
            do {
                after = new CollectingSink();
                runtime.invoke(text("after the restart", 4), after);
                assertTrue(after.await(60));
            } while (after.failure != null && after.failure.httpStatus() == 503 && System.nanoTime() < upDeadline);
            final CollectingSink served = after;
            assertNull(served.failure, () -> "the restarted executor serves: " + served.failure);

            // a client that leaves mid-stream cancels its request: the core frees its KV reservation
            CollectingSink leaving = new CollectingSink();
            org.cornserve.runtime.serve.InvocationHandle h = runtime.invoke(text("talk for a long time", 1500), leaving);
            while (leaving.firstTextNanos < 0 && leaving.ends() == 0) {
                Thread.sleep(5);
            }
            assertTrue(runtime.kvUsedTokens(0) > 0, "the running sequence holds KV blocks");
            h.cancel();
            long kvDeadline = System.nanoTime() + 10_000_000_000L;
            while (runtime.kvUsedTokens(0) > 0 && System.nanoTime() < kvDeadline) {
                Thread.sleep(20);
            }
            assertEquals(0, runtime.kvUsedTokens(0), "cancel frees the KV blocks");
            assertEquals(0, leaving.ends(), "a cancelled request gets no answer");
        }
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
