package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.launch.ExecutorSpec;
import org.cornserve.runtime.sidecar.SharedMemoryDomain;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorForwarder;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which moves cross by stream, and what a move's end looks like, on a fake loop. */
class SidecarTensorTransportTest {
    @TempDir
    Path shm;

    /** A loop that runs posted facts when told and keeps timers by time. */
    static final class FakeLoop implements LoopServices {
        long now;
        final List<Runnable> posted = new ArrayList<>();
        final TreeMap<Long, List<Runnable>> timers = new TreeMap<>();

        @Override
        public long nowNanos() {
            return now;
        }

        @Override
        public void post(Runnable fact) {
            posted.add(fact);
        }

        @Override
        public void at(long atNanos, Runnable fact) {
            timers.computeIfAbsent(atNanos, k -> new ArrayList<>()).add(fact);
        }

        void runPosted() {
            List<Runnable> now = new ArrayList<>(posted);
            posted.clear();
            now.forEach(Runnable::run);
        }

        void advanceTo(long nanos) {
            now = nanos;
            while (!timers.isEmpty() && timers.firstKey() <= nanos) {
                timers.pollFirstEntry().getValue().forEach(Runnable::run);
            }
        }
    }

    /** What a move ended with. */
    static final class Outcome implements TensorTransport.Moved {
        TensorRef moved;
        String failed;
        int ends;

        @Override
        public void moved(TensorRef tensor) {
            moved = tensor;
            ends++;
        }

        @Override
        public void failed(String reason) {
            failed = reason;
            ends++;
        }
    }

