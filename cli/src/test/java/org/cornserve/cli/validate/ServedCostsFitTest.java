package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cornserve.cli.simulate.SimulateCommand;
import org.cornserve.simulator.config.ServedStepCosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fitting served step costs from served steps, against values computed by hand from the same rows. */
class ServedCostsFitTest {
    @TempDir
    Path tmp;

    static ServedCostsFit.Row decode(int sequences, long iterations, double computeMs, double chargeMs, double tripMs) {
        return new ServedCostsFit.Row(0, sequences, iterations, computeMs, computeMs + tripMs, chargeMs, 0, tripMs, 0);
    }

    /**
     * Steps of 2 to 5 sequences whose compute exceeds the charge by exactly {@code extra x iterations x (batch - 1)}
     * (plus single-sequence and prefill steps, which do not count): the fit gives {@code extra} back.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void theExtraPerSequenceIsTheMedianExcessPerIterationPerSequenceBeyondTheFirst(long seed) {
        Random rnd = new Random(seed);
        double extra = rnd.nextInt(1000) / 1000.0;
        List<ServedCostsFit.Row> rows = new ArrayList<>();
        double[] perStep = new double[1 + 2 * rnd.nextInt(20)];
        for (int i = 0; i < perStep.length; i++) {
            int batch = 2 + rnd.nextInt(4);
            long iterations = 1 + rnd.nextInt(4);
            double charge = 1 + rnd.nextDouble() * 5;
            perStep[i] = extra + (rnd.nextDouble() - 0.5) * 0.2;
            rows.add(decode(batch, iterations, charge + perStep[i] * iterations * (batch - 1), charge, 0.5));
            rows.add(decode(1, iterations, charge * 3, charge, 0.5));
            rows.add(new ServedCostsFit.Row(100, batch, 1, charge * 9, charge * 9, charge, 0, 1, 0));
        }
        Arrays.sort(perStep);
        double byHand = Math.max(0, perStep[perStep.length / 2]);
        assertEquals(byHand, ServedCostsFit.extraMsPerSequence(rows), 1e-9);
        assertEquals(0, ServedCostsFit.extraMsPerSequence(List.of(decode(1, 4, 9, 1, 0))), "no batches: none");
    }

    /**
     * A step of 3 sequences x 2 iterations charged 2 ms, computed 4 ms: 0.5 ms beyond the first per sequence per
     * iteration; with 0.1 ms per sequence sampled in the profile, (4 - 0.1 x 3 x 2 - 2) / (2 x 2) = 0.35.
     */
    @Test
    void theSampledProfilesShareComesOffEachStepByHand() {
        List<ServedCostsFit.Row> rows = List.of(decode(3, 2, 4, 2, 0.5));
        assertEquals(0.5, ServedCostsFit.extraMsPerSequence(rows, 0), 1e-12);
        assertEquals(0.35, ServedCostsFit.extraMsPerSequence(rows, 0.1), 1e-12);
        assertEquals(0, ServedCostsFit.extraMsPerSequence(rows, 1), "never below 0");
        assertThrows(IllegalArgumentException.class, () -> ServedCostsFit.extraMsPerSequence(rows, -0.1));
    }

    /** Ratios 0.5, 1, 1.5 (mean 1) and round trips 1, 2, 3 ms: the tables run from the least to the most. */
    @Test
    void theProbesTablesByHand() {
        List<ServedCostsFit.Row> probe = List.of(decode(1, 4, 1, 2, 2), decode(1, 4, 3, 2, 1), decode(1, 4, 2, 2, 3),
                new ServedCostsFit.Row(50, 0, 1, 100, 101, 1, 0, 50, 0));
        ServedStepCosts c = ServedCostsFit.fit(probe, 0.25, 7, "by hand");
        assertEquals(ServedCostsFit.QUANTILES, c.computeRatio().size());
        assertEquals(0.5, c.computeRatio().get(0), 1e-12);
        assertEquals(1.0, c.computeRatio().get(ServedCostsFit.QUANTILES / 2), 1e-12);
        assertEquals(1.5, c.computeRatio().get(ServedCostsFit.QUANTILES - 1), 1e-12);
        assertEquals(1.0, c.roundTripMs().get(0), 1e-12);
        assertEquals(3.0, c.roundTripMs().get(ServedCostsFit.QUANTILES - 1), 1e-12, "the prefill's 50 ms is not one");
        assertEquals(0.25, c.extraMsPerSequence());
        assertEquals(7, c.seed());
        assertThrows(IllegalArgumentException.class, () -> ServedCostsFit.fit(List.of(), 0, 1, ""));
    }

