package org.cornserve.traces.burstgpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceFormatException;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BurstGptTraceReaderTest {

    @TempDir
    Path tmp;

    /** Our own fixture in BurstGPT's published layout (BurstGPT_1.csv: seconds, failures with 0 response tokens). */
    static final String FIXTURE = BurstGptTraceReader.HEADER + "\n"
            + "5,ChatGPT,472,18,490,Conversation log\n"
            + "45,ChatGPT,1087,230,1317,Conversation log\n"
            + "118,GPT-4,417,276,693,Conversation log\n"
            + "120.5,GPT-4,300,0,300,API log\n";

    @Test
    void readsFixtureWithModelAsApp() throws IOException {
        Path f = TestFiles.write(tmp, "b.csv", FIXTURE);
        List<TraceRecord> r = TestFiles.readAll(TraceFormat.byName("burstgpt").open(f, ReadOptions.defaults()));
        assertEquals(4, r.size());
        assertEquals(0, r.get(0).arrivalNanos());
        assertEquals(40_000_000_000L, r.get(1).arrivalNanos());
        assertEquals(115_500_000_000L, r.get(3).arrivalNanos());
        assertEquals("ChatGPT", r.get(1).app());
        assertEquals("GPT-4", r.get(2).app());
        assertEquals(1087, r.get(1).shape().textTokens());
        assertEquals(230, r.get(1).shape().outputTokens());
        assertEquals(0, r.get(3).shape().outputTokens());
    }

    @Test
    void appOptionOverridesModel() throws IOException {
        Path f = TestFiles.write(tmp, "b.csv", FIXTURE);
        List<TraceRecord> r = TestFiles.readAll(BurstGptTraceReader.open(f, ReadOptions.defaults().withApp("chat")));
        assertTrue(r.stream().allMatch(x -> x.app().equals("chat")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad number     | 50,ChatGPT,4x2,18,490,Conversation log | Request tokens: not a whole number",
        "missing column | 50,ChatGPT,472,18                      | missing column Total tokens",
        "bad timestamp  | 5O,ChatGPT,472,18,490,Conversation log | Timestamp: not a number",
        "time goes back | 1,ChatGPT,472,18,490,Conversation log  | before the first line's",
    })
    void badLinesNameFileAndLine(String what, String badLine, String expected) throws IOException {
        Path f = TestFiles.write(tmp, "b.csv", BurstGptTraceReader.HEADER + "\n5,ChatGPT,1,2,3,API log\n" + badLine + "\n");
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> TestFiles.readAll(BurstGptTraceReader.open(f, ReadOptions.defaults())));
        assertEquals(3, e.lineNumber());
        assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
        assertTrue(e.problem().contains(expected), e.problem());
    }
}
