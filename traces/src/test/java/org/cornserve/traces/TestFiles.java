package org.cornserve.traces;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for reader tests. */
public final class TestFiles {

    private TestFiles() {
    }

    public static Path write(Path dir, String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    /** Reads every record of a reader (test traces are small). */
    public static List<TraceRecord> readAll(TraceReader reader) throws IOException {
        List<TraceRecord> out = new ArrayList<>();
        try (reader) {
            for (TraceRecord r; (r = reader.read()) != null; ) {
                out.add(r);
            }
        }
        return out;
    }

    /** The first n lines of a shared trace file. */
    public static List<String> headLines(Path file, int n) throws IOException {
        try (var lines = Files.lines(file)) {
            return lines.limit(n).toList();
        }
    }
}