    /** Overheads of exactly 5 ms + 0.05 ms per token give that line back; a falling one gives the median, flat. */
    @Test
    void theRequestOverheadLineByHand() {
        double[] tokens = {75, 249, 273, 75, 249, 273};
        double[] simulated = {10, 20, 30, 11, 21, 31};
        double[] served = new double[6];
        for (int i = 0; i < 6; i++) {
            served[i] = simulated[i] + 5 + 0.05 * tokens[i];
        }
        double[] line = Probes.overheadLine(tokens, served, simulated);
        assertEquals(5, line[0], 1e-9);
        assertEquals(0.05, line[1], 1e-12);
        double[] falling = new double[6];
        for (int i = 0; i < 6; i++) {
            falling[i] = simulated[i] + 30 - 0.05 * tokens[i];
        }
        double[] flat = Probes.overheadLine(tokens, falling, simulated);
        assertEquals(Probes.overheadMs(falling, simulated), flat[0], 1e-12);
        assertEquals(0, flat[1]);
    }

    @Test
    void stepsCsvRowsAreReadAndABadOneIsNamedByLine() throws Exception {
        Path csv = tmp.resolve("steps.csv");
        String header = "deployment,replica,task,prefill_tokens,decode_sequences,decode_context_tokens,iterations,"
                + "measured_compute_ms,measured_busy_ms,simulated_ms,others_computing,simulated_shared_ms,decided_ms,"
                + "round_trip_ms,gap_before_ms\n";
        Files.writeString(csv, header + "0,0,0,0,2,300,4,5.0,5.5,4.0,0.000,4.0,1.0,0.5,0.0\n");
        ServedCostsFit.Row r = ServedCostsFit.read(csv).get(0);
        assertEquals(new ServedCostsFit.Row(0, 2, 4, 5.0, 5.5, 4.0, 0, 0.5, 1.0), r);
        Files.writeString(csv, header + "0,0,0,0,2,300,4,5.0,5.5,4.0,0.000,4.0,1.0,0.5,0.0\n0,0,0,x,1,1,1,1,1,1,0,1,1,1,\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServedCostsFit.read(csv));
        assertTrue(e.getMessage().contains("steps.csv:3"), e.getMessage());
    }

    /**
     * Each row knows whether its replica's step before it held a prefill and ended ({@code decided_ms +
     * measured_busy_ms}) within 1 ms of its {@code decided_ms}, replicas apart, by hand.
     */
    @Test
    void eachRowKnowsWhetherAPrefillCameRightBeforeIt() throws Exception {
        Path csv = tmp.resolve("steps.csv");
        String header = StepRecorder.CSV_HEADER + "\n";
        Files.writeString(csv, header
                + "0,0,2,100,0,0,1,300.0,300.0,250.0,0,250.0,0,0.2,,\n" // a prefill, 0 to 300 ms
                + "0,1,2,100,0,0,1,50.0,50.0,40.0,0,40.0,300,0.2,,\n" // the other replica's first
                + "0,0,2,200,1,100,1,90.0,90.5,80.0,0,80.0,300.5,0.2,0,\n" // 0.5 ms after the prefill: right after
                + "0,0,2,0,2,300,4,4.0,5.0,4.0,0,4.0,391,0.2,0,\n" // a decode: not a prefill, but right after one
                + "0,0,2,200,0,0,1,90.0,90.0,80.0,0,80.0,396,0.2,0,\n" // after the decode: no
                + "0,0,2,200,0,0,1,90.0,90.0,80.0,0,80.0,488,0.2,2,\n" // 2 ms after a prefill: no
                + "0,1,2,100,0,0,1,50.0,50.0,40.0,0,40.0,350,0.2,,\n"); // its replica's prefill ended at 350: yes
        assertEquals(List.of(false, false, true, true, false, false, true), ServedCostsFit.read(csv).stream()
                .map(ServedCostsFit.Row::prefillBefore).toList());
    }

    /**
     * The after-prefill ratio of prefills fitted from seeded replays whose prefills right after one ran at 0.88 of
     * the others (times a seeded noise of up to 5% for the second case), each replay's two 10 s windows at speeds of
     * their own: recovered exactly without noise, within 0.02 with it; without
     * steps of one kind there is no ratio.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void thePrefillAfterPrefillRatioIsRecoveredFromStepsThatRanAtIt(long seed) {
        Random rnd = new Random(seed);
        double[] mix = rnd.doubles(200).toArray();
        for (double noise : new double[] {0, 0.05}) {
            List<List<ServedCostsFit.Row>> replays = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                double[] speed = {0.8 + 0.5 * rnd.nextDouble(), 0.8 + 0.5 * rnd.nextDouble()};
                List<ServedCostsFit.Row> rows = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    // each window the same mix (so that its speed over its mix is the speed over its mean ratio)
                    boolean before = i % 200 % 3 == 0;
                    double charge = 10 + 200 * mix[i % 200];
                    double compute = charge * speed[i / 200] * (before ? 0.88 : 1)
                            * (1 + noise * (2 * rnd.nextDouble() - 1));
                    rows.add(new ServedCostsFit.Row(100, 0, 1, compute, compute, charge, 0, 0.2, i * 50.0, 0,
                            before));
                    rows.add(new ServedCostsFit.Row(0, 1, 4, 4 * speed[0], 4, 4, 0, 0.2, i * 50.0 + 10, 1, true));
                }
                replays.add(rows);
            }
            assertEquals(0.88, ServedCostsFit.prefillAfterPrefillRatio(replays, 10), noise == 0 ? 1e-9 : 0.02,
                    "noise " + noise);
        }
        List<ServedCostsFit.Row> none = List.of(new ServedCostsFit.Row(100, 0, 1, 5, 5, 4, 0, 0.2, 0, 0, false));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServedCostsFit.prefillAfterPrefillRatio(
                List.of(none), 10)).getMessage().contains("both"));
    }

    /** validate's --served-costs: none, the embedded costs of this machine, or a file checked before serving. */
    @Test
    void theServedCostsOption() throws Exception {
        assertNull(Validation.servedCosts("none", tmp));
        Path embedded = Validation.servedCosts(Validation.EMBEDDED_SERVED_COSTS, tmp);
        ServedStepCosts c = SimulateCommand.readServedCosts(embedded);
        assertTrue(c.extraMsPerSequence() > 0, "the embedded costs hold the measured extra per sequence");
        assertTrue(c.source().contains("fc8"), c.source());
        Served served = new Served(1, 0.5, java.util.Map.of(), null).withServedCosts(embedded);
        assertEquals(List.of("--served-costs", embedded.toString()), served.simulateArgs().subList(9, 11));
        assertFalse(served.simulateArgs().contains("--extra-ms-per-sequence"), "not measured: the costs' own");
        assertEquals(c.extraMsPerSequence(), served.chargedExtraMsPerSequence());
        // a batch probe's extra replaces the costs' own, and only where served costs are charged at all
        Served probed = new Served(1, 0.5, java.util.Map.of(), null, null, 0, null, 1, 1, 0.125);
        assertEquals(0, probed.chargedExtraMsPerSequence());
        assertFalse(probed.simulateArgs().contains("--extra-ms-per-sequence"));
        probed = probed.withServedCosts(embedded);
        assertEquals(List.of("--served-costs", embedded.toString(), "--extra-ms-per-sequence", "0.1250"),
                probed.simulateArgs().subList(9, 13));
        assertEquals(0.125, probed.chargedExtraMsPerSequence());
        assertEquals(0.125, probed.atProfileSpeed().extraMsPerSequence());
        assertThrows(IllegalArgumentException.class, () -> new Served(1, 0.5, java.util.Map.of(), null, null,
                0, null, 1, 1, -0.1));
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"extra_ms_per_sequence\": -1}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Validation.servedCosts(bad.toString(), tmp));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("extra_ms_per_sequence"),
                e.getMessage());
    }

