package org.cornserve.runtime.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Tests' check that closing sidecars leaves no segment file behind. */
public final class SegmentFiles {
    private SegmentFiles() {
    }

    /** Closes {@code sidecars} and asserts that {@code dir} holds no {@code cornserve-*} file after. */
    public static void closeAndAssertNoneLeft(Path dir, SharedMemorySidecar... sidecars) throws IOException {
        for (SharedMemorySidecar s : sidecars) {
            s.close();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(SharedMemorySidecar.FILE_PREFIX)).toList(), "segment files left");
        }
    }
}
