package org.cornserve.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decode probe's ragged contexts, its slope, and one small run on a real executor. */
class DecodeShapeProbeTest {
    @TempDir
    Path shm;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 8, 32})
    void raggedContextsKeepTheMeanAndSpreadFromAQuarterTo175Percent(int batch) {
        long[] equal = DecodeShapeProbe.contexts(false, batch, 256);
        long[] ragged = DecodeShapeProbe.contexts(true, batch, 256);
        assertTrue(LongStream.of(equal).allMatch(c -> c == 256));
        assertEquals(256.0, LongStream.of(ragged).average().orElseThrow(), 0.5, "mean");
        if (batch > 1) {
            assertEquals(64, ragged[0]);
            assertEquals(448, ragged[batch - 1]);
        } else {
            assertArrayEquals(new long[] {256}, ragged);
        }
    }

    @Test
    void slopeIsTheLeastSquaresLineOverTheBatches() {
        DecodeShapeProbe.Variant v = DecodeShapeProbe.VARIANTS.get(0);
        // means 1, 3, 5 at batches 1, 2, 3 (slope 2); minimums 1, 1.5, 3 (slope 1, by hand: (3 - 1) / 2)
        List<DecodeShapeProbe.Point> points = List.of(new DecodeShapeProbe.Point(v, 1, 10, new double[] {1, 1}),
                new DecodeShapeProbe.Point(v, 2, 10, new double[] {1.5, 4.5}),
                new DecodeShapeProbe.Point(v, 3, 10, new double[] {3, 7}));
        assertEquals(2.0, DecodeShapeProbe.slope(points, true), 1e-12);
        assertEquals(1.0, DecodeShapeProbe.slope(points, false), 1e-12);
        assertEquals(3.0, points.get(1).mean(), 1e-12);
        assertEquals(3.0, points.get(1).median(), 1e-12);
    }

    @Test
    void refusesAnEmptyOrNonPositiveBatch() {
        DecodeShapeProbe probe = new DecodeShapeProbe(null, shm, 1000, 4);
        assertThrows(IllegalArgumentException.class, () -> probe.measure("tiny-omni", 1, 64, List.of(), 1, 1,
                (d, n, w) -> { }));
        assertThrows(IllegalArgumentException.class, () -> probe.measure("tiny-omni", 1, 64, List.of(0), 1, 1,
                (d, n, w) -> { }));
    }

    @Test
    @Tag("integration")
    @Timeout(180)
    void timesEveryVariantAndBatchOnARealExecutorAndLeavesNothingBehind() throws Exception {
        List<DecodeShapeProbe.Point> points;
        try (LocalProcessLauncher launcher = new LocalProcessLauncher()) {
            points = new DecodeShapeProbe(launcher, shm, 120_000, 2).measure("tiny-vl", 1, 32, List.of(1, 3), 2, 2,
                    (d, n, w) -> { });
        }
        assertEquals(DecodeShapeProbe.VARIANTS.size() * 2, points.size());
        for (DecodeShapeProbe.Point p : points) {
            assertEquals(2 * 2, p.computeMs().length, p.variant() + " x" + p.batch());
            assertTrue(p.min() > 0 && p.min() <= p.median() && p.median() <= p.mean() * 2, p.toString());
            // prompts of the mean (rounded), the sampled token and the untimed step's two iterations
            assertEquals(32 + 1 + 2, p.meanContextTokens(), 0.5);
        }
        assertTrue(DecodeShapeProbe.table(points).contains("ragged, sampled"));
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(0, left.count(), "no shared-memory file left");
        }
    }
}
