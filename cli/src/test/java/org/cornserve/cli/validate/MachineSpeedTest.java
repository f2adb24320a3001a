package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cornserve.model.json.Json;
import org.cornserve.simulator.config.SpeedTrace;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineSpeedTest {
    @TempDir
    Path tmp;

    /** A sensed step time as the served decodes follow it. */
    private static double d(double micros) {
        return Math.pow(micros, MachineSpeed.DECODE_ELASTICITY);
    }

    private static MachineSpeed.Reading at(double seconds, int cpu, double micros) {
        return new MachineSpeed.Reading(Math.round(seconds * 1e9), cpu, micros);
    }

    @Test
    void cpuListsAsLinuxWritesThem() {
        assertEquals(List.of(0, 1, 2, 3, 6, 8, 9), MachineSpeed.parseCpuList("0-3,6,8-9"));
        assertEquals(List.of(0), MachineSpeed.parseCpuList("0"));
        assertEquals(List.of(2, 3), MachineSpeed.parseCpuList(" 2-3\n"));
    }

    @Test
    void aSpanReadsTheMeanOverCoresOfEachCoresMedian() {
        List<MachineSpeed.Reading> r = new ArrayList<>(List.of(at(1, 0, 100), at(2, 0, 120), at(3, 0, 110),
                at(1.5, 1, 200), at(2.5, 1, 230), at(3.5, 1, 210), at(4.5, 1, 220),
                at(12, 0, 999), at(12, 1, 999))); // outside the span
        assertEquals((110 + 215) / 2.0, MachineSpeed.sensedMicros(r, List.of(0, 1), 0, 10), 1e-9);
        // a core with fewer than three readings leaves the span unread
        assertTrue(Double.isNaN(MachineSpeed.sensedMicros(r, List.of(0, 1), 2.2, 10)));
        assertTrue(Double.isNaN(MachineSpeed.sensedMicros(r, List.of(0, 1, 2), 0, 10)));
    }

    @Test
    void theTraceIsTheCalibrationTimesTheSensedTimeWindowByWindowForDecodesAndTheMedianForPrefills() {
        List<MachineSpeed.Reading> r = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            r.add(at(6 + i, 0, 400)); // window 0: [5, 15)
            r.add(at(6 + i, 1, 600));
            r.add(at(26 + i * 0.5, 0, 300)); // window 2: [25, 35)
            r.add(at(26 + i * 0.5, 1, 300));
        }
        SpeedTrace t = MachineSpeed.trace(r, List.of(0, 1), new double[] {5, 33}, 10, 0.002, 0.003);
        assertEquals(10, t.windowSeconds());
        assertEquals(3, t.decode().size());
        // the prefills at the median of the windows' sensed times (500, 500, 300), in every window
        assertEquals(List.of(500 * 0.002, 500 * 0.002, 500 * 0.002), t.prefill());
        // the decodes at each window's sensed time to the power the served decodes follow it by
        assertEquals(d(500) * 0.003, t.decode().get(0), 1e-12);
        assertEquals(d(500) * 0.003, t.decode().get(1), 1e-12); // no reading: the last window's
        assertEquals(d(300) * 0.003, t.decode().get(2), 1e-12);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> MachineSpeed.trace(r, List.of(0, 1), new double[] {100, 130}, 10, 1, 1));
        assertTrue(none.getMessage().contains("no sensor readings"), none.getMessage());
    }

    @Test
    void aBadReadingsLineIsNamed() throws Exception {
        Path f = tmp.resolve("sensed.csv");
        Files.writeString(f, "t_s,cpu,micros\n1.000,0,300.0\n1.250,x,301.0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineSpeed.readCsv(f));
        assertTrue(e.getMessage().contains("sensed.csv line 3"), e.getMessage());
        Files.writeString(f, "t_s,cpu,micros\n1.000,0,300.0\n1.250,1,301.5\n");
        assertEquals(List.of(at(1, 0, 300), at(1.25, 1, 301.5)), MachineSpeed.readCsv(f));
    }

    /** A warm-up's steps: before 10 s at 3.0 of the profile, after it prefills at 1.2 and decodes at 1.5. */
    private static String warmupSteps() {
        StringBuilder b = new StringBuilder("deployment,replica,prefill_tokens,decode_sequences,iterations,"
                + "measured_compute_ms,measured_busy_ms,simulated_shared_ms,others_computing,round_trip_ms,"
                + "decided_ms\n");
        for (double t = 500; t < 20_000; t += 1000) {
            double speedPrefill = t < 10_000 ? 3.0 : 1.2;
            double speedDecode = t < 10_000 ? 3.0 : 1.5;
            b.append(String.format(Locale.ROOT, "0,0,100,0,1,%.4f,%.4f,10,0,0.1,%.1f%n", 10 * speedPrefill,
                    10 * speedPrefill, t));
            for (int d = 1; d <= 6; d++) { // the first two after a prefill are charged apart, not counted
                b.append(String.format(Locale.ROOT, "0,0,0,1,4,%.4f,%.4f,2,0,0.1,%.1f%n", 2 * speedDecode,
                        2 * speedDecode, t + d * 10));
            }
        }
        return b.toString();
    }

    @Test
    void theFirstReplayIsCalibratedOnTheWarmupsLaterHalf() throws Exception {
        Files.createDirectories(tmp.resolve("measured-warmup"));
        Files.writeString(tmp.resolve("measured-warmup/steps.csv"), warmupSteps());
        List<MachineSpeed.Reading> r = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double t = 100 + i * 0.5; // the warm-up runs from 100 to 120 s of the sensors' clock
            r.add(at(t, 0, t < 110 ? 1000 : 300));
            r.add(at(t, 1, t < 110 ? 1000 : 500));
        }
        MachineSpeed.Spans spans = new MachineSpeed.Spans(250, List.of(0, 1), new double[] {100, 120},
                null, List.of(new double[] {150, 400}));
        double[] perMicro = SpeedDiagnosis.sensorCalibration(tmp, r, spans, 1, 0, null);
        assertEquals(1.2 / 400, perMicro[0], 1e-9);
        assertEquals(1.5 / d(400), perMicro[1], 1e-9);
        // the replay's simulation charges prefills by the probes' shape: here twice the profile at every length, so
        // the served prefills ran at half the speed against that charge; decodes are not shaped
        double[] shaped = SpeedDiagnosis.sensorCalibration(tmp, r, spans, 1, 0,
                org.cornserve.model.profile.PrefillScaleCurve.parse("1=2.0,10000=2.0"));
        assertEquals(0.6 / 400, shaped[0], 1e-9);
        assertEquals(1.5 / d(400), shaped[1], 1e-9);
        // no readings in the later half: a clear error, not a guess
        List<MachineSpeed.Reading> early = r.stream().filter(x -> x.nanos() < 110e9).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpeedDiagnosis.sensorCalibration(tmp, early, spans, 1, 0, null));
        assertTrue(e.getMessage().contains("warm-up"), e.getMessage());
    }

    @Test
    void aCalibrationReplayCalibratesTheFirstReplayAndJoinsTheEarlierOnesForTheRest() throws Exception {
        // the warm-up is there but not read: its steps would calibrate at 3.0 of the profile per 1000 us
        Files.createDirectories(tmp.resolve("measured-warmup"));
        Files.writeString(tmp.resolve("measured-warmup/steps.csv"), warmupSteps());
        // the calibration replay ran from 200 s: 10 s at 3.0 of the profile, then prefills at 1.2, decodes at 1.5
        Files.createDirectories(tmp.resolve("measured-calibration"));
        Files.writeString(tmp.resolve("measured-calibration/steps.csv"), warmupSteps());
        List<MachineSpeed.Reading> r = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double t = 200 + i * 0.5;
            r.add(at(t, 0, t < 210 ? 1000 : 300));
            r.add(at(t, 1, t < 210 ? 1000 : 500));
            r.add(at(100 + i * 0.5, 0, 2000)); // the warm-up's span
            r.add(at(100 + i * 0.5, 1, 2000));
            r.add(at(230 + i * 0.25, 0, 250)); // replay 1's first window
            r.add(at(230 + i * 0.25, 1, 250));
        }
        MachineSpeed.Spans spans = new MachineSpeed.Spans(250, List.of(0, 1), new double[] {100, 120},
                new double[] {200, 220}, List.of(new double[] {230, 240}, new double[] {250, 260}));
        double[] first = SpeedDiagnosis.sensorCalibration(tmp, r, spans, 1, 0, null);
        // the median of the calibration replay's two windows: 3.0 per 1000 us, then 1.2 and 1.5 per 400 us
        assertEquals((3.0 / 1000 + 1.2 / 400) / 2, first[0], 1e-12);
        assertEquals((3.0 / d(1000) + 1.5 / d(400)) / 2, first[1], 1e-12);
        // replay 2: the calibration replay's windows and replay 1's (its served speed 2.0 at 250 us) together
        Json.mapper().writeValue(tmp.resolve("served-speed.json").toFile(), new SpeedTrace(10, List.of(2.0),
                List.of(2.0), "test"));
        double[] second = SpeedDiagnosis.sensorCalibration(tmp, r, spans, 2, 0, null);
        assertEquals(3.0 / 1000, second[0], 1e-12); // the median of 0.003, 0.003 and 0.008
        assertEquals(3.0 / d(1000), second[1], 1e-12); // of 3.0 / d(1000), 1.5 / d(400) and 2.0 / d(250)
        // sensors silent through the calibration replay: the first replay is not calibrated on the warm-up instead
        List<MachineSpeed.Reading> silent = r.stream().filter(x -> x.nanos() < 200e9 || x.nanos() >= 220e9).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpeedDiagnosis.sensorCalibration(tmp, silent, spans, 1, 0, null));
        assertTrue(e.getMessage().contains("the calibration replay to calibrate on"), e.getMessage());
    }

    @Test
    void laterReplaysAreCalibratedOnTheEarlierOnesServedSpeed() throws Exception {
        // replay 1 ran from 50 s: two 10 s windows, served at 1.2 then 1.5 of the profile (decodes), 1.1 (prefills)
        Json.mapper().writeValue(tmp.resolve("served-speed.json").toFile(), new SpeedTrace(10, List.of(1.1, 1.1),
                List.of(1.2, 1.5), "test"));
        List<MachineSpeed.Reading> r = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            r.add(at(51 + i * 0.9, 0, 400));
            r.add(at(51 + i * 0.9, 1, 400));
            r.add(at(61 + i * 0.9, 0, 500));
            r.add(at(61 + i * 0.9, 1, 500));
        }
        MachineSpeed.Spans spans = new MachineSpeed.Spans(250, List.of(0, 1), new double[] {0, 20},
                null, List.of(new double[] {50, 70}, new double[] {80, 100}));
        double[] perMicro = SpeedDiagnosis.sensorCalibration(tmp, r, spans, 2, 0, null);
        // the median over the windows of served speed over sensed microseconds
        assertEquals((1.1 / 400 + 1.1 / 500) / 2, perMicro[0], 1e-12);
        assertEquals((1.2 / d(400) + 1.5 / d(500)) / 2, perMicro[1], 1e-12);
    }

    @Test
    void aSpeedTraceKeepsTheProbesPrefillShapeButNotItsLevel() throws Exception {
        Path slice = tmp.resolve("slice.jsonl");
        long markup = Validation.PROMPT_OVERHEAD_TOKENS;
        Files.writeString(slice, String.format(Locale.ROOT,
                "{\"arrival_s\":0.1,\"app\":\"default\",\"text_tokens\":%d,\"output_tokens\":5}%n"
                + "{\"arrival_s\":0.2,\"app\":\"default\",\"text_tokens\":%d,\"output_tokens\":5}%n",
                100 - markup, 1000 - markup));
        var curve = org.cornserve.model.profile.PrefillScaleCurve.parse("100=1.2,1000=0.9");
        var shape = SpeedTraces.prefillShape(curve, slice);
        double mean = (1.2 * 100 + 0.9 * 1000) / 1100;
        assertEquals(List.of(100L, 1000L), shape.tokens());
        assertEquals(1.2 / mean, shape.scales().get(0), 1e-12);
        assertEquals(0.9 / mean, shape.scales().get(1), 1e-12);
        // the slice's prompts charged as much in all as without the shape, the long against the short as probed
        assertEquals(1100, shape.applyAsDouble(100) * 100 + shape.applyAsDouble(1000) * 1000, 1e-9);
        assertEquals(0.9 / 1.2, shape.applyAsDouble(1000) / shape.applyAsDouble(100), 1e-12);
        assertEquals(null, SpeedTraces.prefillShape(null, slice));
    }

    /**
     * The served decode speed by the sequences in a step, by hand: per count the decode-only steps' summed compute over
     * their summed charge (the profile's plus the extra per sequence beyond the first), over the same of all counts
     * with enough steps; the first two decode steps after a prefill, steps before the cut and counts with too few
     * steps left out, counts beyond the last point counted with it; fewer than two counts: no shape.
     */
    @Test
    void theServedDecodeSpeedBySequencesIsSummedPerCount() throws Exception {
        String header = StepRecorder.CSV_HEADER + "\n";
        StringBuilder rows = new StringBuilder(header);
        rows.append("0,0,2,100,0,0,1,12.0,12.1,10.0,0,10.0,600,0.2,,\n"); // a prefill: the next two decodes left out
        rows.append("0,0,2,0,1,100,4,400.0,400.2,4.0,0,4.0,700,0.2,,\n");
        rows.append("0,0,2,0,2,200,4,400.0,400.2,4.0,0,4.0,800,0.2,,\n");
        int n = SpeedTraces.MIN_DECODE_STEPS_PER_COUNT;
        for (int i = 0; i < n; i++) {
            rows.append("0,0,2,0,1,100,4,5.0,5.2,4.0,0,4.0," + (1000 + i) + ",0.2,,\n"); // one: 5 / 4
            rows.append("0,0,2,0,3,300,4,9.0,9.2,8.0,0,8.0," + (2000 + i) + ",0.2,,\n"); // three: 9 / (8 + 0.5 x 4 x 2)
            rows.append("0,0,2,0," + (8 + i % 3) + ",900,2,20.0,20.2,10.0,0,10.0," + (3000 + i)
                    + ",0.2,,\n"); // 8 to 10, with 8: 20 / (10 + 0.5 x 2 x (7 to 9))
        }
        rows.append("0,0,2,0,2,200,4,40.0,40.2,4.0,0,4.0,4000,0.2,,\n"); // two: one step only
        rows.append("0,0,2,0,1,100,4,40.0,40.2,4.0,0,4.0,10,0.2,,\n"); // before the cut
        Path csv = tmp.resolve("d.csv");
        Files.writeString(csv, rows.toString());
        var curve = SpeedTraces.servedDecodeCurve(List.of(csv), 0.5, 0.5);
        assertEquals(List.of(1L, 3L, 8L), curve.tokens());
        double one = 5.0 * n / (4.0 * n);
        double three = 9.0 * n / (12.0 * n);
        double eightCharge = 0;
        for (int i = 0; i < n; i++) {
            eightCharge += 10 + 0.5 * 2 * (7 + i % 3);
        }
        double eight = 20.0 * n / eightCharge;
        double mean = (5.0 * n + 9.0 * n + 20.0 * n) / (4.0 * n + 12.0 * n + eightCharge);
        assertEquals(one / mean, curve.scales().get(0), 1e-12);
        assertEquals(three / mean, curve.scales().get(1), 1e-12);
        assertEquals(eight / mean, curve.scales().get(2), 1e-12);
        Path few = tmp.resolve("few.csv");
        Files.writeString(few, header + "0,0,2,0,1,100,4,5.0,5.2,4.0,0,4.0,1000,0.2,,\n");
        assertEquals(null, SpeedTraces.servedDecodeCurve(List.of(few), 0, 0));
    }

    @Test
    void theServedPrefillSpeedByLengthIsSummedNearEachLength() throws Exception {
        // columns: deployment,replica,task,prefill_tokens,decode_sequences,decode_context_tokens,iterations,
        // measured_compute_ms,measured_busy_ms,simulated_ms,others_computing,simulated_shared_ms,decided_ms,...
        String header = StepRecorder.CSV_HEADER + "\n";
        Path a = tmp.resolve("a.csv");
        Path b = tmp.resolve("b.csv");
        StringBuilder rows = new StringBuilder(header);
        for (int i = 0; i < 5; i++) {
            rows.append("0,0,2,90,0,0,1,12.0,12.1,10.0,0,10.0," + (1000 + i) + ",0.2,,\n"); // near 100: 1.2
            rows.append("0,0,2,1100,2,300,1,99.0,99.1,90.0,0,90.0," + (2000 + i) + ",0.2,,\n"); // near 1000: 1.1
        }
        rows.append("0,0,2,0,1,100,4,40.0,40.2,4.0,0,4.0,3000,0.2,,\n"); // decode-only: not a prefill
        rows.append("0,0,2,300,0,0,1,20.0,20.1,20.0,0,20.0,4000,0.2,,\n"); // near 300: one step only
        Files.writeString(a, rows.toString());
        // a second file, its first step before the cut
        Files.writeString(b, header + "0,0,2,100,0,0,1,50.0,50.1,10.0,0,10.0,100,0.2,,\n"
                + "0,0,2,100,0,0,1,12.0,12.1,10.0,0,10.0,5000,0.2,,\n");
        var curve = SpeedTraces.servedPrefillCurve(List.of(a, b), List.of(100L, 300L, 1000L), 0.5);
        assertEquals(List.of(100L, 300L, 1000L), curve.tokens());
        assertEquals(72.0 / 60, curve.scales().get(0), 1e-12);
        assertEquals(1.1, curve.scales().get(2), 1e-12);
        // too few steps near 300: the speed over every prefill step counted
        assertEquals((72.0 + 495 + 20) / (60 + 450 + 20), curve.scales().get(1), 1e-12);
        Path none = tmp.resolve("none.csv");
        Files.writeString(none, header + "0,0,2,0,1,100,4,40.0,40.2,4.0,0,4.0,3000,0.2,,\n");
        assertEquals(null, SpeedTraces.servedPrefillCurve(List.of(none), List.of(100L), 0));
    }

    @Test
    void theShapeIsPooledOverTheReplaysSoFar() {
        var a = org.cornserve.model.profile.PrefillScaleCurve.parse("100=1.2,1000=0.9");
        var b = org.cornserve.model.profile.PrefillScaleCurve.parse("100=1.0,1000=1.1");
        var other = org.cornserve.model.profile.PrefillScaleCurve.parse("50=1.0,1000=1.1");
        java.util.function.Function<org.cornserve.model.profile.PrefillScaleCurve, Served> run = c ->
                new Served(1, 0.1, java.util.Map.of(), null, null, 0, HostLoad.NONE, 1, 1, Double.NaN, c);
        List<Served> runs = List.of(run.apply(a), run.apply(b), run.apply(other), run.apply(null));
        assertEquals(a, SpeedTraces.meanCurve(runs, 1)); // the first replay: its own
        var mean = SpeedTraces.meanCurve(runs, 2);
        assertEquals(List.of(100L, 1000L), mean.tokens());
        assertEquals(1.1, mean.scales().get(0), 1e-12);
        assertEquals(1.0, mean.scales().get(1), 1e-12);
        assertEquals(other, SpeedTraces.meanCurve(runs, 3)); // other lengths: its own
        assertEquals(null, SpeedTraces.meanCurve(runs, 4));
    }

    @Test
    @Tag("integration")
    void liveSensorsReadEveryCoreAndLeaveNothingRunning() throws Exception {
        String why = MachineSpeed.unavailable();
        assumeTrue(why == null, () -> "no machine speed sensors here: " + why);
        long before = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
        List<MachineSpeed.Reading> readings;
        List<Integer> cpus;
        try (MachineSpeed m = MachineSpeed.start()) {
            cpus = m.cpus();
            long deadline = System.nanoTime() + 60_000_000_000L;
            do {
                Thread.sleep(250);
                readings = m.readings();
            } while (System.nanoTime() < deadline && !cpus.stream().allMatch(c -> readings(c, m) >= 3));
            readings = m.readings();
        }
        for (int cpu : cpus) {
            List<Double> mine = readings.stream().filter(x -> x.cpu() == cpu).map(MachineSpeed.Reading::micros)
                    .toList();
            assertTrue(mine.size() >= 3, "core " + cpu + " read " + mine.size() + " times");
            // a one-sequence decode step of the tiny LLM: tens of microseconds to tens of milliseconds on any CPU
            mine.forEach(v -> assertTrue(v > 10 && v < 50_000, "core " + cpu + ": " + v + " us"));
        }
        double s = MachineSpeed.sensedMicros(readings, cpus, 0, Double.MAX_VALUE / 2e9);
        assertTrue(s > 10 && s < 50_000, s + " us");
        assertEquals(before, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                "the sensors are gone");
    }

    private static long readings(int cpu, MachineSpeed m) {
        return m.readings().stream().filter(x -> x.cpu() == cpu).count();
    }
}
