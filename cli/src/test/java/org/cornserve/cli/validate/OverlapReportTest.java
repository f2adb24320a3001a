package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cornserve.cli.validate.OverlapReport.Beside;
import org.cornserve.cli.validate.OverlapReport.Cell;
import org.cornserve.cli.validate.OverlapReport.Kind;
import org.cornserve.cli.validate.OverlapReport.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link OverlapReport}: what the other executor did over a step's window, by hand, and the ratios it sums. */
class OverlapReportTest {

    /** A step of {@code executor} whose compute runs from {@code startMs} for {@code computeMs}, busy 0.2 ms more. */
    private static Step step(String executor, Kind kind, double startMs, double computeMs, double chargeMs,
            double othersComputing) {
        double busy = computeMs + 0.2;
        return new Step(executor, kind, computeMs, busy, chargeMs, startMs + computeMs - busy, othersComputing, 0);
    }

    /** Executor b's decode steps of 2 ms back to back over [from, to). */
    private static List<Step> decodes(double from, double to) {
        return decodes(from, to, Kind.DECODE_ONE);
    }

    private static List<Step> decodes(double from, double to, Kind kind) {
        List<Step> out = new ArrayList<>();
        for (double t = from; t < to; t += 2.2) {
            out.add(step("b", kind, t + 0.2, 2, 1, 1));
        }
        return out;
    }

    private static final Step A = step("a", Kind.PREFILL, 10, 10, 10, 0.5);

    private static Beside besideA(List<Step> others) {
        List<Step> all = new ArrayList<>(others);
        all.add(A);
        return OverlapReport.beside(A, 10, all);
    }

    @Test
    void whatTheOtherDidOverTheWindowByHand() {
        assertEquals(Beside.ALONE, besideA(List.of()), "nothing else ran");
        assertEquals(Beside.ALONE, besideA(List.of(step("b", Kind.PREFILL, 25, 30, 30, 0))), "after the window");
        assertEquals(Beside.PREFILL, besideA(List.of(step("b", Kind.PREFILL, 5, 30, 30, 1))), "one prefill over it");
        assertEquals(Beside.DECODE, besideA(decodes(9, 22)), "decode steps over all of it");
        assertEquals(Beside.PARTLY, besideA(decodes(9, 15)), "over half of it");
        List<Step> mixed = new ArrayList<>(decodes(9, 17));
        mixed.add(step("b", Kind.PREFILL, 18, 5, 5, 1)); // decodes to 17.8, then 2.2 ms of a prefill: under half
        assertEquals(Beside.MIXED, besideA(mixed));
        assertEquals(Beside.ALONE, besideA(List.of(step("a", Kind.PREFILL, 5, 30, 30, 0))),
                "the step's own executor is not another");
    }

    @Test
    void aStepDecidedBeforeOneThatEndsEarlierIsFound() {
        // b's steps in order of their ends: x decided at 8, ending at 10; y decided at 3, ending at 12. a's window
        // [4, 6] meets y alone, behind x in that order: the look-up does not take decisions to come in order of ends
        Step x = new Step("b", Kind.DECODE_ONE, 1, 2, 1, 8, 1, 0);
        Step y = new Step("b", Kind.PREFILL, 1, 9, 1, 3, 1, 0);
        Step a = step("a", Kind.DECODE_ONE, 4, 2, 2, 1);
        assertEquals(Beside.PREFILL, OverlapReport.beside(a, 2, List.of(x, y, a)));
    }

    @Test
    void theWindowIsTheChargeAtTheRunsSpeedNotTheStepsOwnTime() {
        // a step that ran 10 times its charge: its own interval is covered by b's decodes from 12 ms on, but at the
        // speed alone it would have ended at 11 ms, before b started
        Step slow = step("a", Kind.DECODE_ONE, 10, 10, 1, 0.8);
        List<Step> steps = new ArrayList<>(decodes(12, 22));
        steps.add(slow);
        assertEquals(Beside.ALONE, OverlapReport.beside(slow, 1, steps));
        assertEquals(Beside.PARTLY, OverlapReport.beside(slow, 10, steps), "over its own interval it would not be");
    }

