package org.cornserve.traces.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.jsonl.JsonlTraceWriter;

/**
 * In-process throughput of the trace hot paths, after JVM start and warm-up (not a test; prints
 * figures, asserts nothing). Run with the test classpath, e.g.
 * {@code java -cp cli/target/cornserve.jar:traces/target/test-classes org.cornserve.traces.bench.TraceThroughputBench
 * /tmp/azure10m.csv 3}. Phases: Azure CSV parse only; Azure CSV to JSONL into a discarding stream;
 * JSONL parse only (of a JSONL file written once to a temporary file).
 */
public final class TraceThroughputBench {

    private TraceThroughputBench() {
    }

    public static void main(String[] args) throws IOException {
        Path azure = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path jsonl = Files.createTempFile("bench", ".jsonl");
        try {
            long n = convert(azure, Files.newOutputStream(jsonl));
            System.out.printf("%,d lines; JSONL copy at %s (%,d bytes)%n", n, jsonl, Files.size(jsonl));
            for (int round = 1; round <= rounds; round++) {
                report(round, "azure-llm parse", azure, () -> count(TraceFormat.AZURE_LLM, azure));
                report(round, "azure-llm -> jsonl (discard)", azure, () -> convert(azure, OutputStream.nullOutputStream()));
                report(round, "jsonl parse", jsonl, () -> count(TraceFormat.JSONL, jsonl));
            }
        } finally {
            Files.deleteIfExists(jsonl);
        }
    }

    interface Phase {
        long run() throws IOException;
    }

    private static void report(int round, String name, Path file, Phase phase) throws IOException {
        long start = System.nanoTime();
        long n = phase.run();
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("round %d  %-30s %,12d lines  %6.2f s  %,12.0f lines/s  %6.1f MB/s%n", round, name, n, s,
                n / s, Files.size(file) / s / 1e6);
    }

    private static long count(TraceFormat format, Path file) throws IOException {
        long n = 0;
        long checksum = 0;
        try (TraceReader r = format.open(file, ReadOptions.defaults())) {
            for (TraceRecord rec; (rec = r.read()) != null; ) {
                n++;
                checksum += rec.shape().textTokens();
            }
        }
        if (checksum == 42) {
            System.out.print("");
        }
        return n;
    }

    private static long convert(Path azure, OutputStream sink) throws IOException {
        try (TraceReader r = TraceFormat.AZURE_LLM.open(azure, ReadOptions.defaults());
                JsonlTraceWriter w = new JsonlTraceWriter(sink)) {
            for (TraceRecord rec; (rec = r.read()) != null; ) {
                w.write(rec);
            }
            return w.written();
        }
    }
}
