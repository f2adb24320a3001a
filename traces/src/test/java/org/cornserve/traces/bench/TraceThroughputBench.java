package org.cornserve.traces.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.SharedTraces;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.jsonl.JsonlTraceWriter;

/**
 * In-process throughput of the trace hot paths, after JVM start and warm-up (not a test; prints
 * figures, asserts nothing). Run with the test classpath, e.g.
 * {@code java -cp cli/target/cornserve.jar:traces/target/test-classes org.cornserve.traces.bench.TraceThroughputBench
 * /tmp/azure10m.csv 3}; a missing file is first made from the shared conversation trace (10 million rows, its
 * rows repeated with each repeat one hour later). Phases: Azure CSV parse only; Azure CSV to JSONL into a discarding stream;
 * JSONL parse only (of a JSONL file written once to a temporary file). Prints wall time and the main thread's
 * CPU time (less disturbed by other processes on a busy machine).
 */
public final class TraceThroughputBench {

    private TraceThroughputBench() {
    }

    public static void main(String[] args) throws IOException {
        Path azure = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (!Files.exists(azure)) {
            makeBigAzureFile(azure, 10_000_000);
        }
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

    /**
     * Writes {@code lines} Azure rows by repeating the conversation trace's rows, each repeat shifted by
     * one hour so that time keeps increasing (the trace spans 58 minutes).
     */
    static void makeBigAzureFile(Path out, int lines) throws IOException {
        List<String> rows = Files.readAllLines(SharedTraces.file("AzureLLMInferenceTrace_conv.csv"));
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSS");
        System.out.printf("writing %,d lines to %s...%n", lines, out);
        try (BufferedWriter w = Files.newBufferedWriter(out)) {
            w.write(rows.get(0));
            w.write("\r\n");
            int written = 0;
            for (int repeat = 0; written < lines; repeat++) {
                for (int i = 1; i < rows.size() && written < lines; i++, written++) {
                    String row = rows.get(i);
                    int comma = row.indexOf(',');
                    LocalDateTime t = LocalDateTime.parse(row.substring(0, comma).replace(' ', 'T')).plusHours(repeat);
                    w.write(t.format(f));
                    w.write(row, comma, row.length() - comma);
                    w.write("\r\n");
                }
            }
        }
    }

    interface Phase {
        long run() throws IOException;
    }

    private static void report(int round, String name, Path file, Phase phase) throws IOException {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long n = phase.run();
        double s = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        System.out.printf("round %d  %-30s %,12d lines  wall %6.2f s %,11.0f lines/s  thread cpu %6.2f s %,11.0f lines/s%n",
                round, name, n, s, n / s, cpu, n / cpu);
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
