package org.cornserve.simulator;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared public traces: {@code ../shared/traces} beside the project root, walking up from here. */
public final class SharedTraces {
    private SharedTraces() {
    }

    /** The traces folder; throws naming where it looked when there is none. */
    public static Path dir() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("traces");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/traces folder beside any parent of " + here);
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }
}
