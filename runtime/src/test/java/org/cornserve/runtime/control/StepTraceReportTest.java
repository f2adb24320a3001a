package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The step-trace breakdown joins the processes' marks on the step id and matches a direct computation. */
class StepTraceReportTest {
    private static final String[] CONTROL = {"decided", "sent", "reportRead", "applied"};
    private static final String[] EXECUTOR = {"execRead", "computeStart", "computeEnd", "reportSent"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void segmentsMatchTheMarksOfEachStep(long seed, @TempDir Path dir) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        int steps = 1 + rnd.nextInt(200);
        List<String> control = new ArrayList<>();
        List<String> executor = new ArrayList<>();
        long[] overheads = new long[steps];
        for (int s = 0; s < steps; s++) {
            long t = 1_000_000_000L + s * 10_000_000L;
            long[] marks = new long[8];
            for (int e = 0; e < 8; e++) {
                t += 1 + rnd.nextInt(e == 4 ? 5_000_000 : 500_000);
                marks[e] = t;
            }
            // order: decided, sent, execRead, computeStart, computeEnd, reportSent, reportRead, applied
            long[] c = {marks[0], marks[1], marks[6], marks[7]};
            long[] x = {marks[2], marks[3], marks[4], marks[5]};
            for (int i = 0; i < 4; i++) {
                control.add(CONTROL[i] + "," + s + "," + c[i]);
                executor.add(EXECUTOR[i] + "," + s + "," + x[i]);
            }
            overheads[s] = (marks[7] - marks[0]) - (marks[4] - marks[3]);
        }
        control.add("decided," + steps + ",5"); // a step still in flight: left out
        Files.write(dir.resolve("steps-100.csv"), control);
        Files.write(dir.resolve("steps-200.csv"), executor);

        StepTraceReport.Breakdown b = StepTraceReport.read(dir);
        assertEquals(steps, b.steps());
        StepTraceReport.Segment overhead = b.segments().get(b.segments().size() - 1);
        Arrays.sort(overheads);
        assertEquals(overheads[(int) Math.ceil(0.5 * steps) - 1] / 1e3, overhead.p50Us(), 1e-9);
        assertEquals(overheads[(int) Math.ceil(0.99 * steps) - 1] / 1e3, overhead.p99Us(), 1e-9);
        assertEquals(Arrays.stream(overheads).average().orElseThrow() / 1e3, overhead.meanUs(), 1e-6);
        assertTrue(b.toString().contains("overhead"));
    }

    @Test
    void aBadLineIsNamedWithItsFileAndLine(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("steps-7.csv"), List.of("decided,1,10", "decidd,1,11"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StepTraceReport.read(dir));
        assertTrue(e.getMessage().contains("steps-7.csv line 2"), e.getMessage());
    }
}
