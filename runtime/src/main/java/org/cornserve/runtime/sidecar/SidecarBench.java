package org.cornserve.runtime.sidecar;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Measures the sidecar's throughput against a plain memory copy: for each tensor size, the best of several timed
 * rounds of (a) {@code System.arraycopy} of a float array, (b) a shared-memory transfer (the producer writes the
 * floats into its segment, a second sidecar instance maps it, copies them out into a float array and releases
 * it), with its two halves timed apart (the producer's write, the consumer's copy-out), (c) a loopback socket stream
 * into the receiving host's shared memory plus the consumer's copy-out, (d) the path between executors on two hosts:
 * the producer writes the floats into its segment, a {@link TensorForwarder} streams them from there over loopback into
 * the consumer's sidecar and releases the producer's share, the consumer copies them out and releases its copy;
 * then the references a reader needs to judge those: two memory copies in a row (a transfer between two heaps makes
 * two), a transfer through segments never touched before, and the executors' hand-off with and without arrays in
 * between (see {@link Result}); and what the LLM engine really does with a tensor it receives: copy every row, once,
 * into its activations ({@link #ENGINE_ROW_FLOATS} floats a row, the tiny LLM's hidden width), from a view of the
 * segment (zero copy on the read side), from the array the executor copied it into before (the old path), and, as
 * the reference, from a heap array a memory copy filled (the same read after a plain copy).
 *
 * <p>{@code java ... org.cornserve.runtime.sidecar.SidecarBench [DIR] [SIZE_MB ...]} (default /dev/shm, 1 16).
 */
public final class SidecarBench {
    private SidecarBench() {
    }

    /**
     * One size's figures, in GB/s of payload. {@code twoCopiesGBps}: two {@code System.arraycopy} in a row (heap to
     * heap to heap), the least a hand-off between two processes' heaps costs. {@code coldGBps}: the shared-memory
     * transfer through a segment neither side has touched before (file created and mapped, every page faulted in),
     * what reusing segments saves. {@code handoffCopiedGBps} / {@code handoffGBps}: a tensor in two halves, each a
     * range of a larger producer buffer, read by the consumer into one array, first with arrays in between
     * ({@code Arrays.copyOf} of each range, one array per half, a concatenation: how executors did it before), then
     * straight ({@link SharedMemorySidecar#putFloats(float[], int, int, int)}, {@link
     * SharedMemorySidecar#readFloats(java.util.List)}). {@code sendFloatsGBps}: {@link TensorStreamClient#sendFloats}
     * from a float array over loopback plus the consumer's copy-out.
     *
     * <p>The engine's read, row by row into a preallocated activation array {@code x} (as {@code LlmModel.step}
     * splices input rows): {@code heapReadGBps}, the reference: {@code System.arraycopy} of the tensor into a heap
     * array (the least any hand-off costs) then the rows copied from that array into {@code x};
     * {@code zeroCopyGBps}: the producer's {@link SharedMemorySidecar#putFloats}, the consumer's
     * {@link SharedMemorySidecar#viewFloats}, the rows copied from the view into {@code x} ({@link TensorView#copyTo},
     * each checked against reclamation), the view closed (its reference released): how the executor's LLM receives
     * an encoder's embeddings now; {@code copiedReadGBps}: put, {@link SharedMemorySidecar#readFloats(TensorRef)}
     * into a new array, release, {@code Arrays.copyOfRange} of the prompt's rows (as the runner cut a chunk's rows)
     * and the rows copied into {@code x}: how it did before.
     *
     * <p>The whole hand-off, producer included: the producer's last operator stores its output row by row (modelled
     * as {@link #ENGINE_ROW_FLOATS}-float rows stored from a tile that stays in L1, as a GEMM's register tile does;
     * each row's first float is its index, so every row differs and the consumer's copy is checked) and the consumer
     * reads every row once from a view into {@code x}. {@code heapProducerGBps}: the rows stored into a new heap array
     * (as {@code Linear.apply} returns one), {@link SharedMemorySidecar#putFloats} of it, the view read: how an encoder
     * handed its embeddings on before; {@code inPlaceGBps}: the rows stored straight into a segment from
     * {@link SharedMemorySidecar#allocateFloats}, published, the view read: how it does now. Both against
     * {@code memcpyGBps}, a bare copy of the same bytes.
     */
    public record Result(long bytes, double memcpyGBps, double sharedMemoryGBps, double writeGBps, double readGBps,
            double socketGBps, double forwardGBps, double twoCopiesGBps, double coldGBps, double handoffCopiedGBps,
            double handoffGBps, double sendFloatsGBps, double heapReadGBps, double zeroCopyGBps,
            double copiedReadGBps, double heapProducerGBps, double inPlaceGBps) {
        public double sharedMemoryRatio() {
            return sharedMemoryGBps / memcpyGBps;
        }

        /** The engine's receive path through shared memory against the same read after a plain memory copy. */
        public double zeroCopyRatio() {
            return zeroCopyGBps / heapReadGBps;
        }

        /** Both ends zero copy (written in place, read through a view) against a bare memory copy of the bytes. */
        public double inPlaceRatio() {
            return inPlaceGBps / memcpyGBps;
        }
    }

    /** Floats in one activation row the engine reads at a time (the tiny LLM's hidden width). */
    public static final int ENGINE_ROW_FLOATS = 256;

    /** Runs the benchmark for each size under {@code dir}; every segment it makes is deleted afterwards. */
    public static List<Result> run(Path dir, long[] sizes, int rounds) throws IOException {
        String session = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        List<Result> results = new ArrayList<>();
        try (SharedMemorySidecar producer = new SharedMemorySidecar(dir, session, "p", 60_000, System::currentTimeMillis);
                SharedMemorySidecar consumer = new SharedMemorySidecar(dir, session, "c", 60_000,
                        System::currentTimeMillis);
                SharedMemorySidecar remote = new SharedMemorySidecar(dir, session, "r", 60_000,
                        System::currentTimeMillis);
                TensorStreamServer server = new TensorStreamServer(remote,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                TensorStreamClient client = new TensorStreamClient(server.address());
                TensorForwarder forwarder = new TensorForwarder(producer)) {
            for (long bytes : sizes) {
                int n = Math.toIntExact(bytes / Float.BYTES);
                float[] src = new float[n];
                for (int i = 0; i < n; i++) {
                    src[i] = i * 0.5f;
                }
                float[] dst = new float[n];
                int reps = (int) Math.max(4, (256L << 20) / bytes);
                double copy = best(rounds, reps, bytes, () -> System.arraycopy(src, 0, dst, 0, n));
                double shm = best(rounds, reps, bytes, () -> {
                    TensorRef ref = producer.putFloats(src, 1);
                    consumer.read(ref, b -> b.asFloatBuffer().get(dst));
                    consumer.release(ref);
                });
                TensorRef held = producer.putFloats(src, 1);
                double read = best(rounds, reps, bytes, () -> consumer.read(held, b -> b.asFloatBuffer().get(dst)));
                consumer.release(held);
                double write = best(rounds, reps, bytes, () -> producer.release(producer.putFloats(src, 1)));
                ByteBuffer direct = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
                direct.asFloatBuffer().put(src);
                double socket = best(rounds, Math.max(2, reps / 4), bytes, () -> {
                    TensorRef ref = client.send(direct, 1);
                    consumer.read(ref, b -> b.asFloatBuffer().get(dst));
                    consumer.release(ref);
                });
                double forward = best(rounds, Math.max(2, reps / 4), bytes, () -> {
                    TensorRef there = forwarder.forward(producer.putFloats(src, 1), server.address(), 1);
                    consumer.read(there, b -> b.asFloatBuffer().get(dst));
                    consumer.release(there);
                });
                float[] mid = new float[n];
                double twoCopies = best(rounds, reps, bytes, () -> {
                    System.arraycopy(src, 0, mid, 0, n);
                    System.arraycopy(mid, 0, dst, 0, n);
                });
                long[] fresh = {0};
                double cold = best(rounds, Math.max(2, reps / 4), bytes, () -> {
                    fresh[0]++;
                    try (SharedMemorySidecar p = new SharedMemorySidecar(dir, session, "cp" + fresh[0], 60_000,
                            System::currentTimeMillis);
                            SharedMemorySidecar c = new SharedMemorySidecar(dir, session, "cc" + fresh[0], 60_000,
                                    System::currentTimeMillis)) {
                        TensorRef ref = p.putFloats(src, 1);
                        c.readFloats(ref, dst, 0);
                        c.release(ref);
                    }
                });
                float[] buffer = Arrays.copyOf(src, n + n / 2); // a producer's growing buffer holding the tensor
                int half = n / 2;
                float[][] out = new float[1][];
                double handoffCopied = best(rounds, reps, bytes, () -> {
                    TensorRef a = producer.putFloats(Arrays.copyOf(buffer, half), 1);
                    TensorRef b = producer.putFloats(Arrays.copyOfRange(buffer, half, n), 1);
                    float[] first = consumer.readFloats(a);
                    float[] second = consumer.readFloats(b);
                    float[] joined = Arrays.copyOf(first, n);
                    System.arraycopy(second, 0, joined, half, n - half);
                    consumer.release(a);
                    consumer.release(b);
                    out[0] = joined;
                });
                check(src, out[0]);
                double handoff = best(rounds, reps, bytes, () -> {
                    List<TensorRef> refs = List.of(producer.putFloats(buffer, 0, half, 1),
                            producer.putFloats(buffer, half, n - half, 1));
                    out[0] = consumer.readFloats(refs);
                    refs.forEach(consumer::release);
                });
                check(src, out[0]);
                double sendFloats = best(rounds, Math.max(2, reps / 4), bytes, () -> {
                    TensorRef ref = client.sendFloats(src, 1);
                    consumer.readFloats(ref, dst, 0);
                    consumer.release(ref);
                });
                check(src, dst);
                float[] x = new float[n];
                Body heapRead = () -> {
                    System.arraycopy(src, 0, dst, 0, n);
                    for (int at = 0; at < n; at += ENGINE_ROW_FLOATS) {
                        System.arraycopy(dst, at, x, at, Math.min(ENGINE_ROW_FLOATS, n - at));
                    }
                };
                Body zeroCopy = () -> {
                    try (TensorView view = consumer.viewFloats(producer.putFloats(src, 1))) {
                        for (int at = 0; at < n; at += ENGINE_ROW_FLOATS) {
                            view.copyTo(at, x, at, Math.min(ENGINE_ROW_FLOATS, n - at));
                        }
                    }
                };
                zeroCopy.run();
                check(src, x);
                Arrays.fill(x, 0);
                // the three receive paths take turns round by round, so a burst of load on this machine hits each
                double[] engine = bestInterleaved(rounds, reps, bytes, heapRead, zeroCopy, () -> {
                    TensorRef ref = producer.putFloats(src, 1);
                    float[] received = consumer.readFloats(ref);
                    consumer.release(ref);
                    float[] chunk = Arrays.copyOfRange(received, 0, n);
                    for (int at = 0; at < n; at += ENGINE_ROW_FLOATS) {
                        System.arraycopy(chunk, at, x, at, Math.min(ENGINE_ROW_FLOATS, n - at));
                    }
                });
                check(src, x);
                double[] producerSide = producerSide(producer, consumer, n, rounds, reps, bytes, src, dst, x);
                // the best bare memcpy seen, the one taken alone or the one interleaved with the producer's paths
                results.add(new Result(bytes, Math.max(copy, producerSide[0]), shm, write, read, socket, forward, twoCopies, cold, handoffCopied,
                        handoff, sendFloats, engine[0], engine[1], engine[2], producerSide[1], producerSide[2]));
            }
        } finally {
            SharedMemorySidecar.deleteSession(dir, session);
        }
        return results;
    }

    /**
     * The producer's side too: a bare memcpy, the rows stored into a heap array then put, the rows stored in place;
     * the consumer of both reads every row from a view. Rounds interleave (memcpy, heap, in place, ...); the best of
     * each.
     */
    private static double[] producerSide(SharedMemorySidecar producer, SharedMemorySidecar consumer, int n,
            int rounds, int reps, long bytes, float[] src, float[] dst, float[] x) throws IOException {
        float[] tile = new float[ENGINE_ROW_FLOATS];
        for (int i = 0; i < tile.length; i++) {
            tile[i] = i * 0.25f;
        }
        float[] expected = new float[n];
        for (int at = 0, row = 0; at < n; at += ENGINE_ROW_FLOATS, row++) {
            tile[0] = row;
            System.arraycopy(tile, 0, expected, at, Math.min(ENGINE_ROW_FLOATS, n - at));
        }
        Body heapProducer = () -> {
            float[] out = new float[n];
            for (int at = 0, row = 0; at < n; at += ENGINE_ROW_FLOATS, row++) {
                tile[0] = row;
                System.arraycopy(tile, 0, out, at, Math.min(ENGINE_ROW_FLOATS, n - at));
            }
            readRows(consumer, producer.putFloats(out, 1), n, x);
        };
        Body inPlace = () -> {
            TensorRef ref;
            try (WritableTensor out = producer.allocateFloats(n, 1)) {
                FloatBuffer floats = out.floats();
                for (int at = 0, row = 0; at < n; at += ENGINE_ROW_FLOATS, row++) {
                    tile[0] = row;
                    floats.put(at, tile, 0, Math.min(ENGINE_ROW_FLOATS, n - at));
                }
                ref = out.publish();
            }
            readRows(consumer, ref, n, x);
        };
        heapProducer.run();
        check(expected, x);
        Arrays.fill(x, 0);
        inPlace.run();
        check(expected, x);
        return bestInterleaved(rounds, reps, bytes, () -> System.arraycopy(src, 0, dst, 0, n), heapProducer,
                inPlace);
    }

    /** The consumer reads every row of the tensor once from a view into {@code x}, then releases it. */
    private static void readRows(SharedMemorySidecar consumer, TensorRef ref, int n, float[] x) {
        try (TensorView view = consumer.viewFloats(ref)) {
            for (int at = 0; at < n; at += ENGINE_ROW_FLOATS) {
                view.copyTo(at, x, at, Math.min(ENGINE_ROW_FLOATS, n - at));
            }
        }
    }

    private static void check(float[] expected, float[] got) {
        if (!Arrays.equals(expected, got)) {
            throw new IllegalStateException("sidecar bench: payload corrupted");
        }
    }

    private interface Body {
        void run() throws IOException;
    }

    /** The best rate of {@code rounds} timed rounds of {@code reps} runs of {@code body}, after one warm-up round. */
    private static double best(int rounds, int reps, long bytes, Body body) throws IOException {
        return bestInterleaved(rounds, reps, bytes, body)[0];
    }

    /**
     * As {@link #best} for several bodies whose rounds alternate (body 0, 1, ..., then the next round), the first
     * round of each a warm-up; the best rate of each.
     */
    private static double[] bestInterleaved(int rounds, int reps, long bytes, Body... bodies) throws IOException {
        double[] best = new double[bodies.length];
        for (int r = 0; r <= rounds; r++) {
            for (int b = 0; b < bodies.length; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    bodies[b].run();
                }
                double gbps = (double) bytes * reps / (System.nanoTime() - t0);
                if (r > 0) {
                    best[b] = Math.max(best[b], gbps);
                }
            }
        }
        return best;
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : SharedMemorySidecar.DEV_SHM;
        long[] sizes = args.length > 1 ? new long[args.length - 1] : new long[] {1L << 20, 16L << 20};
        for (int i = 1; i < args.length; i++) {
            sizes[i - 1] = (long) (Double.parseDouble(args[i]) * (1 << 20));
        }
        System.out.println("size_MB  memcpy_GB/s  shm_GB/s  shm/memcpy  write_GB/s  read_GB/s  socket_GB/s"
                + "  forward_GB/s  2copies_GB/s  shm/2copies  cold_GB/s  handoff_copied_GB/s  handoff_GB/s"
                + "  sendFloats_GB/s  heap_read_GB/s  zero_copy_GB/s  zero_copy/heap_read  copied_read_GB/s"
                + "  heap_producer_GB/s  in_place_GB/s  in_place/memcpy");
        for (Result r : run(dir, sizes, 5)) {
            System.out.printf(Locale.ROOT, "%7.1f  %11.2f  %8.2f  %10.2f  %10.2f  %9.2f  %11.2f  %12.2f  %12.2f  %11.2f"
                    + "  %9.2f  %19.2f  %12.2f  %15.2f  %14.2f  %14.2f  %19.2f  %16.2f  %18.2f  %13.2f  %15.2f%n",
                    r.bytes() / (double) (1 << 20),
                    r.memcpyGBps(), r.sharedMemoryGBps(), r.sharedMemoryRatio(), r.writeGBps(), r.readGBps(),
                    r.socketGBps(), r.forwardGBps(), r.twoCopiesGBps(), r.sharedMemoryGBps() / r.twoCopiesGBps(),
                    r.coldGBps(), r.handoffCopiedGBps(), r.handoffGBps(), r.sendFloatsGBps(), r.heapReadGBps(),
                    r.zeroCopyGBps(), r.zeroCopyRatio(), r.copiedReadGBps(), r.heapProducerGBps(), r.inPlaceGBps(),
                    r.inPlaceRatio());
        }
    }
}
