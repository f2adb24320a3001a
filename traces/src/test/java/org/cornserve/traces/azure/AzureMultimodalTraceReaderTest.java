package org.cornserve.traces.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceFormatException;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureMultimodalTraceReaderTest {

    @TempDir
    Path tmp;

    private static final String FIXTURE = AzureMultimodalTraceReader.HEADER + "\n"
            + "2025-05-20 10:00:00.0000000,2,1500,40\n"
            + "2025-05-20 10:00:00.2500000,0,300,12\n"
            + "2025-05-20 10:00:01.0000000,1,200,7\n";

    @Test
    void imagesWithUnknownTokensByDefault() throws IOException {
        Path f = TestFiles.write(tmp, "mm.csv", FIXTURE);
        List<TraceRecord> r = TestFiles.readAll(TraceFormat.byName("azure-mm").open(f, ReadOptions.defaults()));
        assertEquals(3, r.size());
        assertEquals(2, r.get(0).shape().count(Modality.IMAGE));
        assertEquals(0, r.get(0).shape().media().get(0).tokens());
        assertEquals(1500, r.get(0).shape().textTokens());
        assertEquals(250_000_000L, r.get(1).arrivalNanos());
        assertTrue(r.get(1).shape().media().isEmpty());
        assertEquals(7, r.get(2).shape().outputTokens());
    }

    @Test
    void imageTokensOptionMovesTokensOutOfContext() throws IOException {
        Path f = TestFiles.write(tmp, "mm.csv", FIXTURE);
        List<TraceRecord> r = TestFiles.readAll(AzureMultimodalTraceReader.open(f,
                ReadOptions.defaults().withImageTokensEach(576)));
        assertEquals(1500 - 2 * 576, r.get(0).shape().textTokens());
        assertEquals(576, r.get(0).shape().media().get(1).tokens());
        assertEquals(0, r.get(2).shape().textTokens(), "never below zero");
        assertEquals(300, r.get(1).shape().textTokens());
    }

    @Test
    void badImageCountNamesLine() throws IOException {
        Path f = TestFiles.write(tmp, "mm.csv", FIXTURE + "2025-05-20 10:00:02.0,-1,200,7\n");
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> TestFiles.readAll(AzureMultimodalTraceReader.open(f, ReadOptions.defaults())));
        assertEquals(5, e.lineNumber());
        assertTrue(e.problem().contains("NumImages"), e.problem());
    }
}