    @Test
    void ratiosAreSummedComputeOverSummedChargeAtTheKindsSpeedAlone() {
        // executor a's one-sequence decodes alone: 3 + 5 ms against 2 + 2 charged: speed alone 2.0 of the charge.
        // Beside b's decodes: one of 1 ms charged (window 2 ms) that computed 3 ms, one of 2 ms (window 4) 5 ms: 8 / 6.
        List<Step> steps = new ArrayList<>();
        steps.add(step("a", Kind.DECODE_ONE, 0, 3, 2, 0));
        steps.add(step("a", Kind.DECODE_ONE, 4, 5, 2, 0));
        steps.addAll(decodes(20, 40, Kind.DECODE_MORE)); // b's: no step of theirs alone, so not read themselves
        steps.add(step("a", Kind.DECODE_ONE, 22, 3, 1, 1));
        steps.add(step("a", Kind.DECODE_ONE, 26, 5, 2, 1));
        Map<Kind, Map<Beside, Cell>> cells = new EnumMap<>(Kind.class);
        OverlapReport.add(steps, cells);
        Cell beside = cells.get(Kind.DECODE_ONE).get(Beside.DECODE);
        assertEquals(2, beside.steps());
        assertEquals(8.0 / 6.0, beside.ratio(), 1e-12);
        assertEquals(1.0, cells.get(Kind.DECODE_ONE).get(Beside.ALONE).ratio(), 1e-12, "alone at their own speed");
        assertEquals(null, cells.get(Kind.DECODE_MORE), "a kind without steps alone has no speed alone");
    }

    /**
     * A seeded run of three executors, 300 steps each, of every kind: compute at 0.8 to 2.3 times the charge, a quarter
     * of the steps alone, gaps of up to 30 ms now and then, and one step in five decided up to 4 ms before the step
     * before it ended (sent ahead).
     */
    private static List<Step> randomRun(long seed) {
        Random rnd = new Random(seed);
        List<Step> steps = new ArrayList<>();
        for (String ex : List.of("a", "b", "c")) {
            double t = rnd.nextDouble() * 5;
            for (int i = 0; i < 300; i++) {
                Kind kind = Kind.values()[rnd.nextInt(3)];
                double charge = kind == Kind.PREFILL ? 5 + rnd.nextDouble() * 40 : 1 + rnd.nextDouble() * 3;
                double compute = charge * (0.8 + rnd.nextDouble() * 1.5);
                double busy = compute + rnd.nextDouble() * (rnd.nextInt(5) == 0 ? 4 : 0.3);
                steps.add(new Step(ex, kind, compute, busy, charge, t + compute - busy,
                        rnd.nextInt(4) == 0 ? 0 : rnd.nextDouble(), 0));
                t += compute + (rnd.nextInt(3) == 0 ? rnd.nextDouble() * 30 : 0.05);
            }
        }
        return steps;
    }

    /** Every charged step of a kind with steps alone lands in exactly one cell, its compute summed once. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 4, 5})
    void everyStepIsCountedOnce(long seed) {
        List<Step> steps = randomRun(seed);
        Map<Kind, Map<Beside, Cell>> cells = new EnumMap<>(Kind.class);
        OverlapReport.add(steps, cells);
        for (Kind k : Kind.values()) {
            double expected = steps.stream().filter(s -> s.kind() == k).mapToDouble(Step::computeMs).sum();
            long n = steps.stream().filter(s -> s.kind() == k).count();
            assertEquals(expected, cells.get(k).values().stream().mapToDouble(Cell::computeMs).sum(), 1e-6 * expected);
            assertEquals(n, cells.get(k).values().stream().mapToInt(Cell::steps).sum());
        }
    }

    /** The classification by a scan of every step, as first written: the reference for the indexed look-up. */
    private static Beside byScan(Step s, double windowMs, List<Step> steps) {
        double from = s.startMs();
        double to = from + windowMs;
        double covered = 0;
        double prefillMost = 0;
        boolean prefillMeets = false;
        for (Step o : steps) {
            double overlap = Math.min(to, o.endMs()) - Math.max(from, o.decidedMs());
            if (o.executor().equals(s.executor()) || overlap <= 0) {
                continue;
            }
            covered += overlap;
            if (o.kind() == Kind.PREFILL) {
                prefillMeets = true;
                prefillMost = Math.max(prefillMost, overlap);
            }
        }
        double share = covered / windowMs;
        return share < OverlapReport.ALONE_COVER ? Beside.ALONE : share <= OverlapReport.FULL_COVER ? Beside.PARTLY
                : prefillMost >= windowMs / 2 ? Beside.PREFILL : prefillMeets ? Beside.MIXED : Beside.DECODE;
    }

