package org.cornserve.planner;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the public traces at {@code ../shared/traces} relative to the project root: walks up from the
 * working directory (Surefire runs in the module folder) until a folder holds {@code shared/traces}.
 */
public final class SharedTraces {

    private SharedTraces() {
    }

    public static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("traces");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find shared/traces above " + Path.of("").toAbsolutePath());
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }
}
