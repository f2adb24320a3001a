package org.cornserve.traces.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.cornserve.model.Modality;
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

class AzureLlmTraceReaderTest {

    @TempDir
    Path tmp;

    /** Naive reference: String.split and java.time on every line. */
    private static long referenceEpochNanos(String ts) {
        LocalDateTime t = LocalDateTime.parse(ts.replace(' ', 'T'));
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + t.getNano();
    }

    @Test
    void readsTheWholeConversationTraceLikeANaiveParser() throws IOException {
        Path file = SharedTraces.file("AzureLLMInferenceTrace_conv.csv");
        List<String> lines = Files.readAllLines(file);
        List<TraceRecord> records = TestFiles.readAll(TraceFormat.byName("azure-llm").open(file, ReadOptions.defaults()));
        assertEquals(19_366, records.size());
        assertEquals(lines.size() - 1, records.size());
        long origin = referenceEpochNanos(lines.get(1).split(",")[0]);
        for (int i = 0; i < records.size(); i++) {
            String[] f = lines.get(i + 1).split(",");
            TraceRecord r = records.get(i);
            assertEquals(referenceEpochNanos(f[0]) - origin, r.arrivalNanos(), "line " + (i + 2));
            assertEquals(Integer.parseInt(f[1]), r.shape().textTokens());
            assertEquals(Integer.parseInt(f[2]), r.shape().outputTokens());
            assertEquals(TraceRecord.DEFAULT_APP, r.app());
            assertTrue(r.shape().media().isEmpty() && r.shape().wants(Modality.TEXT));
        }
        double durationS = records.get(records.size() - 1).arrivalSeconds();
        assertEquals(5.53, records.size() / durationS, 0.01);
    }

    @Test
    void codeTraceAndAppOption() throws IOException {
        Path file = SharedTraces.file("AzureLLMInferenceTrace_code.csv");
        List<TraceRecord> records = TestFiles.readAll(
                AzureLlmTraceReader.open(file, ReadOptions.defaults().withApp("code")));
        assertEquals(8_819, records.size());
        assertTrue(records.stream().allMatch(r -> r.app().equals("code")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad number        | 2023-11-16 18:15:50.9951690,39x6,109 | ContextTokens: not a whole number: '39x6'",
        "missing column    | 2023-11-16 18:15:50.9951690,396      | missing column GeneratedTokens",
        "extra column      | 2023-11-16 18:15:50.9951690,396,1,2  | too many columns",
        "bad timestamp     | 2023-11-16 18:61:50.9951690,396,109  | TIMESTAMP: no such date or time",
        "garbled timestamp | 16/11/2023 18:15:50,396,109          | TIMESTAMP: not a timestamp",
        "empty number      | 2023-11-16 18:15:50.9951690,,109     | ContextTokens: empty",
        "time goes back    | 2023-11-16 18:15:40.0000000,396,109  | before the trace's first timestamp",
    })
    void badLineStopsWithFileLineAndProblem(String what, String badLine, String expected) throws IOException {
        Path f = TestFiles.write(tmp, "bad.csv", AzureLlmTraceReader.HEADER + "\r\n"
                + "2023-11-16 18:15:46.6805900,374,44\r\n" + badLine + "\r\n" + "2023-11-16 18:15:51.0,1,2\r\n");
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> TestFiles.readAll(AzureLlmTraceReader.open(f, ReadOptions.defaults())));
        assertEquals(3, e.lineNumber(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
        assertTrue(e.problem().contains(expected), e.problem());

        try (var reader = AzureLlmTraceReader.open(f, ReadOptions.defaults().withSkipBad(true))) {
            List<TraceRecord> kept = TestFiles.readAll(reader);
            assertEquals(2, kept.size());
            assertEquals(1, reader.skippedLines());
            assertTrue(reader.firstSkippedProblem().contains(":3: "));
        }
    }

    @Test
    void wrongHeaderIsNamed() throws IOException {
        Path f = TestFiles.write(tmp, "h.csv", "TIMESTAMP,NumImages,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.1,1,2,3\n");
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> TestFiles.readAll(AzureLlmTraceReader.open(f, ReadOptions.defaults())));
        assertEquals(1, e.lineNumber());
        assertTrue(e.problem().contains("expected the header"), e.problem());
    }

    @Test
    void headerlessAndBlankLinesAndNoFinalNewline() throws IOException {
        Path f = TestFiles.write(tmp, "n.csv", "2023-11-16 18:15:46.5,1,2\n\n2023-11-16 18:15:47,3,4");
        List<TraceRecord> r = TestFiles.readAll(AzureLlmTraceReader.open(f, ReadOptions.defaults()));
        assertEquals(2, r.size());
        assertEquals(500_000_000L, r.get(1).arrivalNanos());
        assertEquals(3, r.get(1).shape().textTokens());
    }
}
