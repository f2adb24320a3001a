package org.cornserve.runtime.sidecar;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One side of the cross-host sidecar test, run in a network namespace of its own.
 *
 * <p>{@code serve ADDRESS SHM_DIR SESSION}: a tensor stream server on {@code ADDRESS} placing tensors in its
 * shared memory (tensors unreleased after 50 ms are reclaimed, so the timed rounds need no consumer); prints
 * {@code listening PORT}, runs until its standard input closes.
 *
 * <p>{@code send HOST:PORT ROUNDS SIZE_BYTES...}: for each size, {@code ROUNDS} timed rounds of sends (each one
 * ends when the remote host has placed the tensor and answered its reference); prints {@code result SIZE GB/s}
 * (the best round), then one more tensor of known content as {@code ref SEGMENT GENERATION BYTES}, and waits for a
 * line on standard input (the checker has read it) before the next size.
 */
public final class NetnsTensorHost {
    private NetnsTensorHost() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (args[0].equals("serve")) {
            try (SharedMemorySidecar sidecar = new SharedMemorySidecar(Path.of(args[2]), args[3], "srv", 50,
                    System::currentTimeMillis);
                    TensorStreamServer server = new TensorStreamServer(sidecar,
                            new InetSocketAddress(InetAddress.getByName(args[1]), 0))) {
                System.out.println("listening " + server.address().getPort());
                System.out.flush();
                while (in.readLine() != null) {
                    // runs until the test closes our input
                }
            }
            return;
        }
        String[] hp = args[1].split(":");
        int rounds = Integer.parseInt(args[2]);
        try (TensorStreamClient client = new TensorStreamClient(new InetSocketAddress(hp[0],
                Integer.parseInt(hp[1])))) {
            for (int a = 3; a < args.length; a++) {
                int bytes = Integer.parseInt(args[a]);
                ByteBuffer payload = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
                int reps = Math.max(4, (128 << 20) / bytes);
                double best = 0;
                for (int r = 0; r <= rounds; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) {
                        client.send(payload, 1);
                    }
                    double gbps = (double) bytes * reps / (System.nanoTime() - t0);
                    best = r == 0 ? best : Math.max(best, gbps);
                }
                System.out.printf(Locale.ROOT, "result %d %.3f%n", bytes, best);
                float[] known = new float[bytes / Float.BYTES];
                for (int i = 0; i < known.length; i++) {
                    known[i] = i * 0.5f + bytes;
                }
                TensorRef ref = client.sendFloats(known, 1);
                System.out.println("ref " + ref.segment() + " " + ref.generation() + " " + ref.bytes());
                System.out.flush();
                in.readLine();
            }
        }
    }
}
