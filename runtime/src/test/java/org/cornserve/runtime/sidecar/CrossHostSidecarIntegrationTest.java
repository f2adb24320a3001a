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
 * byte for byte in the receiving host's shared memory. Prints the throughput ({@link SidecarBench} times the same
 * host's paths). Skipped, with the reason, where namespaces cannot be made (not root, no {@code ip}).
 * The namespaces are deleted in every case.
 *
 * <p>A second test runs real executors in two namespaces joined by a bridge (in a third namespace, so the host's
 * firewall does not see the traffic between them) with the control plane in this JVM on the bridge too: the chat
 * app's image streams from the control plane to the vision encoder's executor, its embeddings from that executor's
 * sidecar straight to the LLM executor's, and the answers equal those of shared memory on one host.
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

    private static void assumeNamespaces() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "no 'ip' command: cannot make network namespaces");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "not root: 'ip netns add' needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)");
    }

    private static void deleteNamespaces(String... namespaces) throws InterruptedException {
        for (String ns : namespaces) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException e) {
                // it was never made
            }
        }
    }

    @Test
    @Timeout(180)
    void tensorsCrossBetweenNetworkNamespaces() throws Exception {
        assumeNamespaces();
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
            for (int i = 0; i < SIZES.length; i++) {
                // the same host's paths (shared memory, loopback socket, memcpy) are SidecarBench's to time
                System.err.printf(Locale.ROOT, "cross-host sidecar %2d MB: veth between namespaces %.2f GB/s%n",
                        SIZES[i] >> 20, crossGbps[i]);
                assertTrue(crossGbps[i] > 0);
            }
        } finally {
            for (Process p : started) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            deleteNamespaces(a, b);
            SharedMemorySidecar.deleteSession(shm, session);
            try (var left = Files.list(shm)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(shm);
        }
    }

    @Test
    @Timeout(600)
    void executorsInTwoNamespacesStreamTheChatAppsTensorsToEachOther() throws Exception {
        assumeNamespaces();
        String hex = String.format(Locale.ROOT, "%04x", new Random().nextInt(1 << 16));
        String[] names = {"cs-s-" + hex, "cs-a-" + hex, "cs-b-" + hex};
        String sw = names[0];
        String a = names[1];
        String b = names[2];
        String net = "10.214." + (1 + Integer.parseInt(hex, 16) % 250) + ".";
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "cornserve-netns-");
        var plan = org.cornserve.model.plan.PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-vl-split-cpu.json"));
        var options = org.cornserve.runtime.control.RuntimeOptions.defaults().withShmDir(shm);
        var devices = org.cornserve.runtime.control.DeviceSlots.parse("cpu:2");
        try {
            try {
                run("ip", "netns", "add", sw);
                run("ip", "netns", "add", a);
                run("ip", "netns", "add", b);
                run("ip", "-n", sw, "link", "add", "csbr" + hex, "type", "bridge");
            } catch (IOException e) {
                Assumptions.abort("cannot create network namespaces here: " + e.getMessage());
            }
            run("ip", "-n", sw, "link", "set", "csbr" + hex, "up");
            String[][] sides = {{"r", null, net + "1"}, {"a", a, net + "2"}, {"b", b, net + "3"}};
            for (String[] side : sides) {
                String inside = "csv" + side[0] + hex;
                String port = "csp" + side[0] + hex;
                run("ip", "link", "add", inside, "type", "veth", "peer", "name", port);
                run("ip", "link", "set", port, "netns", sw);
                run("ip", "-n", sw, "link", "set", port, "master", "csbr" + hex);
                run("ip", "-n", sw, "link", "set", port, "up");
                if (side[1] == null) {
                    run("ip", "addr", "add", side[2] + "/24", "dev", inside);
                    run("ip", "link", "set", inside, "up");
                } else {
                    run("ip", "link", "set", inside, "netns", side[1]);
                    run("ip", "-n", side[1], "addr", "add", side[2] + "/24", "dev", inside);
                    run("ip", "-n", side[1], "link", "set", inside, "up");
                    run("ip", "-n", side[1], "link", "set", "lo", "up");
                }
            }
            var sameHost = org.cornserve.runtime.control.ChatTransportBench.run(plan, devices,
                    options.withTensorTransport(org.cornserve.runtime.control.TensorTransport.Mode.SHM), 1, 4, 96, 10);
            // the vision deployment's executor (d0...) in one namespace, the LLM's (d1...) in the other; each its
            // own shared-memory domain, so auto streams everything between them
            var launcher = new org.cornserve.runtime.launch.LocalProcessLauncher(
                    new java.net.InetSocketAddress(net + "1", 0), (spec, plain) -> {
                        String ns = spec.id().startsWith("d0") ? a : b;
                        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
                        cmd.addAll(plain);
                        cmd.addAll(List.of("--sidecar-domain", "netns-" + ns));
                        return cmd;
                    });
            org.cornserve.runtime.control.ChatTransportBench.Result crossing;
            long[] pids;
            try (var runtime = new org.cornserve.runtime.control.ControlPlane(plan, devices, options, launcher,
                    launcher)) {
                crossing = org.cornserve.runtime.control.ChatTransportBench.run(runtime, 1, 4, 96, 10);
                pids = runtime.taskManagers().stream().mapToLong(tm -> tm.executor(0).pid()).toArray();
                assertEquals(List.of(net + "2", net + "3"), runtime.taskManagers().stream()
                        .map(tm -> tm.executor(0).sidecar().streamHost()).toList(),
                        "each executor's sidecar listens on its namespace's address");
            }
            assertEquals(sameHost.answers(), crossing.answers(), "the same answers across namespaces");
            assertEquals(0, sameHost.streamedTensors());
            assertEquals(8, crossing.streamedTensors(), "per request: pixels to the encoder, embeddings to the LLM");
            assertTrue(pids[0] > 0 && pids[1] > 0);
            System.err.printf(Locale.ROOT, "chat app, 4 requests of a 96-px image: one host (shm) p50 %.1f ms p99 %.1f"
                    + " ms; two namespaces (stream) p50 %.1f ms p99 %.1f ms, %d tensors, %.2f MB streamed%n",
                    sameHost.p50Micros() / 1e3, sameHost.p99Micros() / 1e3, crossing.p50Micros() / 1e3,
                    crossing.p99Micros() / 1e3, crossing.streamedTensors(), crossing.streamedBytes() / 1e6);
        } finally {
            deleteNamespaces(names);
            try {
                run("ip", "link", "del", "csvr" + hex);
            } catch (IOException e) {
                // gone with its peer
            }
            try (var left = Files.list(shm)) {
                List<Path> files = left.toList();
                for (Path p : files) {
                    Files.deleteIfExists(p);
                }
                assertEquals(List.of(), files, "no shared-memory segment is left");
            }
            Files.deleteIfExists(shm);
        }
    }
}