    /**
     * The indexed look-up against the scan, over seeded runs of three executors whose steps are sometimes decided
     * before the step before them ended (sent ahead), at windows shorter and longer than the steps.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14})
    void theIndexedLookUpMatchesAScan(long seed) {
        List<Step> steps = randomRun(seed);
        OverlapReport.Timeline timeline = new OverlapReport.Timeline(steps);
        for (Step s : steps) {
            for (double window : new double[] {0.5 * s.computeMs(), s.computeMs(), 3 * s.computeMs()}) {
                assertEquals(byScan(s, window, steps), OverlapReport.beside(s, window, timeline));
            }
        }
    }

    @Test
    void readsAStepsFileAndPrintsTheTable(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("planned");
        Files.createDirectories(run.resolve("measured"));
        String header = StepRecorder.CSV_HEADER;
        StringBuilder csv = new StringBuilder(header).append('\n');
        // replica 0 alone, then beside replica 1's prefill
        csv.append("0,0,0,100,0,0,1,10.0,10.2,10.0,0.000,10.0,0.0,0.2,,\n");
        csv.append("0,1,0,300,0,0,1,40.0,40.2,40.0,0.000,40.0,20.0,0.2,,\n");
        csv.append("0,0,0,100,0,0,1,12.0,12.2,10.0,1.000,12.4,25.0,0.2,,\n");
        Files.writeString(run.resolve("measured").resolve("steps.csv"), csv);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OverlapReport.report(List.of(run), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("beside prefill"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("prefill") && l.contains("1.000 (     1)")
                && l.contains("1.200 (     1)")), table);
    }

    /**
     * At equal size: steps alone run at a level that grows with their size (as served decodes do with their context,
     * where the profile's charge barely does), overlapped ones at that level times a known factor, more of them at the
     * larger sizes. Matched by size bin, the factor comes back, summed and at the median; the overlapped steps' speed
     * against all lone steps' of their kind (what the table above reads) is off by the size mix.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23})
    void overlappedOverAloneAtEqualSizeGivesBackTheFactor(long seed) {
        Random rnd = new Random(seed);
        double factor = 1.1 + 0.2 * rnd.nextDouble();
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            long context = 10 + rnd.nextInt(490);
            boolean over = rnd.nextDouble() < context / 600.0; // the longer contexts overlap more often
            double level = 0.7 + 0.6 * (context / 50) * 50 / 500.0; // one level a size bin
            double charge = 2 + rnd.nextDouble();
            double compute = charge * level * (over ? factor : 1);
            steps.add(new Step("a", Kind.DECODE_ONE, compute, compute + 0.2, charge, i * 10.0, over ? 1 : 0, context));
        }
        // a step partly overlapped and an uncharged one count on neither side
        steps.add(new Step("a", Kind.DECODE_ONE, 100, 100, 1, 0, 0.5, 100));
        steps.add(new Step("a", Kind.DECODE_ONE, 100, 100, 0, 0, 1, 100));
        OverlapReport.Matched m = OverlapReport.matched(List.of(steps)).get(Kind.DECODE_ONE);
        assertEquals(factor, m.summed(), 1e-9);
        assertEquals(factor, m.median(), 1e-9);
        assertEquals(steps.stream().filter(s -> s.othersComputing() == 1 && s.chargeMs() > 0).count(), m.overlapped(),
                "every bin has both sides here");
        // unmatched, the size mix adds to the factor
        double unmatched = ratio(steps, 1) / ratio(steps, 0);
        assertTrue(unmatched > factor * 1.05, unmatched + " against " + factor);
    }

    /** Summed compute over summed charge of the steps with {@code others} computing (the two odd ones left out). */
    private static double ratio(List<Step> steps, double others) {
        List<Step> these = steps.stream().filter(s -> s.othersComputing() == others && s.chargeMs() > 0
                && s.computeMs() < 100).toList();
        return these.stream().mapToDouble(Step::computeMs).sum() / these.stream().mapToDouble(Step::chargeMs).sum();
    }

    @Test
    void aBadLineIsNamed(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("steps.csv");
        Files.writeString(csv, StepRecorder.CSV_HEADER + "\n0,0,0,x,0,0,1,1,1,1,0,1,0,0,,\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OverlapReport.read(csv));
        assertTrue(e.getMessage().startsWith(csv + ":2:"), e.getMessage());
        Files.writeString(csv, "deployment,replica\n");
        e = assertThrows(IllegalArgumentException.class, () -> OverlapReport.read(csv));
        assertTrue(e.getMessage().contains(":1: no column prefill_tokens"), e.getMessage());
    }
}
