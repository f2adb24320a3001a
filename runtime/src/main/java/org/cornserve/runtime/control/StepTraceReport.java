package org.cornserve.runtime.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.cornserve.runtime.executor.StepTrace;

/**
 * Where a step's round trip goes: joins the {@link StepTrace} files of the control plane and its executors (one host,
 * one monotonic clock) on the step id and gives each segment's percentiles, from the scheduler's decision to the
 * report's fact applied on the loop. Steps missing a mark (cut short, in flight at the end) are left out.
 *
 * <p>{@code java -cp CP org.cornserve.runtime.control.StepTraceReport DIR}
 */
public final class StepTraceReport {
    private static final List<String> EVENTS = List.of(StepTrace.DECIDED, StepTrace.SENT, StepTrace.EXEC_READ,
            StepTrace.COMPUTE_START, StepTrace.COMPUTE_END, StepTrace.REPORT_SENT, StepTrace.REPORT_READ,
            StepTrace.APPLIED);
    private static final List<String> SEGMENTS = List.of("control: decision to frame written",
            "frame written to executor's reader has it", "executor: frame read to compute start", "compute",
            "executor: compute end to report written", "report written to control's reader has it",
            "control: report read to fact applied");

    /** One segment's percentiles in microseconds (a segment across processes may be slightly negative). */
    public record Segment(String name, double p50Us, double p90Us, double p99Us, double meanUs) {
    }

    /** The segments in round-trip order, then the overhead (decision to applied, minus compute). */
    public record Breakdown(int steps, List<Segment> segments) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "step round trip over %d steps (us):"
                    + " P50 / P90 / P99 / mean%n", steps));
            for (Segment s : segments) {
                b.append(String.format(Locale.ROOT, "  %-46s %9.1f %9.1f %9.1f %9.1f%n", s.name(), s.p50Us(),
                        s.p90Us(), s.p99Us(), s.meanUs()));
            }
            return b.toString();
        }
    }

    private StepTraceReport() {
    }

    /** Reads every {@code steps-*.csv} under {@code dir}. */
    public static Breakdown read(Path dir) {
        Map<Long, long[]> steps = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("steps-\\d+\\.csv")).toList()) {
                int lineNo = 0;
                for (String line : Files.readAllLines(f)) {
                    lineNo++;
                    String[] p = line.split(",");
                    int e = p.length == 3 ? EVENTS.indexOf(p[0]) : -1;
                    if (e < 0) {
                        throw new IllegalArgumentException(f + " line " + lineNo + ": expected EVENT,STEP,NANOS with"
                                + " EVENT one of " + EVENTS + ", got '" + line + "'");
                    }
                    long[] marks = steps.computeIfAbsent(Long.parseLong(p[1]), k -> new long[EVENTS.size()]);
                    marks[e] = Long.parseLong(p[2]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("step trace: cannot read " + dir, e);
        }
        List<long[]> complete = new ArrayList<>();
        for (long[] marks : steps.values()) {
            if (Arrays.stream(marks).allMatch(t -> t != 0)) {
                complete.add(marks);
            }
        }
        List<Segment> segments = new ArrayList<>();
        for (int s = 0; s < SEGMENTS.size(); s++) {
            final int from = s;
            segments.add(segment(SEGMENTS.get(s), complete.stream().mapToLong(m -> m[from + 1] - m[from]).toArray()));
        }
        segments.add(segment("overhead (decision to applied, minus compute)", complete.stream()
                .mapToLong(m -> (m[7] - m[0]) - (m[4] - m[3])).toArray()));
        return new Breakdown(complete.size(), segments);
    }

    private static Segment segment(String name, long[] nanos) {
        Arrays.sort(nanos);
        if (nanos.length == 0) {
            return new Segment(name, 0, 0, 0, 0);
        }
        return new Segment(name, at(nanos, 0.5), at(nanos, 0.9), at(nanos, 0.99),
                Arrays.stream(nanos).average().orElse(0) / 1e3);
    }

    private static double at(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e3;
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: StepTraceReport DIR (a folder of steps-PID.csv files from -D"
                    + StepTrace.PROPERTY + "=DIR)");
            System.exit(2);
        }
        System.out.print(read(Path.of(args[0])));
    }
}