    private ExecutorHandle executor(String id, String domain, int port) {
        ExecutorHandle h = new ExecutorHandle(new ExecutorSpec(id, List.of("tiny-vl/llm"), 1, 1, 64, 4,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), "t", shm, 1000), 0, null);
        h.attachSidecar(new ExecutorReport.Sidecar(domain, "127.0.0.1", port));
        return h;
    }

    private SidecarTensorTransport transport(TensorTransport.Mode mode, FakeLoop loop, ExecutorHandle[][] executors,
            SharedMemorySidecar sidecar) throws IOException {
        return new SidecarTensorTransport(mode, loop, (d, r) -> executors[d][r], sidecar, shm,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    }

    @ParameterizedTest
    @EnumSource(TensorTransport.Mode.class)
    void whoSharesMemoryFollowsTheModeAndTheDomains(TensorTransport.Mode mode) throws IOException {
        String here = SharedMemoryDomain.of(shm);
        ExecutorHandle[][] ex = {{executor("a", here, 1), executor("b", here, 2)}, {executor("c", "elsewhere/1", 3)}};
        FakeLoop loop = new FakeLoop();
        try (SharedMemorySidecar cp = new SharedMemorySidecar(shm, "t", "cp", 1000, () -> loop.now);
                SidecarTensorTransport t = transport(mode, loop, ex, cp)) {
            assertTrue(t.shareMemory(0, 1, 0, 1), "a replica always shares its own memory");
            assertEquals(mode != TensorTransport.Mode.SOCKET, t.shareMemory(0, 0, 0, 1), "same domain");
            assertEquals(mode == TensorTransport.Mode.SHM, t.shareMemory(0, 0, 1, 0), "different domains");
            assertEquals(mode != TensorTransport.Mode.SOCKET, t.sharesControlMemory(0, 0));
            assertEquals(mode == TensorTransport.Mode.SHM, t.sharesControlMemory(1, 0));
            assertEquals(t.sharesControlMemory(1, 0), t.controlSidecarFor(1, 0) == null);
        }
    }

    @Test
    void aMoveWithinADomainHandsOnTheSameReferenceAndACrossingOneTheCopysOrFailsInTime() throws IOException {
        String here = SharedMemoryDomain.of(shm);
        ExecutorHandle[][] ex = {{executor("a", here, 1)}, {executor("b", "elsewhere/1", 2)}, {executor("c", here, 3)}};
        FakeLoop loop = new FakeLoop();
        try (SharedMemorySidecar cp = new SharedMemorySidecar(shm, "t", "cp", 1000, () -> loop.now);
                SidecarTensorTransport t = transport(TensorTransport.Mode.AUTO, loop, ex, cp)) {
            TensorRef ref = cp.putFloats(new float[8], 1);
            Outcome same = new Outcome();
            t.move(0, 0, 2, 0, ref, ref.bytes(), same);
            assertEquals(0, same.ends, "posted, not run inside the decision");
            loop.runPosted();
            assertSame(ref, same.moved);

            Outcome crossing = new Outcome();
            t.move(0, 0, 1, 0, ref, ref.bytes(), crossing);
            loop.runPosted();
            assertEquals(0, crossing.ends, "waits for the producer's answer");
            TensorRef copy = new TensorRef("cornserve-t-b-1", 1, ref.bytes());
            t.forwarded(new ExecutorReport.Forwarded(1, copy, null));
            assertSame(copy, crossing.moved);
            assertEquals(1, t.streamedTensors());
            loop.advanceTo(100_000_000L);
            assertEquals(1, crossing.ends, "the timer after an answer does nothing");

            Outcome refused = new Outcome();
            t.move(0, 0, 1, 0, ref, ref.bytes(), refused);
            t.forwarded(new ExecutorReport.Forwarded(2, null, "connection refused"));
            assertTrue(refused.failed.contains("connection refused"), refused.failed);

            Outcome silent = new Outcome();
            t.move(0, 0, 1, 0, ref, ref.bytes(), silent);
            loop.advanceTo(loop.now + 49_000_000L);
            assertEquals(0, silent.ends);
            loop.advanceTo(loop.now + 1_000_000L);
            assertTrue(silent.failed.contains("within 50 ms"), silent.failed);
            t.forwarded(new ExecutorReport.Forwarded(3, copy, null));
            assertEquals(1, silent.ends, "a late answer is ignored");

            Outcome none = new Outcome();
            t.move(0, 0, 1, 0, null, 0, none);
            loop.runPosted();
            assertEquals(1, none.ends);
            assertNull(none.moved, "an edge without a tensor moves at once");
        }
    }

    @Test
    void anExecutorOnAnotherHostFetchesMediaFromTheControlPlanesSidecarAndItsShareIsReleased(@TempDir Path remoteShm)
            throws IOException {
        FakeLoop loop = new FakeLoop();
        ExecutorHandle[][] ex = {{executor("ex", "elsewhere/1", 1)}};
        try (SharedMemorySidecar cp = new SharedMemorySidecar(shm, "t", "cp", 60_000, () -> loop.now);
                SharedMemorySidecar remote = new SharedMemorySidecar(remoteShm, "t", "ex", 60_000, () -> loop.now);
                TensorForwarder executorSide = new TensorForwarder(remote);
                SidecarTensorTransport t = transport(TensorTransport.Mode.AUTO, loop, ex, cp)) {
            float[] pixels = {1, 2, 3, 4, 5};
            TensorRef placed = cp.putFloats(pixels, 1);
            String at = t.controlSidecarFor(0, 0);
            assertTrue(at.startsWith("*:"), at);
            TensorRef there = executorSide.fetch(placed, TensorForwarder.address("127.0.0.1" + at.substring(1)), 1);
            assertFalse(there.equals(placed));
            assertArrayEquals(pixels, remote.readFloats(there));
            // the serving side releases its share after the last byte is sent, so the fetch can return first:
            // wait for it (bounded) rather than race it
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((cp.live() != 0 || t.streamedTensors() < 1 || t.streamedBytes() < pixels.length * Float.BYTES)
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.yield();
            }
            assertEquals(0, cp.live(), "the control plane's share went with the fetch");
            assertEquals(1, t.streamedTensors());
            assertEquals(pixels.length * Float.BYTES, t.streamedBytes());
            IOException gone = assertThrows(IOException.class, () -> executorSide.fetch(placed,
                    TensorForwarder.address("127.0.0.1" + at.substring(1)), 1));
            assertTrue(gone.getMessage().contains("no longer holds"), gone.getMessage());
        }
    }

    @Test
    void modesParseByNameAndAnUnknownOneListsTheKnown() {
        assertEquals(TensorTransport.Mode.SOCKET, TensorTransport.Mode.byName("socket"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorTransport.Mode.byName("rdma"));
        assertTrue(e.getMessage().contains("[auto, shm, socket]"), e.getMessage());
    }
}
