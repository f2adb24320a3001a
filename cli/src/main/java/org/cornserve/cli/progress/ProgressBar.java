package org.cornserve.cli.progress;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar on the terminal: {@code [#####.....] 12/40 30% 2.1/s 13 s left  what}, redrawn in place at most
 * ten times a second; when stderr is not a terminal, one plain line every few seconds instead. The rate and time
 * left come from the units done since the start.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final String label;
    private final boolean terminal;
    private final long startNanos;
    private final long everyNanos;
    private long lastDraw;
    private int lastLength;

    public ProgressBar(PrintWriter err, String label) {
        this(err, label, System.console() != null, System.nanoTime());
    }

    ProgressBar(PrintWriter err, String label, boolean terminal, long startNanos) {
        this.err = err;
        this.label = label;
        this.terminal = terminal;
        this.startNanos = startNanos;
        this.everyNanos = terminal ? 100_000_000L : 5_000_000_000L;
        this.lastDraw = startNanos - everyNanos;
    }

    /** Shows {@code done} of {@code total}; redrawn only when enough time has passed or at the end. */
    public synchronized void update(int done, int total, String what) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < everyNanos) {
            return;
        }
        lastDraw = now;
        String line = line(done, total, (now - startNanos) / 1e9, what);
        if (terminal) {
            err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            if (done >= total) {
                err.print("\n");
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** The bar's text after {@code elapsedSeconds}. */
    String line(int done, int total, double elapsedSeconds, String what) {
        double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
        String left = done >= total ? String.format(Locale.ROOT, "done in %.0f s", elapsedSeconds)
                : rate > 0 ? String.format(Locale.ROOT, "%.0f s left", (total - done) / rate) : "-- s left";
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %3.0f%% %.1f/s %s  %s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, 100 * fraction, rate, left, what == null ? "" : what);
    }
}
