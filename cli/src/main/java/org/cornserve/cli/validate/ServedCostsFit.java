package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.simulator.config.ServedStepCosts;
import org.cornserve.simulator.config.StepExcess;
import org.cornserve.simulator.config.WindowDrift;

/**
 * Fits {@link ServedStepCosts} from served steps ({@code steps.csv} rows, as {@link StepRecorder#write} writes them).
 * <ul>
 *   <li>the compute ratio and round-trip tables from an idle probe's decode-only steps: {@value #QUANTILES}
 *       quantiles of measured compute over the simulator's charge (with host sharing), divided by their mean so
 *       that a step's expected charge stays the profile's (the idle probe's steps run at another speed than loaded
 *       ones: only their spread is taken), and of the round trip (busy less compute), as measured (its mean is what
 *       served steps pay, where the fixed overhead charged the median);</li>
 *   <li>the extra per delivered sequence from a loaded run's decode-only steps of two or more sequences: the median
 *       over them of (measured compute less the charge) per iteration per sequence beyond the first.</li>
 * </ul>
 */
public final class ServedCostsFit {
    /** Quantiles kept per table: every 1%. */
    static final int QUANTILES = 101;

    private ServedCostsFit() {
    }

    /**
     * One served LLM step as {@code steps.csv} holds it.
     *
     * @param simulatedMs the simulator's charge for it, host sharing included ({@code simulated_shared_ms})
     */
    public record Row(long prefillTokens, int decodeSequences, long iterations, double computeMs, double busyMs,
            double simulatedMs, double othersComputing, double roundTripMs, double decidedMs, long afterPrefill,
            boolean prefillBefore) {

        /**
         * A row not known to follow a step with a prefill. {@code prefillBefore}: its replica's step before it held a
         * prefill and ended ({@code decided_ms + measured_busy_ms}) within {@link ServedStepCosts#BACK_TO_BACK_NANOS}
         * of this one's {@code decided_ms}, as the simulator tells its own ({@link
         * ServedStepCosts#prefillAfterPrefillRatio}).
         */
        public Row(long prefillTokens, int decodeSequences, long iterations, double computeMs, double busyMs,
                double simulatedMs, double othersComputing, double roundTripMs, double decidedMs, long afterPrefill) {
            this(prefillTokens, decodeSequences, iterations, computeMs, busyMs, simulatedMs, othersComputing,
                    roundTripMs, decidedMs, afterPrefill, false);
        }

        /** A row whose place after its replica's last prefill is not known (counted as far from one). */
        public Row(long prefillTokens, int decodeSequences, long iterations, double computeMs, double busyMs,
                double simulatedMs, double othersComputing, double roundTripMs, double decidedMs) {
            this(prefillTokens, decodeSequences, iterations, computeMs, busyMs, simulatedMs, othersComputing,
                    roundTripMs, decidedMs, FAR);
        }

        /** {@link #afterPrefill} of a step with no prefill before it on its replica. */
        public static final long FAR = Long.MAX_VALUE / 2;

        boolean decodeOnly() {
            return prefillTokens == 0;
        }

        double ratio() {
            return computeMs / simulatedMs;
        }
    }

