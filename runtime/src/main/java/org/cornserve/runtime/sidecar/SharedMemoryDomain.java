package org.cornserve.runtime.sidecar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which processes can share memory segments: two processes can when they run on the same kernel (the same boot id)
 * and see the same tmpfs as their shared-memory directory (the same device). Two pods on one node differ unless both
 * mount the node's {@code /dev/shm}; two network namespaces of one machine agree; two machines always differ.
 */
public final class SharedMemoryDomain {
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private SharedMemoryDomain() {
    }

    /**
     * This process's domain for segments under {@code shmDir}: {@code <boot id>/<device of shmDir>}. Where either
     * cannot be read (not Linux), the host name stands in for the boot id.
     */
    public static String of(Path shmDir) {
        String kernel;
        try {
            kernel = Files.readString(BOOT_ID).strip();
        } catch (IOException | UnsupportedOperationException e) {
            kernel = hostName();
        }
        Object device;
        try {
            device = Files.getAttribute(shmDir, "unix:dev");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            device = shmDir.toAbsolutePath().normalize();
        }
        return kernel + "/" + device;
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
