package org.cornserve.runtime.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sidecar's path between hosts with real network stacks: two network namespaces joined by a veth pair with
 * addresses of this test's own (10.213.N.1 and .2/24), a {@link TensorStreamServer} process in one and a
 * {@link TensorStreamClient} process in the other; tensors of 1 MB and 16 MB cross, the last of each size is checked
 * byte for byte in the receiving host's shared memory. Prints the throughput beside the same-host shared-memory
 * path ({@link SidecarBench}). Skipped, with the reason, where namespaces cannot be made (not root, no {@code ip}).
 * The namespaces are deleted in every case.
 */
@Tag("integration")
class CrossHostSidecarIntegrationTest {
    static final int[] SIZES = {1 << 20, 16 << 20};

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
        return out;
    }

    private static Process inNamespace(String ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), NetnsTensorHost.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Test
    @Timeout(180)
    void tensorsCrossBetweenNetworkNamespaces() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "no 'ip' command: cannot make network namespaces");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "not root: 'ip netns add' needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)");
        int tag = new Random().nextInt(1 << 16);
        String a = String.format(Locale.ROOT, "cs-a-%04x", tag);
        String b = String.format(Locale.ROOT, "cs-b-%04x", tag);
        String net = "10.213." + (1 + tag % 250) + ".";
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "cornserve-netns-");
        String session = "netns" + Integer.toHexString(tag);
        List<Process> started = new ArrayList<>();
        try {
            try {
                run("ip", "netns", "add", a);
                run("ip", "netns", "add", b);
                run("ip", "link", "add", "csva" + Integer.toHexString(tag), "type", "veth", "peer", "name",
                        "csvb" + Integer.toHexString(tag));
            } catch (IOException e) {
                Assumptions.abort("cannot create network namespaces here: " + e.getMessage());
            }
            run("ip", "link", "set", "csva" + Integer.toHexString(tag), "netns", a);
            run("ip", "link", "set", "csvb" + Integer.toHexString(tag), "netns", b);
            run("ip", "-n", a, "addr", "add", net + "1/24", "dev", "csva" + Integer.toHexString(tag));
            run("ip", "-n", b, "addr", "add", net + "2/24", "dev", "csvb" + Integer.toHexString(tag));
            for (String[] nd : new String[][] {{a, "csva"}, {b, "csvb"}}) {
                run("ip", "-n", nd[0], "link", "set", nd[1] + Integer.toHexString(tag), "up");
                run("ip", "-n", nd[0], "link", "set", "lo", "up");
            }
            Process server = inNamespace(a, "serve", net + "1", shm.toString(), session);
            started.add(server);
            BufferedReader sOut = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String listening = sOut.readLine();
            assertTrue(listening != null && listening.startsWith("listening "), "server said: " + listening);
            String port = listening.substring("listening ".length());
            List<String> args = new ArrayList<>(List.of("send", net + "1:" + port, "3"));
            for (int s : SIZES) {
                args.add(Integer.toString(s));
            }
            Process client = inNamespace(b, args.toArray(String[]::new));
            started.add(client);
            BufferedReader cOut = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8));
            PrintWriter cIn = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8);
            double[] crossGbps = new double[SIZES.length];
            try (SharedMemorySidecar checker = new SharedMemorySidecar(shm, session, "chk", 60_000,
                    System::currentTimeMillis)) {
                for (int i = 0; i < SIZES.length; i++) {
                    String[] result = cOut.readLine().split(" ");
                    assertEquals("result", result[0]);
                    crossGbps[i] = Double.parseDouble(result[2]);
                    String[] r = cOut.readLine().split(" ");
                    assertEquals("ref", r[0]);
                    TensorRef ref = new TensorRef(r[1], Long.parseLong(r[2]), Long.parseLong(r[3]));
                    float[] got = checker.readFloats(ref);
                    assertEquals(SIZES[i] / Float.BYTES, got.length);
                    for (int k = 0; k < got.length; k++) {
                        if (got[k] != k * 0.5f + SIZES[i]) {
                            throw new AssertionError("tensor of " + SIZES[i] + " bytes: float " + k + " is " + got[k]);
                        }
                    }
                    checker.release(ref);
                    cIn.println("next");
                }
            }
            assertTrue(client.waitFor(30, TimeUnit.SECONDS) && client.exitValue() == 0, "the client ended cleanly");
            server.getOutputStream().close();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server ended");
            List<SidecarBench.Result> same = SidecarBench.run(shm, new long[] {SIZES[0], SIZES[1]}, 3);
            for (int i = 0; i < SIZES.length; i++) {
                SidecarBench.Result r = same.get(i);
                System.err.printf(Locale.ROOT, "cross-host sidecar %2d MB: veth between namespaces %.2f GB/s; same "
                        + "host: shared memory %.2f GB/s, loopback socket %.2f GB/s, memcpy %.2f GB/s%n",
                        SIZES[i] >> 20, crossGbps[i], r.sharedMemoryGBps(), r.socketGBps(), r.memcpyGBps());
                assertTrue(crossGbps[i] > 0);
            }
        } finally {
            for (Process p : started) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            for (String ns : List.of(a, b)) {
                try {
                    run("ip", "netns", "del", ns);
                } catch (IOException e) {
                    // it was never made
                }
            }
            SharedMemorySidecar.deleteSession(shm, session);
            try (var left = Files.list(shm)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(shm);
        }
    }
}