    /**
     * The after-prefill ratio by hand: two runs, one twice as slow as the other throughout, whose first decode step
     * after a prefill runs 1.5 and 1.1 times its steady steps and the second 1.2 and 1.0: each run against its own
     * steady speed, pooled by charge.
     */
    @Test
    void theAfterPrefillRatioIsEachRunsOwnAgainstItsSteadySteps() {
        List<List<ServedCostsFit.Row>> runs = new ArrayList<>();
        double[][] firstSecond = {{1.5, 1.2}, {1.1, 1.0}};
        double[] speed = {1, 2};
        for (int run = 0; run < 2; run++) {
            List<ServedCostsFit.Row> rows = new ArrayList<>();
            rows.add(new ServedCostsFit.Row(100, 0, 1, 30, 31, 20, 0, 1, 0, 0));
            rows.add(new ServedCostsFit.Row(0, 1, 4, 4 * speed[run] * firstSecond[run][0], 4, 4, 0, 0.2, 1, 1));
            rows.add(new ServedCostsFit.Row(0, 1, 4, 2 * speed[run] * firstSecond[run][1], 2, 2, 0, 0.2, 2, 2));
            rows.add(new ServedCostsFit.Row(0, 1, 4, 5 * speed[run], 5, 5, 0, 0.2, 3, 3));
            rows.add(new ServedCostsFit.Row(0, 1, 4, 3 * speed[run], 3, 3, 0, 0.2, 4, ServedCostsFit.Row.FAR));
            runs.add(rows);
        }
        List<Double> ratio = ServedCostsFit.afterPrefillRatio(runs, 2);
        assertEquals((4 * 1.5 + 4 * 1.1) / 8, ratio.get(0), 1e-12);
        assertEquals((2 * 1.2 + 2 * 1.0) / 4, ratio.get(1), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ServedCostsFit.afterPrefillRatio(List.of(runs.get(0)
                .subList(0, 3)), 2), "no steady steps");
    }

