package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The served-speed diagnosis charges the control plane's round trip its own served steps paid: the median over the
 * judged replay's decode-only steps, not the idle probe's.
 */
class ServedRoundTripTest {
    @TempDir
    Path tmp;

    /**
     * Decode-only steps with seeded round trips and prefill steps with far longer ones: the served round trip is the
     * decode-only steps' median, as a sort and its middle (or middle two) give it, whatever the prefills paid.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void theRoundTripIsTheDecodeStepsMedian(long seed) throws Exception {
        Random rnd = new Random(seed);
        int decodes = 50 + rnd.nextInt(51); // odd and even counts both
        List<Double> trips = new ArrayList<>();
        StringBuilder csv = new StringBuilder(StepRecorder.CSV_HEADER + "\n");
        double at = 0;
        for (int i = 0; i < decodes; i++) {
            if (rnd.nextInt(4) == 0) {
                csv.append(row(100 + rnd.nextInt(900), 0, 10 + rnd.nextDouble(), 5 + rnd.nextDouble(), at));
                at += 20;
            }
            double trip = Math.round((0.1 + 0.5 * rnd.nextDouble()) * 1e4) / 1e4; // as the file holds it
            trips.add(trip);
            csv.append(row(0, 1 + rnd.nextInt(3), 2 + rnd.nextDouble(), trip, at));
            at += 3;
        }
        Path steps = tmp.resolve("steps.csv");
        Files.writeString(steps, csv);
        double[] sorted = trips.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        assertEquals(expected, SpeedTraces.servedRoundTripMs(steps), 1e-9);
    }

    /** No decode-only step: no round trip read (NaN), and the diagnosis keeps the probe's. */
    @Test
    void withoutDecodeStepsNothingIsRead() throws Exception {
        Path out = tmp.resolve("run");
        Files.createDirectories(out.resolve("measured"));
        Files.writeString(out.resolve("measured/steps.csv"), StepRecorder.CSV_HEADER + "\n" + row(300, 0, 12, 5, 0));
        assertTrue(Double.isNaN(SpeedTraces.servedRoundTripMs(out.resolve("measured/steps.csv"))));
        Served probed = new Served(2.0, 0.13, Map.of(), null);
        assertSame(probed, SpeedDiagnosis.forServedSpeed(List.of(probed), out, 1));
    }

    /**
     * The diagnosis of replay k takes the round trip of replay k's own steps ({@code measured-k}), everything else as
     * the probes measured it; a replay without a steps file keeps the probe's.
     */
    @Test
    void theDiagnosisChargesEachReplaysOwnRoundTrip() throws Exception {
        Path out = tmp.resolve("run");
        double[][] tripsByReplay = {{0.30, 0.31, 0.32}, {0.20, 0.25, 0.40, 0.45}};
        for (int k = 1; k <= 2; k++) {
            Path dir = Validation.replayDir(out.resolve("measured"), k);
            Files.createDirectories(dir);
            StringBuilder csv = new StringBuilder(StepRecorder.CSV_HEADER + "\n");
            for (double trip : tripsByReplay[k - 1]) {
                csv.append(row(0, 1, 2, trip, 0));
            }
            Files.writeString(dir.resolve("steps.csv"), csv);
        }
        List<Served> runs = List.of(new Served(2.0, 0.13, Map.of(), null),
                new Served(2.5, 0.11, Map.of(), null), new Served(2.2, 0.12, Map.of(), null));
        Served first = SpeedDiagnosis.forServedSpeed(runs, out, 1);
        assertEquals(0.31, first.stepOverheadMs(), 1e-9);
        assertEquals(2.0, first.overheadMs(), 0);
        Served second = SpeedDiagnosis.forServedSpeed(runs, out, 2);
        assertEquals((0.25 + 0.40) / 2, second.stepOverheadMs(), 1e-9);
        assertEquals(2.5, second.overheadMs(), 0);
        assertEquals(0.12, SpeedDiagnosis.forServedSpeed(runs, out, 3).stepOverheadMs(), 0);
        assertThrows(IllegalArgumentException.class, () -> runs.get(0).withStepOverheadMs(-0.1));
    }

    /** A steps.csv row of one replica: busy is compute plus the round trip; charged as computed, alone. */
    private static String row(long prefill, int sequences, double compute, double trip, double decidedMs) {
        return String.format(Locale.ROOT, "0,0,2,%d,%d,0,%d,%.6f,%.6f,%.6f,0,%.6f,%.4f,%.4f,,%n", prefill, sequences,
                prefill > 0 ? 1 : 4, compute, compute + trip, compute, compute, decidedMs, trip);
    }
}
