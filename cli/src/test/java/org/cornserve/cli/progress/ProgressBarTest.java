package org.cornserve.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void showsCountRateAndTimeLeft() {
        ProgressBar bar = new ProgressBar(new PrintWriter(new StringWriter()), "work", true, 0);
        assertEquals("work [######..................] 10/40  25% 2.0/s 15 s left  step", bar.line(10, 40, 5, "step"));
        assertEquals("work [########################] 40/40 100% 4.0/s done in 10 s  ", bar.line(40, 40, 10, ""));
        assertTrue(bar.line(0, 40, 0, "x").contains("-- s left"));
    }

    @Test
    void notOnATerminalItPrintsWholeLinesAndAlwaysTheLast() {
        StringWriter sw = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sw), "p", false, System.nanoTime());
        bar.update(1, 3, "a");
        bar.update(2, 3, "b"); // within five seconds of the first: skipped
        bar.update(3, 3, "c");
        String[] lines = sw.toString().split("\n");
        assertEquals(2, lines.length, sw.toString());
        assertTrue(lines[0].contains("1/3") && lines[1].contains("3/3 100%"), sw.toString());
        assertTrue(!sw.toString().contains("\r"));
    }
}