    /** The round-trip tail by hand: each run's decode steps' mean round trip less their median, averaged. */
    @Test
    void theRoundTripTailIsTheMeanLessTheMedianRunByRun() {
        List<ServedCostsFit.Row> a = new ArrayList<>();
        for (double t : new double[] {0.2, 0.2, 0.2, 1.4}) {
            a.add(new ServedCostsFit.Row(0, 1, 4, 1, 1 + t, 1, 0, t, 0));
        }
        a.add(new ServedCostsFit.Row(100, 0, 1, 9, 19, 9, 0, 10, 0)); // a prefill's: not a decode step's
        List<ServedCostsFit.Row> b = List.of(new ServedCostsFit.Row(0, 1, 4, 1, 1.3, 1, 0, 0.3, 0),
                new ServedCostsFit.Row(0, 1, 4, 1, 1.5, 1, 0, 0.5, 0));
        assertEquals(((0.5 - 0.2) + (0.4 - 0.4)) / 2, ServedCostsFit.roundTripTailMs(List.of(a, b)), 1e-12);
    }

    /**
     * The batch probe's extra per sequence: steps of 2 to 4 sequences computing {@code scale x charge + extra x
     * iterations x (sequences - 1)} plus noise give {@code (sum compute - scale x sum charge) / sum (iterations x
     * (sequences - 1))}, worked out here over the same steps; single-sequence steps, steps right after a prefill,
     * steps that shared the host and prefill steps do not count, whatever they cost.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void theBatchProbesExtraIsTheSummedExcessOverTheOneSequenceSpeed(long seed) {
        Random rnd = new Random(seed);
        double scale = 0.7 + 0.6 * rnd.nextDouble();
        double extra = 0.3 * rnd.nextDouble();
        List<ServedCostsFit.Row> rows = new ArrayList<>();
        double compute = 0;
        double charge = 0;
        double perSequence = 0;
        for (int i = 0; i < 40; i++) {
            int batch = 2 + rnd.nextInt(3);
            long iterations = 1 + rnd.nextInt(4);
            double c = 1 + 4 * rnd.nextDouble();
            double m = scale * c + extra * iterations * (batch - 1) + 0.05 * rnd.nextGaussian();
            rows.add(new ServedCostsFit.Row(0, batch, iterations, m, m + 0.2, c, 0, 0.2, i, 3 + rnd.nextInt(50)));
            compute += m;
            charge += c;
            perSequence += iterations * (batch - 1.0);
            // left out: one sequence, right after a prefill, another executor computing, a prefill step
            rows.add(new ServedCostsFit.Row(0, 1, iterations, 9 * c, 9 * c, c, 0, 0.2, i, 10));
            rows.add(new ServedCostsFit.Row(0, batch, iterations, 9 * c, 9 * c, c, 0, 0.2, i, 1 + rnd.nextInt(2)));
            rows.add(new ServedCostsFit.Row(0, batch, iterations, 9 * c, 9 * c, c, 1, 0.2, i, 10));
            rows.add(new ServedCostsFit.Row(64, batch, 1, 9 * c, 9 * c, c, 0, 0.2, i, 0));
        }
        double byHand = Math.max(0, (compute - scale * charge) / perSequence);
        assertEquals(byHand, ServedCostsFit.batchExtraMsPerSequence(rows, scale), 1e-9);
        assertEquals(extra, ServedCostsFit.batchExtraMsPerSequence(rows, scale), 0.02, "the extra the steps were made with");
        // too few steps of several sequences: not measured
        assertTrue(Double.isNaN(ServedCostsFit.batchExtraMsPerSequence(rows.subList(0, 5 * 19), scale)));
        assertTrue(Double.isFinite(ServedCostsFit.batchExtraMsPerSequence(rows.subList(0, 5 * 20), scale)));
        // faster than the one sequence's speed: 0, never below
        assertEquals(0, ServedCostsFit.batchExtraMsPerSequence(rows, 10 * scale));
        assertThrows(IllegalArgumentException.class, () -> ServedCostsFit.batchExtraMsPerSequence(rows, 0));
    }

    /**
     * The step excess against a reference by definition, on seeded runs of 40 to 100 prefill and 300 decode steps:
     * per run and kind the median and the mean (summed) of measured over charged; each step's excess over its charge
     * at the median, pooled by bin, the nearest bin of 30 or more standing in for a smaller one; the scales weighted
     * by the runs' summed charge.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void theStepExcessAsDefined(long seed) {
        Random rnd = new Random(seed);
        List<List<ServedCostsFit.Row>> runs = new ArrayList<>();
        for (int run = 0; run < 2 + rnd.nextInt(3); run++) {
            List<ServedCostsFit.Row> rows = new ArrayList<>();
            for (int i = 40 + rnd.nextInt(60); i > 0; i--) {
                double charge = 3 + rnd.nextDouble() * 150;
                rows.add(new ServedCostsFit.Row(1 + rnd.nextInt(1000), 0, 1, charge * (0.8 + rnd.nextDouble()
                        * (rnd.nextInt(10) == 0 ? 3 : 0.4)), 0, charge, 0, 0, 0));
            }
            for (int i = 300; i > 0; i--) {
                double charge = 0.5 + rnd.nextDouble() * 6;
                rows.add(decode(1 + rnd.nextInt(4), 4, charge * (0.9 + rnd.nextDouble() * 0.5), charge, 0.2));
            }
            runs.add(rows);
        }
        org.cornserve.simulator.config.StepExcess fitted = ServedCostsFit.stepExcess(runs);
        for (int kind = 0; kind < 2; kind++) {
            boolean prefill = kind == 0;
            List<List<Double>> byBin = new ArrayList<>();
            for (int b = 0; b <= ServedCostsFit.EXCESS_BINS_MS.size(); b++) {
                byBin.add(new ArrayList<>());
            }
            double scaled = 0;
            double weight = 0;
            for (List<ServedCostsFit.Row> run : runs) {
                List<ServedCostsFit.Row> of = run.stream().filter(r -> (r.prefillTokens() > 0) == prefill).toList();
                double[] ratios = of.stream().mapToDouble(r -> r.computeMs() / r.simulatedMs()).sorted().toArray();
                double median = ratios[ratios.length / 2];
                double charge = of.stream().mapToDouble(ServedCostsFit.Row::simulatedMs).sum();
                double mean = of.stream().mapToDouble(ServedCostsFit.Row::computeMs).sum() / charge;
                scaled += median / mean * charge;
                weight += charge;
                for (ServedCostsFit.Row r : of) {
                    double at = r.simulatedMs() * median;
                    int bin = 0;
                    for (double edge : ServedCostsFit.EXCESS_BINS_MS) {
                        bin += at >= edge ? 1 : 0;
                    }
                    byBin.get(bin).add(r.computeMs() - at);
                }
            }
            assertEquals(scaled / weight, prefill ? fitted.prefillScale() : fitted.decodeScale(), 1e-4);
            List<List<Double>> tables = prefill ? fitted.prefillMs() : fitted.decodeMs();
            for (int b = 0; b < byBin.size(); b++) {
                int used = -1;
                for (int d = 0; used < 0; d++) { // the nearest bin with enough steps, the lower one on a tie
                    if (b - d >= 0 && byBin.get(b - d).size() >= ServedCostsFit.EXCESS_MIN_STEPS) {
                        used = b - d;
                    } else if (b + d < byBin.size() && byBin.get(b + d).size() >= ServedCostsFit.EXCESS_MIN_STEPS) {
                        used = b + d;
                    }
                }
                double[] sorted = byBin.get(used).stream().mapToDouble(Double::doubleValue).sorted().toArray();
                List<Double> table = tables.get(b);
                assertEquals(ServedCostsFit.QUANTILES, table.size());
                assertEquals(sorted[0], table.get(0), 1e-4, "kind " + kind + " bin " + b + ": the least");
                assertEquals(sorted[sorted.length - 1], table.get(table.size() - 1), 1e-4, "the most");
                double mid = (sorted.length - 1) / 2.0;
                double median = (sorted[(int) Math.floor(mid)] + sorted[(int) Math.ceil(mid)]) / 2;
                assertEquals(median, table.get(50), 1e-4, "kind " + kind + " bin " + b + ": the median");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ServedCostsFit.stepExcess(List.of(List.of(
                decode(1, 4, 1, 1, 0.2)))), "no step with a prefill");
    }

    /** A prediction simulates the slice as many times as the served costs' prediction_passes say, back to back. */
    @Test
    void aPredictionRepeatsTheSliceAsTheCostsSay() throws Exception {
        Path three = tmp.resolve("three.json");
        Files.writeString(three, "{\"extra_ms_per_sequence\": 0.01, \"round_trip_ms\": [0.2, 0.4],"
                + " \"prediction_passes\": 3}");
        Served served = new Served(1, 0.1, java.util.Map.of(), null, three, 0, HostLoad.NONE);
        assertEquals(3, served.predictionPasses());
        List<String> args = served.predictionArgs();
        assertEquals("3", args.get(args.indexOf("--repeat") + 1));
        assertEquals(served.simulateArgs(), args.subList(0, args.size() - 2));
        Path none = tmp.resolve("none.json");
        Files.writeString(none, "{\"extra_ms_per_sequence\": 0.01}");
        Served once = new Served(1, 0.1, java.util.Map.of(), null, none, 0, HostLoad.NONE);
        assertEquals(once.simulateArgs(), once.predictionArgs(), "one pass: no --repeat");
        // passes asked for where nothing is drawn would all be the same: one
        Path same = tmp.resolve("same.json");
        Files.writeString(same, "{\"extra_ms_per_sequence\": 0.01, \"prediction_passes\": 3}");
        Served alike = new Served(1, 0.1, java.util.Map.of(), null, same, 0, HostLoad.NONE);
        assertEquals(1, alike.predictionPasses());
        assertEquals(alike.simulateArgs(), alike.predictionArgs());
    }

