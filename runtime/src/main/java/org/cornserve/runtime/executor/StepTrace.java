package org.cornserve.runtime.executor;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Optional timestamps of a step's round trip, for finding where the time outside executors goes: each process (the
 * control plane and every executor) appends {@code event,step,nanos} lines to {@code DIR/steps-PID.csv} when started
 * with {@code -Dcornserve.stepTrace=DIR}. The times are {@link System#nanoTime}, the host's monotonic clock, so the
 * files of processes on one host join on the step id ({@code org.cornserve.runtime.control.StepTraceReport}). Off (the
 * default) a mark costs one branch on a constant.
 */
public final class StepTrace {
    /** The system property naming the folder; executors launched locally inherit it. */
    public static final String PROPERTY = "cornserve.stepTrace";
    /** The events in round-trip order. */
    public static final String DECIDED = "decided";
    public static final String SENT = "sent";
    public static final String EXEC_READ = "execRead";
    public static final String COMPUTE_START = "computeStart";
    public static final String COMPUTE_END = "computeEnd";
    public static final String REPORT_SENT = "reportSent";
    public static final String REPORT_READ = "reportRead";
    public static final String APPLIED = "applied";

    private static final String DIR = System.getProperty(PROPERTY);
    /** Whether this process records marks. */
    public static final boolean ON = DIR != null && !DIR.isBlank();
    private static final BufferedWriter OUT = ON ? open() : null;

    private StepTrace() {
    }

    private static BufferedWriter open() {
        try {
            Path dir = Path.of(DIR);
            Files.createDirectories(dir);
            BufferedWriter w = Files.newBufferedWriter(dir.resolve("steps-" + ProcessHandle.current().pid() + ".csv"),
                    StandardCharsets.US_ASCII);
            Runtime.getRuntime().addShutdownHook(new Thread(StepTrace::flush, "step-trace-flush"));
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException("step trace: cannot write under " + DIR + " (-D" + PROPERTY + ")", e);
        }
    }

    /** Records that {@code event} happened to step {@code step} now. */
    public static void mark(String event, long step) {
        if (ON) {
            mark(event, step, System.nanoTime());
        }
    }

    /** Records that {@code event} happened to step {@code step} at {@code nanos} ({@link System#nanoTime}). */
    public static void mark(String event, long step, long nanos) {
        if (ON) {
            long now = nanos;
            synchronized (OUT) {
                try {
                    OUT.write(event);
                    OUT.write(',');
                    OUT.write(Long.toString(step));
                    OUT.write(',');
                    OUT.write(Long.toString(now));
                    OUT.write('\n');
                } catch (IOException e) {
                    // a diagnostic: a lost line is not worth failing a step for
                }
            }
        }
    }

    /** Writes out what is buffered (also done at exit). */
    public static void flush() {
        if (ON) {
            synchronized (OUT) {
                try {
                    OUT.flush();
                } catch (IOException e) {
                    // as above
                }
            }
        }
    }
}
