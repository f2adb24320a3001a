package org.cornserve.runtime.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.runtime.sidecar.TensorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The binary step frames read back as what was sent; JSON (the other encoding of the same records) is the reference. */
class StepFramesTest {

    private static byte[] encode(Object message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StepFrames.write(message, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static String json(Object message) throws IOException {
        return FrameChannel.JSON.writeValueAsString(message);
    }

    private static String text(SplittableRandom rnd) {
        String[] words = {"stop", "length", "done", "tiny-omni/llm", "stage ü 文字", "", "a\nb"};
        return words[rnd.nextInt(words.length)] + (rnd.nextBoolean() ? rnd.nextInt(1000) : "");
    }

    private static TensorRef tensor(SplittableRandom rnd) {
        return new TensorRef("cornserve-s1-ex" + rnd.nextInt(100) + "-" + rnd.nextInt(1 << 20), 1 + rnd.nextInt(50),
                rnd.nextLong(1L << 40));
    }

    /** A random message of each binary kind, from {@code seed}. */
    static List<Object> messages(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ExecutorCommand.StepItem> items = new ArrayList<>();
        ExecutorCommand.ItemKind[] kinds = ExecutorCommand.ItemKind.values();
        for (int i = rnd.nextInt(6); i > 0; i--) {
            items.add(new ExecutorCommand.StepItem(rnd.nextLong(), kinds[rnd.nextInt(kinds.length)], rnd.nextLong(1 << 20),
                    rnd.nextLong(1 << 12)));
        }
        List<Long> closed = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            closed.add(rnd.nextLong());
        }
        List<ExecutorReport.Emitted> emitted = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            emitted.add(new ExecutorReport.Emitted(rnd.nextLong(), rnd.ints(rnd.nextInt(5)).toArray()));
        }
        List<ExecutorReport.Ended> ended = new ArrayList<>();
        for (int i = rnd.nextInt(3); i > 0; i--) {
            ended.add(new ExecutorReport.Ended(rnd.nextLong(), text(rnd), rnd.nextInt(4096)));
        }
        List<ExecutorReport.Output> outputs = new ArrayList<>();
        for (int i = rnd.nextInt(3); i > 0; i--) {
            outputs.add(new ExecutorReport.Output(rnd.nextLong(), tensor(rnd), rnd.nextBoolean() ? tensor(rnd) : null,
                    rnd.nextBoolean()));
        }
        ExecutorReport.Failure failure = rnd.nextInt(4) == 0 ? new ExecutorReport.Failure(text(rnd),
                rnd.nextBoolean() ? text(rnd) : null) : null;
        List<TensorRef> inputs = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            inputs.add(tensor(rnd));
        }
        int fetch = inputs.isEmpty() || rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(inputs.size());
        ExecutorCommand.Open open = new ExecutorCommand.Open(rnd.nextLong(), text(rnd), rnd.ints(rnd.nextInt(40))
                .toArray(), inputs, rnd.ints(rnd.nextInt(3), 1, 4096).toArray(), rnd.nextInt(1 << 16),
                rnd.nextDouble() * 2, rnd.nextLong(), rnd.nextBoolean(), rnd.nextInt(3),
                rnd.nextBoolean() ? "*:" + rnd.nextInt(65536) : null, fetch > 0 ? "10.0.0.2:" + rnd.nextInt(65536)
                : null, fetch, rnd.nextBoolean() ? 0 : rnd.nextInt(1, 64));
        return List.of(open, new ExecutorCommand.RunStep(rnd.nextLong(), text(rnd), items, 1 + rnd.nextInt(64)),
                new ExecutorCommand.Cut(rnd.nextLong()), new ExecutorCommand.Close(closed),
                new ExecutorCommand.StreamStates(rnd.nextLong(), rnd.nextBoolean() ? tensor(rnd) : null,
                        rnd.nextBoolean(), rnd.nextInt(1 << 16)),
                new ExecutorReport.StepDone(rnd.nextLong(), 1 + rnd.nextInt(8), emitted, ended, outputs, failure,
                        rnd.nextLong(1L << 40), rnd.nextLong(1L << 50)));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void binaryFramesReadBackAsSent(long seed) throws IOException {
        for (Object message : messages(seed)) {
            byte[] body = encode(message);
            assertTrue(StepFrames.binary(message));
            assertTrue(StepFrames.isBinary(body));
            Object back = StepFrames.read(body);
            assertEquals(message.getClass(), back.getClass());
            assertEquals(json(message), json(back), "seed " + seed);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void everyTruncationIsRefusedWithItsTag(long seed) throws IOException {
        for (Object message : messages(seed)) {
            byte[] body = encode(message);
            for (int cut = 1; cut < body.length; cut++) {
                byte[] part = Arrays.copyOf(body, cut);
                IOException e = assertThrows(IOException.class, () -> StepFrames.read(part),
                        message + " cut at " + cut);
                assertTrue(e.getMessage().contains("tag " + body[0]), e.getMessage());
            }
            byte[] longer = Arrays.copyOf(body, body.length + 3);
            IOException e = assertThrows(IOException.class, () -> StepFrames.read(longer));
            assertTrue(e.getMessage().contains("3 bytes left"), e.getMessage());
        }
    }

    @Test
    void jsonBodiesAreNotTakenForBinaryOnes() throws IOException {
        assertFalse(StepFrames.isBinary(FrameChannel.JSON.writeValueAsBytes(new ExecutorCommand.Shutdown())));
        assertFalse(StepFrames.binary(new ExecutorCommand.Shutdown()));
        IOException e = assertThrows(IOException.class, () -> StepFrames.read(new byte[] {9, 0}));
        assertTrue(e.getMessage().contains("unknown tag 9"), e.getMessage());
    }

    @Test
    void aBadItemKindIsNamed() throws IOException {
        byte[] body = encode(new ExecutorCommand.RunStep(7, "t", List.of(new ExecutorCommand.StepItem(1,
                ExecutorCommand.ItemKind.DECODE, 0, 1)), 1));
        // tag, step, task length + "t", item count, invocation: the kind byte follows
        body[1 + 8 + 4 + 1 + 4 + 8] = 42;
        IOException e = assertThrows(IOException.class, () -> StepFrames.read(body));
        assertTrue(e.getMessage().contains("kind 42"), e.getMessage());
    }

    /** Binary and JSON frames interleave on one loopback connection, in order. */
    @Test
    @Timeout(20)
    void mixedFramesCrossASocketInOrder() throws Exception {
        try (Link link = new Link()) {
            FrameChannel sender = link.sender;
            FrameChannel receiver = link.receiver;
            List<Object> sent = new ArrayList<>();
            for (long seed = 1; seed <= 10; seed++) {
                for (Object m : messages(seed)) {
                    if (m instanceof ExecutorCommand c) {
                        sent.add(c);
                    }
                }
                // JSON frames between them
                sent.add(new ExecutorCommand.Forward(seed, new TensorRef("cornserve-s1-ex1-" + seed, 1, 64),
                        "10.0.0.2:7000"));
                sent.add(new ExecutorCommand.Shutdown());
            }
            for (Object m : sent) {
                sender.send(m);
            }
            assertTrue(sent.stream().anyMatch(m -> !StepFrames.binary(m)), "some frames are JSON");
            for (Object m : sent) {
                assertEquals(json(m), json(receiver.read(ExecutorCommand.class)));
            }
            List<Object> three = messages(3);
            sender.send(three.get(three.size() - 1));
            IOException e = assertThrows(IOException.class, () -> receiver.read(ExecutorCommand.class));
            assertTrue(e.getMessage().contains("StepDone frame where a ExecutorCommand"), e.getMessage());
        }
    }

    /**
     * Queued frames stay in the sender's buffer until a flush, then all cross in one write, in order, and the counts
     * say so; a send flushes what was queued before it too.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    @Timeout(20)
    void queuedFramesCrossInOneWriteAtTheFlush(long seed) throws Exception {
        try (Link link = new Link()) {
            FrameChannel sender = link.sender;
            FrameChannel receiver = link.receiver;
            List<Object> sent = new ArrayList<>();
            for (Object m : messages(seed)) {
                if (m instanceof ExecutorCommand c) {
                    sent.add(c);
                }
            }
            sent.add(new ExecutorCommand.Shutdown());
            long bytes = 0;
            for (Object m : sent) {
                sender.queue(m);
                bytes += 4 + body(m).length;
            }
            Thread.sleep(50);
            assertFalse(receiver.inputWaiting(), "nothing is sent before the flush");
            assertEquals(0, sender.counts()[2], "no write yet");
            sender.flush();
            sender.flush(); // nothing left: not a write
            for (Object m : sent) {
                assertEquals(json(m), json(receiver.read(ExecutorCommand.class)));
            }
            long[] out = sender.counts();
            assertEquals(sent.size(), out[0]);
            assertEquals(bytes, out[1]);
            assertEquals(1, out[2], "one write for all queued frames");
            long[] in = receiver.counts();
            assertEquals(sent.size(), in[3]);
            assertEquals(bytes, in[4]);
            sender.queue(new ExecutorCommand.Cut(seed));
            sender.send(new ExecutorCommand.Cut(seed + 1));
            assertEquals(json(new ExecutorCommand.Cut(seed)), json(receiver.read(ExecutorCommand.class)));
            assertEquals(json(new ExecutorCommand.Cut(seed + 1)), json(receiver.read(ExecutorCommand.class)));
            assertEquals(2, sender.counts()[2]);
        }
    }

    /** Two frame channels joined by a loopback connection. */
    private static final class Link implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        final Socket accepted = server.accept();
        final FrameChannel sender = new FrameChannel(client);
        final FrameChannel receiver = new FrameChannel(accepted);

        Link() throws IOException {
        }

        @Override
        public void close() throws IOException {
            accepted.close();
            client.close();
            server.close();
        }
    }

    private static byte[] body(Object m) throws IOException {
        if (!StepFrames.binary(m)) {
            return FrameChannel.JSON.writeValueAsBytes(m);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        StepFrames.write(m, new DataOutputStream(b));
        return b.toByteArray();
    }
}