    /**
     * Runs whose steps ran at a known speed per 10 s window: each whole window's factor is its speed over its run's
     * (summed compute over summed charge, the cut last window counted in the run's but not as a window of its own,
     * a window with too little charge left out), and the tables are the pooled factors' quantiles, against a plain
     * reference (linear between order statistics).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theWindowDriftIsEachWholeWindowsSpeedOverItsRunsPooled(long seed) {
        Random rnd = new Random(seed);
        List<List<ServedCostsFit.Row>> runs = new ArrayList<>();
        List<Double> prefillRef = new ArrayList<>();
        List<Double> decodeRef = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            int whole = 3 + rnd.nextInt(4);
            double[][] speed = new double[whole + 1][2];
            double[][] sums = new double[2][2];
            double[][][] byWindow = new double[whole + 1][2][2];
            int thin = rnd.nextInt(whole); // a window of a few decode steps only: left out
            List<ServedCostsFit.Row> rows = new ArrayList<>();
            for (int w = 0; w <= whole; w++) { // window "whole" is cut short: the run ends 4 s into it
                double span = w == whole ? 4_000 : 10_000;
                speed[w][0] = 0.8 + 0.6 * rnd.nextDouble();
                speed[w][1] = speed[w][0] * (0.9 + 0.2 * rnd.nextDouble());
                int prefills = w == thin ? 0 : 40;
                int decodes = w == thin ? 3 : 150;
                for (int i = 0; i < prefills + decodes; i++) {
                    boolean prefill = i < prefills;
                    double charge = prefill ? 5 + 45 * rnd.nextDouble() : 1 + 3 * rnd.nextDouble();
                    double compute = charge * speed[w][prefill ? 0 : 1];
                    double at = w * 10_000 + span * rnd.nextDouble();
                    rows.add(new ServedCostsFit.Row(prefill ? 100 : 0, prefill ? 0 : 2, prefill ? 1 : 4, compute,
                            compute + 0.3, charge, 0, 0.3, at));
                    int kind = prefill ? 0 : 1;
                    sums[kind][0] += compute;
                    sums[kind][1] += charge;
                    byWindow[w][kind][0] += compute;
                    byWindow[w][kind][1] += charge;
                }
            }
            java.util.Collections.shuffle(rows, rnd);
            runs.add(rows);
            for (int w = 0; w < whole; w++) {
                if (w == thin) {
                    continue;
                }
                prefillRef.add(byWindow[w][0][0] / byWindow[w][0][1] / (sums[0][0] / sums[0][1]));
                decodeRef.add(byWindow[w][1][0] / byWindow[w][1][1] / (sums[1][0] / sums[1][1]));
            }
        }
        var drift = ServedCostsFit.windowDrift(runs, 10);
        assertEquals(10, drift.windowSeconds());
        assertEquals(ServedCostsFit.DRIFT_QUANTILES, drift.prefill().size());
        for (int kind = 0; kind < 2; kind++) {
            double[] v = (kind == 0 ? prefillRef : decodeRef).stream().mapToDouble(Double::doubleValue).sorted()
                    .toArray();
            List<Double> table = kind == 0 ? drift.prefill() : drift.decode();
            for (int k = 0; k < table.size(); k++) {
                double pos = (double) k / (table.size() - 1) * (v.length - 1);
                int lo = (int) Math.floor(pos);
                double expected = lo + 1 < v.length ? v[lo] + (pos - lo) * (v[lo + 1] - v[lo]) : v[lo];
                assertEquals(expected, table.get(k), 1e-4, "kind " + kind + " quantile " + k);
            }
        }
        // no whole window with both kinds charged enough: a clear error
        List<ServedCostsFit.Row> short1 = List.of(new ServedCostsFit.Row(100, 0, 1, 10, 10, 10, 0, 0.3, 1_000));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServedCostsFit.windowDrift(List.of(short1),
                10)).getMessage().contains("whole windows"));
    }
}