    /**
     * The rows of a {@code steps.csv}; a missing column or a bad number is an error naming the file and line. Each
     * row's {@link Row#afterPrefill} counts the decode-only steps since its replica's last step with a prefill (0 for
     * that step), replicas told apart by the {@code deployment} and {@code replica} columns where the file has them.
     */
    public static List<Row> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(csv + ": empty, no header");
        }
        List<String> header = List.of(lines.get(0).split(",", -1));
        String[] names = {"prefill_tokens", "decode_sequences", "iterations", "measured_compute_ms",
            "measured_busy_ms", "simulated_shared_ms", "others_computing", "round_trip_ms", "decided_ms"};
        int[] col = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            col[i] = header.indexOf(names[i]);
            if (col[i] < 0) {
                throw new IllegalArgumentException(csv + ":1: no column " + names[i]);
            }
        }
        int deployment = header.indexOf("deployment");
        int replica = header.indexOf("replica");
        java.util.Map<String, Long> since = new java.util.HashMap<>();
        java.util.Map<String, double[]> last = new java.util.HashMap<>(); // end ms, 1 where it held a prefill
        List<Row> rows = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String[] f = lines.get(n).split(",", -1);
            try {
                long prefill = Long.parseLong(f[col[0]]);
                String at = (deployment < 0 ? "" : f[deployment]) + "/" + (replica < 0 ? "" : f[replica]);
                long after = prefill > 0 ? 0 : Math.min(since.getOrDefault(at, Row.FAR) + 1, Row.FAR);
                since.put(at, after);
                double busyMs = Double.parseDouble(f[col[4]]);
                double decidedMs = Double.parseDouble(f[col[8]]);
                double[] before = last.get(at);
                boolean prefillBefore = before != null && before[1] > 0
                        && decidedMs - before[0] <= ServedStepCosts.BACK_TO_BACK_NANOS / 1e6;
                last.put(at, new double[] {decidedMs + busyMs, prefill > 0 ? 1 : 0});
                rows.add(new Row(prefill, Integer.parseInt(f[col[1]]), Long.parseLong(f[col[2]]),
                        Double.parseDouble(f[col[3]]), busyMs, Double.parseDouble(f[col[5]]),
                        Double.parseDouble(f[col[6]]), Double.parseDouble(f[col[7]]), decidedMs, after,
                        prefillBefore));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(csv + ":" + (n + 1) + ": bad step row (" + e.getMessage() + ")", e);
            }
        }
        return rows;
    }

    /**
     * The served costs' after-prefill ratio ({@link ServedStepCosts#afterPrefillComputeRatio}) from served runs'
     * steps: for the k-th decode-only step after a step with a prefill (k = 1 to {@code steps}), its measured compute
     * over its charge, each run's divided by that run's steady ratio (the summed compute over the summed charge of its
     * decode-only steps past the first {@code steps}), pooled over the runs as summed compute over summed charge.
     *
     * @throws IllegalArgumentException when a run has no steady steps or no k-th step after a prefill
     */
    public static List<Double> afterPrefillRatio(List<List<Row>> runs, int steps) {
        double[] compute = new double[steps];
        double[] charge = new double[steps];
        for (List<Row> run : runs) {
            double c = 0;
            double s = 0;
            for (Row r : run) {
                if (r.decodeOnly() && r.afterPrefill() > steps) {
                    c += r.computeMs();
                    s += r.simulatedMs();
                }
            }
            if (!(s > 0)) {
                throw new IllegalArgumentException("after-prefill ratio: a run has no decode steps past the first "
                        + steps + " after a prefill");
            }
            double steady = c / s;
            for (Row r : run) {
                if (r.decodeOnly() && r.afterPrefill() >= 1 && r.afterPrefill() <= steps) {
                    compute[(int) r.afterPrefill() - 1] += r.computeMs() / steady;
                    charge[(int) r.afterPrefill() - 1] += r.simulatedMs();
                }
            }
        }
        List<Double> out = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            if (!(charge[k] > 0)) {
                throw new IllegalArgumentException("after-prefill ratio: no decode step " + (k + 1) + " after a prefill");
            }
            out.add(compute[k] / charge[k]);
        }
        return out;
    }

    /**
     * The served costs' round-trip tail ({@link ServedStepCosts#roundTripTailMs}) from served runs' steps: the mean
     * of the decode-only steps' round trips less their median, run by run, averaged over the runs (the probe
     * measures the median; a request's time per token follows the mean).
     *
     * @throws IllegalArgumentException when a run has no decode-only steps
     */
    public static double roundTripTailMs(List<List<Row>> runs) {
        double sum = 0;
        for (List<Row> run : runs) {
            double[] trips = run.stream().filter(Row::decodeOnly).mapToDouble(Row::roundTripMs).toArray();
            if (trips.length == 0) {
                throw new IllegalArgumentException("round-trip tail: a run has no decode-only steps");
            }
            sum += java.util.Arrays.stream(trips).average().orElseThrow()
                    - new org.apache.commons.math3.stat.descriptive.rank.Median().evaluate(trips);
        }
        return sum / runs.size();
    }

    /**
     * The served costs' after-prefill ratio of prefills ({@link ServedStepCosts#prefillAfterPrefillRatio}) from served
     * replays' steps: each step with a prefill's compute over its {@code windowSeconds} window's prefill speed (summed
     * compute over summed charge, as {@link SpeedTraces#speedTrace} measures it), summed over the steps right after a
     * step with a prefill ({@link Row#prefillBefore}) over their summed charge, divided by the same over the other
     * steps with a prefill; pooled over the replays (each step against its own replay's window). The charge-weighted
     * least-squares line of the relative speed against the indicator gives the same.
     *
     * @throws IllegalArgumentException where either kind of step is missing
     */
    public static double prefillAfterPrefillRatio(List<List<Row>> replays, double windowSeconds) {
        double[] after = new double[2]; // compute at the window's speed, charge
        double[] other = new double[2];
        for (List<Row> replay : replays) {
            java.util.Map<Integer, double[]> windows = new java.util.HashMap<>();
            for (Row r : replay) {
                if (!r.decodeOnly() && r.simulatedMs() > 0) {
                    double[] w = windows.computeIfAbsent(window(r, windowSeconds), x -> new double[2]);
                    w[0] += r.computeMs();
                    w[1] += r.simulatedMs();
                }
            }
            for (Row r : replay) {
                if (!r.decodeOnly() && r.simulatedMs() > 0) {
                    double[] w = windows.get(window(r, windowSeconds));
                    double[] sums = r.prefillBefore() ? after : other;
                    sums[0] += r.computeMs() / (w[0] / w[1]);
                    sums[1] += r.simulatedMs();
                }
            }
        }
        if (after[1] <= 0 || other[1] <= 0) {
            throw new IllegalArgumentException("after-prefill ratio of prefills: needs served steps with a prefill both"
                    + " right after one and not");
        }
        return (after[0] / after[1]) / (other[0] / other[1]);
    }

    /**
     * How much slower a replay's steps ran than the probes just before it charged them ({@link
     * ServedStepCosts#replayOverProbePrefill}, {@link ServedStepCosts#replayOverProbeDecode}): over the steps with a
     * prefill, their summed measured compute, less what {@code extraMsPerSequence} charges them, over their summed
     * charge at the probes' speed ({@code prefillCurve} of the step's prefill tokens, times the after-prefill ratio
     * of prefills where one came right before); over the steady decode-only steps (the first {@code
     * StepRecorder.AFTER_PREFILL_STEPS} after a prefill are charged apart) the same at {@code decodeScale}. The
     * simulation as probed charges a step its profile times the probe's speed plus the extra per sequence, so each
     * ratio is what its speed must be multiplied by for the replay's steps to sum to what they measured.
     *
     * @return the prefill ratio and the decode ratio (NaN where the replay has no such steps)
     */
    public static double[] replayOverProbe(List<Row> replay, java.util.function.LongToDoubleFunction prefillCurve,
            double decodeScale, double extraMsPerSequence, double prefillAfterPrefillRatio) {
        double[] sums = new double[4]; // prefill compute, prefill charge, decode compute, decode charge
        for (Row r : replay) {
            if (!(r.simulatedMs() > 0)) {
                continue;
            }
            double extra = extraMsPerSequence * r.iterations()
                    * Math.max(0, r.decodeSequences() + (r.decodeOnly() ? 0 : 1) - 1);
            if (!r.decodeOnly()) {
                sums[0] += r.computeMs() - extra;
                sums[1] += r.simulatedMs() * prefillCurve.applyAsDouble(r.prefillTokens())
                        * ServedStepCosts.prefillFactor(prefillAfterPrefillRatio, r.prefillBefore());
            } else if (r.afterPrefill() > StepRecorder.AFTER_PREFILL_STEPS) {
                sums[2] += r.computeMs() - extra;
                sums[3] += r.simulatedMs() * decodeScale;
            }
        }
        return new double[] {sums[1] > 0 ? sums[0] / sums[1] : Double.NaN,
            sums[3] > 0 ? sums[2] / sums[3] : Double.NaN};
    }

    private static int window(Row r, double windowSeconds) {
        return (int) Math.floor(r.decidedMs() / 1e3 / windowSeconds);
    }

    /**
     * The extra ms per iteration per delivered sequence beyond the first: the median over the decode-only steps of
     * two or more sequences of {@code (compute - charge) / (iterations x (sequences - 1))}; 0 without such steps
     * (never below 0).
     */
    public static double extraMsPerSequence(List<Row> loaded) {
        return extraMsPerSequence(loaded, 0);
    }

    /**
     * As above, for a profile that charges {@code samplingMsPerSequence} more per sequence per iteration than the one
     * the steps were charged by (a profile sampled as served, where the steps' was sampled greedily): each step's
     * compute is first lessened by {@code samplingMsPerSequence x sequences x iterations}, which that profile holds.
     */
    public static double extraMsPerSequence(List<Row> loaded, double samplingMsPerSequence) {
        if (!(samplingMsPerSequence >= 0)) {
            throw new IllegalArgumentException("sampling ms per sequence must be >= 0, got " + samplingMsPerSequence);
        }
        double[] v = loaded.stream().filter(r -> r.decodeOnly() && r.decodeSequences() >= 2 && r.simulatedMs() > 0)
                .mapToDouble(r -> (r.computeMs() - samplingMsPerSequence * r.decodeSequences() * r.iterations()
                        - r.simulatedMs()) / (r.iterations() * (r.decodeSequences() - 1.0)))
                .toArray();
        return v.length == 0 ? 0 : Math.max(0, Validation.median(v));
    }

    /** The fewest steps of several sequences {@link #batchExtraMsPerSequence} measures on. */
    static final int MIN_BATCH_STEPS = 20;

    /**
     * What a served decode step pays per iteration per sequence beyond the first, beyond its profile's point at the
     * speed one sequence ran ({@code decodeScale}): over the decode-only steps of two or more sequences that ran
     * alone on their host and past the first {@value StepRecorder#AFTER_PREFILL_STEPS} after a prefill (charged
     * apart), {@code (sum compute - decodeScale x sum charge) / sum (iterations x (sequences - 1))}, at least 0; the
     * sums, as a request's time per token follows the mean. NaN with fewer than {@value #MIN_BATCH_STEPS} such steps.
     */
    public static double batchExtraMsPerSequence(List<Row> steps, double decodeScale) {
        if (!(decodeScale > 0) || Double.isInfinite(decodeScale)) {
            throw new IllegalArgumentException("decode scale must be positive and finite, got " + decodeScale);
        }
        double compute = 0;
        double charge = 0;
        double extra = 0;
        int n = 0;
        for (Row r : steps) {
            if (r.decodeOnly() && r.decodeSequences() >= 2 && r.othersComputing() == 0 && r.simulatedMs() > 0
                    && r.afterPrefill() > StepRecorder.AFTER_PREFILL_STEPS) {
                compute += r.computeMs();
                charge += r.simulatedMs();
                extra += r.iterations() * (r.decodeSequences() - 1.0);
                n++;
            }
        }
        return n < MIN_BATCH_STEPS ? Double.NaN : Math.max(0, (compute - decodeScale * charge) / extra);
    }

    /**
     * Served step costs with the compute-ratio and round-trip tables of {@code probe}'s decode-only steps and the
     * given extra per sequence.
     */
    public static ServedStepCosts fit(List<Row> probe, double extraMsPerSequence, long seed, String source) {
        double[] ratios = probe.stream().filter(r -> r.decodeOnly() && r.simulatedMs() > 0 && r.computeMs() > 0)
                .mapToDouble(Row::ratio).toArray();
        double[] trips = probe.stream().filter(Row::decodeOnly).mapToDouble(r -> Math.max(0, r.roundTripMs()))
                .toArray();
        if (ratios.length == 0 || trips.length == 0) {
            throw new IllegalArgumentException("served costs: the probe has no decode-only steps to fit from");
        }
        return new ServedStepCosts(extraMsPerSequence, ServedStepCosts.quantiles(ratios, QUANTILES,
                java.util.Arrays.stream(ratios).average().orElseThrow()), ServedStepCosts.quantiles(trips, QUANTILES, 1),
                seed, source);
    }

    /** Bins of a step excess fitted by {@link #stepExcess}: ms of charge at the median speed. */
    static final List<Double> EXCESS_BINS_MS = List.of(2.0, 5.0, 15.0, 40.0, 100.0);

    /** Fewest steps a step-excess bin is fitted on; a bin with fewer takes the nearest bin's table that has enough. */
    static final int EXCESS_MIN_STEPS = 30;

    /**
     * The served costs' step excess ({@link StepExcess}) of served runs' steps (each
     * a run's {@code steps.csv}): per run and kind (steps with a prefill, decode-only reports), the median of measured
     * compute over the charge ({@code simulated_shared_ms}) and their mean (summed over summed); a step's charge at
     * the median speed is its charge times that median, its excess what it computed beyond; the scales are the runs'
     * median over mean weighted by their summed charge, the tables {@value #QUANTILES} quantiles of the excess per
     * bin of charge at the median speed ({@link #EXCESS_BINS_MS}), pooled over the runs.
     */
    static StepExcess stepExcess(List<List<Row>> runs) {
        int bins = EXCESS_BINS_MS.size() + 1;
        double[] scale = new double[2];
        double[] weight = new double[2];
        List<List<List<Double>>> excess = new ArrayList<>();
        for (int kind = 0; kind < 2; kind++) {
            List<List<Double>> perBin = new ArrayList<>();
            for (int b = 0; b < bins; b++) {
                perBin.add(new ArrayList<>());
            }
            excess.add(perBin);
        }
        for (List<Row> run : runs) {
            for (int kind = 0; kind < 2; kind++) {
                boolean prefill = kind == 0;
                List<Row> rows = run.stream().filter(r -> r.decodeOnly() != prefill && r.simulatedMs > 0).toList();
                if (rows.isEmpty()) {
                    continue;
                }
                double[] ratios = rows.stream().mapToDouble(Row::ratio).sorted().toArray();
                double median = ratios[ratios.length / 2];
                double charged = rows.stream().mapToDouble(Row::simulatedMs).sum();
                double mean = rows.stream().mapToDouble(Row::computeMs).sum() / charged;
                scale[kind] += median / mean * charged;
                weight[kind] += charged;
                for (Row r : rows) {
                    double atMedian = r.simulatedMs * median;
                    excess.get(kind).get(StepExcess.bin(EXCESS_BINS_MS, atMedian)).add(r.computeMs - atMedian);
                }
            }
        }
        List<List<List<Double>>> tables = new ArrayList<>();
        for (int kind = 0; kind < 2; kind++) {
            if (weight[kind] == 0) {
                throw new IllegalArgumentException("step excess: no served " + (kind == 0 ? "step with a prefill"
                        : "decode-only step") + " in the runs");
            }
            List<List<Double>> perBin = excess.get(kind);
            List<List<Double>> out = new ArrayList<>();
            for (int b = 0; b < bins; b++) {
                int from = b;
                int nearest = java.util.stream.IntStream.range(0, bins)
                        .filter(j -> perBin.get(j).size() >= EXCESS_MIN_STEPS).boxed()
                        .min(java.util.Comparator.comparingInt(j -> Math.abs(j - from)))
                        .orElseThrow(() -> new IllegalArgumentException("step excess: no bin of at least "
                                + EXCESS_MIN_STEPS + " served steps"));
                double[] v = perBin.get(nearest).stream().mapToDouble(Double::doubleValue).toArray();
                out.add(ServedStepCosts.quantiles(v, QUANTILES, 1).stream()
                        .map(x -> Math.round(x * 1e4) / 1e4).toList());
            }
            tables.add(out);
        }
        return new StepExcess(Math.round(scale[0] / weight[0] * 1e4) / 1e4,
                Math.round(scale[1] / weight[1] * 1e4) / 1e4, EXCESS_BINS_MS, tables.get(0), tables.get(1));
    }
    /** A window drift's window: the length of validate's served-speed windows. */
    static final double DRIFT_WINDOW_SECONDS = 10;

    /** The least charge (ms) of a kind in a window for its speed to count in a window drift. */
    static final double DRIFT_MIN_CHARGE_MS = 200;

    /** Quantiles kept of a window drift's tables: every 5%. */
    static final int DRIFT_QUANTILES = 21;

    /**
     * The served costs' {@code window_drift} ({@link WindowDrift}) fitted to served runs: each run's steps cut into
     * windows of {@code windowSeconds} by when they were decided; a window's factor of a kind (steps with a prefill,
     * decode-only steps) its steps' summed compute over their summed charge, over the same of the whole run; a window
     * counts where it is whole (the run's last, cut short, does not) and its steps of both kinds were charged at least
     * {@value #DRIFT_MIN_CHARGE_MS} ms. The tables are the quantiles of the windows' factors of every run, pooled.
     */
    static WindowDrift windowDrift(List<List<Row>> runs, double windowSeconds) {
        double windowMs = windowSeconds * 1e3;
        List<Double> prefill = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        for (List<Row> run : runs) {
            if (run.isEmpty()) {
                continue;
            }
            double end = run.stream().mapToDouble(Row::decidedMs).max().orElse(0);
            int whole = (int) Math.floor(end / windowMs);
            double[][] sums = new double[2][2]; // the run's compute and charge, of steps with a prefill then decodes
            double[][][] byWindow = new double[whole][2][2];
            for (Row r : run) {
                int kind = r.decodeOnly() ? 1 : 0;
                sums[kind][0] += r.computeMs;
                sums[kind][1] += r.simulatedMs;
                int w = (int) Math.floor(r.decidedMs / windowMs);
                if (w >= 0 && w < whole) {
                    byWindow[w][kind][0] += r.computeMs;
                    byWindow[w][kind][1] += r.simulatedMs;
                }
            }
            if (sums[0][1] <= 0 || sums[1][1] <= 0) {
                continue;
            }
            for (double[][] w : byWindow) {
                if (w[0][1] >= DRIFT_MIN_CHARGE_MS && w[1][1] >= DRIFT_MIN_CHARGE_MS) {
                    prefill.add(w[0][0] / w[0][1] / (sums[0][0] / sums[0][1]));
                    decode.add(w[1][0] / w[1][1] / (sums[1][0] / sums[1][1]));
                }
            }
        }
        if (prefill.size() < 2) {
            throw new IllegalArgumentException("window drift: fewer than 2 whole windows of " + windowSeconds
                    + " s with both kinds of steps charged " + DRIFT_MIN_CHARGE_MS + " ms or more in the runs");
        }
        return new WindowDrift(windowSeconds, rounded(prefill), rounded(decode));
    }

    private static List<Double> rounded(List<Double> factors) {
        return ServedStepCosts.quantiles(factors.stream().mapToDouble(Double::doubleValue).toArray(), DRIFT_QUANTILES,
                1).stream().map(x -> Math.round(x * 1e4) / 1e4).toList();
    }
}
