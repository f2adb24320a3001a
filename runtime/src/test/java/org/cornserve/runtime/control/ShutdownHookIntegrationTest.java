package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A runtime whose JVM is ended by SIGTERM mid-request leaves no executor process and no shared-memory file. */
@Tag("integration")
class ShutdownHookIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;


    @Test
    @Timeout(240)
    void sigtermLeavesNoChildProcessAndNoSharedMemoryFile() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                ShutdownHookMain.class.getName(), shm.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Long> pids = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("pids ")) {
                    for (String s : line.substring(5).split(",")) {
                        pids.add(Long.parseLong(s));
                    }
                    break;
                }
            }
            assertEquals(2, pids.size(), "two executors started");
            for (long pid : pids) {
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            }
            Thread.sleep(1500);
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the runtime exits on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "executor " + pid + " ended");
        }
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
        Files.delete(shm);
    }
}
