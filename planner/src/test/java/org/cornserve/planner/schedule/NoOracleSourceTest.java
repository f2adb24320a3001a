package org.cornserve.planner.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scheduling core's deciding code never reads the trace's output length: only the graph package (which holds
 * it for simulated engines) names {@code traceOutputTokens}. A cheap guard on top of the behavioural tests
 * ({@code NoOracleTest} in the simulator).
 */
class NoOracleSourceTest {

    @Test
    void noDecidingPartOfTheCoreReadsTheTraceLength() throws IOException {
        Path root = Path.of("src/main/java/org/cornserve/planner/schedule");
        assertTrue(Files.isDirectory(root), "run from the planner module: " + root.toAbsolutePath());
        try (Stream<Path> files = Files.walk(root)) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getParent().endsWith("graph"))
                    .filter(p -> {
                        try {
                            return Files.readString(p).contains("traceOutputTokens");
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .map(Path::toString).toList();
            assertEquals(List.of(), offenders);
        }
    }
}
