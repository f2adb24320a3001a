package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.simulator.metrics.ResultWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's result files, byte for byte, for one fixed run (the fully split Any-to-Any plan under overload,
 * with rejections and speech), against files kept in {@code src/test/resources/golden/full-split}. It holds the
 * writer's format still while its inputs are generalised (measured runs feed the same writer). A deliberate change
 * to the simulator's behaviour or format moves them: regenerate with
 * {@code mvn -pl simulator -am test -Dtest=ResultFilesGoldenTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcornserve.regenerateGolden=true} and review the diff.
 */
class ResultFilesGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden/full-split");

    @Test
    void simulatedRunWritesTheGoldenFiles(@TempDir Path dir) throws IOException {
        ResultWriter.write(ConservationTest.run(9, 400, 120, 6), dir);
        String summary = withoutWallSeconds(Files.readString(dir.resolve("summary.json")));
        if (Boolean.getBoolean("cornserve.regenerateGolden")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(GOLDEN.resolve("summary.json"), summary);
            Files.copy(dir.resolve("requests.csv"), GOLDEN.resolve("requests.csv"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(dir.resolve("queues.csv"), GOLDEN.resolve("queues.csv"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertEquals(Files.readString(GOLDEN.resolve("summary.json")), summary, "summary.json");
        for (String f : new String[] {"requests.csv", "queues.csv"}) {
            assertEquals(-1L, Files.mismatch(GOLDEN.resolve(f), dir.resolve(f)), f + " differs from the golden file");
        }
    }

    private static String withoutWallSeconds(String summary) {
        return summary.replaceAll("\"wall_seconds\" : [^,]+,", "\"wall_seconds\" : 0,");
    }
}
