package org.cornserve.traces.servegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceFormatException;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeGenPoolTest {

    @TempDir
    Path tmp;

    private static final String DATASET = """
            {"0": {"text_tokens": "{100: 1.0}", "image_tokens": "{576: 0.5, 1024: 0.5}", "audio_tokens": "{0: 1.0}",
                   "video_tokens": "{0: 1.0}", "image_count": "{1: 0.5, 2: 0.5}", "audio_count": "{0: 1.0}",
                   "video_count": "{0: 1.0}", "output_tokens": "{20: 1.0}"}}
            """;

    @Test
    void smallHandWrittenFolderWithFittedDistributions() throws IOException {
        // shape and scale 0: the generator fits Gamma / Weibull to the window's rate and CV
        TestFiles.write(tmp, "chunk-0-trace.csv", "0,2.0,1.0,Gamma,0,0\n600,1.0,2.0,Weibull,0,0\n1200,0,0,,0,0\n");
        TestFiles.write(tmp, "chunk-0-dataset.json", DATASET);
        ServeGenPool pool = ServeGenPool.load(tmp);
        List<TraceRecord> r = TestFiles.readAll(new ServeGenTraceGenerator(pool, 0, 1800, 5, "a"));
        // ceil(2*600) - 1 + ceil(1*600) - 1 arrivals, none in the empty third window
        assertTrue(r.size() <= 1799 && r.size() >= 1700, "requests: " + r.size());
        assertTrue(r.stream().allMatch(x -> x.arrivalSeconds() < 1200));
        assertTrue(r.stream().allMatch(x -> x.shape().textTokens() == 100 && x.shape().outputTokens() == 20));
        double images = r.stream().mapToInt(x -> x.shape().count(Modality.IMAGE)).average().orElseThrow();
        assertEquals(1.5, images, 5 * 0.5 / Math.sqrt(r.size()));
    }

    @Test
    void languageAndReasoningDatasets() throws IOException {
        // ServeGen's language workloads name the prompt input_tokens; reasoning ones add reason_ratio (float keys)
        TestFiles.write(tmp, "chunk-0-trace.csv", "0,1.0,1.0,Gamma,1,1\n");
        TestFiles.write(tmp, "chunk-0-dataset.json", "{\"0\": {\"input_tokens\": \"{300: 1.0}\", "
                + "\"output_tokens\": \"{40: 1.0}\", \"reason_ratio\": \"{0.0: 0.5, 0.5: 0.5}\"}}");
        List<TraceRecord> r = TestFiles.readAll(new ServeGenTraceGenerator(ServeGenPool.load(tmp), 0, 600, 1, "a"));
        assertEquals(599, r.size(), 1);
        assertTrue(r.stream().allMatch(x -> x.shape().textTokens() == 300 && x.shape().media().isEmpty()
                && x.shape().outputTokens() == 40));
    }

    @Test
    void badTraceLineNamesFileAndLine() throws IOException {
        Path f = TestFiles.write(tmp, "chunk-3-trace.csv", "0,2.0,1.0,Gamma,1,1\n600,fast,1.0,Gamma,1,1\n");
        TestFiles.write(tmp, "chunk-3-dataset.json", DATASET);
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> ServeGenPool.load(tmp));
        assertEquals(2, e.lineNumber());
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
    }

    @Test
    void unknownPatternAndMissingColumnsAreNamed() throws IOException {
        TestFiles.write(tmp, "chunk-1-trace.csv", "0,2.0,1.0,Pareto,1,1\n");
        TestFiles.write(tmp, "chunk-1-dataset.json", DATASET);
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> ServeGenPool.load(tmp));
        assertTrue(e.problem().contains("unknown arrival pattern 'Pareto'"), e.problem());
        TestFiles.write(tmp, "chunk-1-trace.csv", "0,2.0,1.0\n");
        e = assertThrows(TraceFormatException.class, () -> ServeGenPool.load(tmp));
        assertTrue(e.problem().contains("expected 6 columns"), e.problem());
    }

    @Test
    void badDatasetNamesFileAndField() throws IOException {
        TestFiles.write(tmp, "chunk-2-trace.csv", "0,2.0,1.0,Gamma,1,1\n");
        Path d = TestFiles.write(tmp, "chunk-2-dataset.json", DATASET.replace("{100: 1.0}", "{100: lots}"));
        IOException e = assertThrows(IOException.class, () -> ServeGenPool.load(tmp));
        assertTrue(e.getMessage().contains(d.toString()) && e.getMessage().contains("text_tokens"), e.getMessage());
        TestFiles.write(tmp, "chunk-2-dataset.json", "{\"0\": {\"text_tokens\": ");
        e = assertThrows(IOException.class, () -> ServeGenPool.load(tmp));
        assertTrue(e.getMessage().contains("bad JSON"), e.getMessage());
    }

    @Test
    void missingFolderOrFiles() throws IOException {
        assertThrows(IOException.class, () -> ServeGenPool.load(tmp.resolve("nope")));
        IOException e = assertThrows(IOException.class, () -> ServeGenPool.load(tmp));
        assertTrue(e.getMessage().contains("no chunk-i-trace.csv"), e.getMessage());
        TestFiles.write(tmp, "chunk-0-trace.csv", "0,2.0,1.0,Gamma,1,1\n");
        e = assertThrows(IOException.class, () -> ServeGenPool.load(tmp));
        assertTrue(e.getMessage().contains("chunk-0-dataset.json"), e.getMessage());
    }
}
