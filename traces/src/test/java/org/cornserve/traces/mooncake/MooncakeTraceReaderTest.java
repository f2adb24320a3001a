package org.cornserve.traces.mooncake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.SharedTraces;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceFormatException;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MooncakeTraceReaderTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheWholeSyntheticTraceLikeDatabind() throws IOException {
        Path file = SharedTraces.file("mooncake_synthetic_trace.jsonl");
        List<String> lines = Files.readAllLines(file);
        List<TraceRecord> records = TestFiles.readAll(TraceFormat.byName("mooncake").open(file, ReadOptions.defaults()));
        assertEquals(3_993, records.size());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < records.size(); i++) {
            JsonNode n = json.readTree(lines.get(i));
            TraceRecord r = records.get(i);
            assertEquals(n.get("timestamp").asLong() * 1_000_000L, r.arrivalNanos());
            assertEquals(n.get("input_length").asInt(), r.shape().textTokens());
            assertEquals(n.get("output_length").asInt(), r.shape().outputTokens());
            List<Long> ids = new ArrayList<>();
            n.get("hash_ids").forEach(x -> ids.add(x.asLong()));
            assertEquals(ids, r.hashIds());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "truncated JSON  | '{\"timestamp\": 5, \"input_length\": 10, \"output_length\"' | truncated JSON",
        "bad number      | '{\"timestamp\": 5, \"input_length\": \"ten\", \"output_length\": 1}' | input_length: expected a whole number",
        "missing field   | '{\"timestamp\": 5, \"output_length\": 1}' | missing field input_length",
        "negative number | '{\"timestamp\": 5, \"input_length\": -3, \"output_length\": 1}' | input_length: must be >= 0",
        "not an object   | '[1, 2, 3]' | expected a JSON object",
        "bad hash ids    | '{\"timestamp\": 5, \"input_length\": 3, \"output_length\": 1, \"hash_ids\": [1, \"x\"]}' | hash_ids",
    })
    void badLinesNameFileAndLine(String what, String badLine, String expected) throws IOException {
        Path f = TestFiles.write(tmp, "m.jsonl", "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 2, \"hash_ids\": [1]}\n"
                + badLine + "\n{\"timestamp\": 9, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": []}\n");
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> TestFiles.readAll(MooncakeTraceReader.open(f, ReadOptions.defaults())));
        assertEquals(2, e.lineNumber(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        assertTrue(e.problem().contains(expected), e.problem());
        try (var reader = MooncakeTraceReader.open(f, ReadOptions.defaults().withSkipBad(true))) {
            assertEquals(2, TestFiles.readAll(reader).size());
            assertEquals(1, reader.skippedLines());
        }
    }
}
