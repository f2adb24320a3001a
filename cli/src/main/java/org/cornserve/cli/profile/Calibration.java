package org.cornserve.cli.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.model.Modality;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.TraceRecord;

/**
 * Fits one hardware kind's compute efficiency, memory-bandwidth efficiency and per-iteration overhead to one or more
 * measured serving runs of that kind (each on its own plan; a joint fit minimises the mean of the runs' objectives,
 * which pins down what one run leaves free, e.g. how a decode step splits between weight streaming and per-iteration
 * overhead when a run's decode batches stay one size): each run's arrivals and token counts are replayed through the
 * simulator on its plan, and
 * Commons Math's Nelder-Mead simplex (derivative-free: the simulator is not differentiable) minimises the mean squared
 * log ratio of simulated to measured TPOT and end-to-end latency over the requests it fits on, plus that of their
 * mean TTFT in each prompt-length quartile (a single request's TTFT jumps with the iteration boundary its arrival
 * meets, which makes per-request TTFT a rough objective). A seeded
 * fraction of the requests is held back from the objective (they are still replayed, since they share the
 * engine with the rest) and the fit's error is reported on them.
 *
 * <p>Search: {@link EfficiencySearch} (a coarse grid, then Nelder-Mead). Each evaluation is one simulation of each
 * run, so the cost is 65 + at most {@code maxEvaluations} evaluations.
 */
public final class Calibration {

    /** Relative errors of simulated against measured latencies over a set of requests. */
    public record Errors(int requests, double ttftMeanAbsPct, double tpotMeanAbsPct, double e2eMeanAbsPct,
            double queueMeanAbsMs) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d requests: TTFT %.1f%%, TPOT %.1f%%, E2E %.1f%% mean abs error%s",
                    requests, ttftMeanAbsPct, tpotMeanAbsPct, e2eMeanAbsPct,
                    Double.isNaN(queueMeanAbsMs) ? "" : String.format(Locale.ROOT, ", queueing %.1f ms", queueMeanAbsMs));
        }
    }

    /** The fitted values, the starting point's and the fit's errors, and how many simulations it took. */
    public record Fit(Hardware hardware, double objective, Errors fitErrorsBefore, Errors fitErrors,
            Errors heldBackErrorsBefore, Errors heldBackErrors, int evaluations) {}

    /**
     * A measured run and the plan that served it.
     *
     * @param source where the run comes from (its file), for messages and the report
     * @param plan the plan the run was measured on (its arrivals go to its first model)
     * @param requests the run's requests, in any order
     */
    public record Run(String source, DeploymentPlan plan, List<MeasuredRun.Request> requests) {
        public Run {
            if (requests.isEmpty()) {
                throw new IllegalArgumentException(source + ": no requests");
            }
            requests = requests.stream().sorted(Comparator.comparingDouble(MeasuredRun.Request::arrival)).toList();
        }
    }

    /** One run's errors on its fit and held-back requests, on the starting hardware and the fitted one. */
    public record RunFit(String source, Errors fitErrorsBefore, Errors fitErrors, Errors heldBackErrorsBefore,
            Errors heldBackErrors) {}

    /** A fit to several runs at once: the fitted values, each run's errors, and the simulations it took. */
    public record JointFit(Hardware hardware, double objective, List<RunFit> runs, int evaluations) {
        public JointFit {
            runs = List.copyOf(runs);
        }
    }

    private static final Slo UNCHECKED = new Slo(0, 0, 0, 1);

    private final DeploymentPlan plan;
    private final HardwareCatalog catalog;
    private final Hardware start;
    private final long seed;
    private final double holdBack;
    private final int maxEvaluations;

    /**
     * @param plan the plan the run was measured on (its arrivals go to its first model), for {@link #fit}
     * @param catalog hardware kinds (built-in and any files)
     * @param hardwareName the kind to fit
     * @param seed seed of the hold-back choice and the simulator's routers
     * @param holdBack fraction of requests held back from the fit, in [0, 0.9]
     * @param maxEvaluations most simulations the optimiser may run
     */
    public Calibration(DeploymentPlan plan, HardwareCatalog catalog, String hardwareName, long seed, double holdBack,
            int maxEvaluations) {
        if (!(holdBack >= 0 && holdBack <= 0.9)) {
            throw new IllegalArgumentException("hold-back fraction must be in [0, 0.9], got " + holdBack);
        }
        this.plan = plan;
        this.catalog = catalog;
        this.start = catalog.get(hardwareName);
        this.seed = seed;
        this.holdBack = holdBack;
        this.maxEvaluations = maxEvaluations;
    }

    /** The run as a trace: arrivals from the first one, the prompt as text tokens, text out. */
    static List<TraceRecord> trace(List<MeasuredRun.Request> requests, String app) {
        double origin = requests.stream().mapToDouble(MeasuredRun.Request::arrival).min().orElseThrow();
        List<TraceRecord> out = new ArrayList<>();
        for (MeasuredRun.Request r : requests) {
            out.add(new TraceRecord(Math.round((r.arrival() - origin) * 1e9), app,
                    new RequestShape(Math.toIntExact(r.inputTokens()), List.of(), Math.toIntExact(r.outputTokens()),
                            Set.of(Modality.TEXT)), r.id(), null));
        }
        return out;
    }

    /** Fits to one run on the constructor's plan and returns the calibrated hardware with the errors before and after. */
    public Fit fit(List<MeasuredRun.Request> measured) {
        JointFit joint = fitJoint(List.of(new Run("run", plan, measured)));
        RunFit run = joint.runs().get(0);
        return new Fit(joint.hardware(), joint.objective(), run.fitErrorsBefore(), run.fitErrors(),
                run.heldBackErrorsBefore(), run.heldBackErrors(), joint.evaluations());
    }

    /**
     * Fits one set of values to all {@code runs} at once (the mean of their objectives; each run holds back its own
     * seeded fraction of requests, run {@code r} with seed {@code seed + r}) and reports each run's errors.
     * Cost: 65 + at most {@code maxEvaluations} evaluations, each simulating every run once.
     */
    public JointFit fitJoint(List<Run> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no measured runs to fit to");
        }
        List<Prepared> prepared = new ArrayList<>();
        for (int r = 0; r < runs.size(); r++) {
            prepared.add(new Prepared(runs.get(r), seed + r, holdBack));
        }
        EfficiencySearch.Result found = new EfficiencySearch(start, maxEvaluations).minimise(hw -> prepared.stream()
                .mapToDouble(p -> logError(simulate(hw, p), p.run().requests(), p.held(), false)).average().orElseThrow());
        Hardware fitted = found.hardware();
        List<RunFit> out = new ArrayList<>();
        for (Prepared p : prepared) {
            SimResult before = simulate(start, p);
            SimResult after = simulate(fitted, p);
            List<MeasuredRun.Request> requests = p.run().requests();
            out.add(new RunFit(p.run().source(), errors(before, requests, p.held(), false),
                    errors(after, requests, p.held(), false), errors(before, requests, p.held(), true),
                    errors(after, requests, p.held(), true)));
        }
        return new JointFit(fitted, found.objective(), out, found.evaluations());
    }

    /** A run as a trace, and which of its requests are held back from the fit. */
    private record Prepared(Run run, List<TraceRecord> trace, boolean[] held) {
        Prepared(Run run, long holdBackSeed, double holdBack) {
            this(run, Calibration.trace(run.requests(), run.plan().models().get(0)), new boolean[run.requests().size()]);
            SplittableRandom random = new SplittableRandom(holdBackSeed);
            for (int i = 0; i < held.length; i++) {
                held[i] = random.nextDouble() < holdBack;
            }
        }
    }

    private SimResult simulate(Hardware hw, Prepared p) {
        HardwareCatalog withCandidate = catalog.overriddenBy(HardwareCatalog.of(List.of(hw)));
        return new SimulatorPlanRunner(seed, withCandidate).simulate(p.run().plan(), p.trace(), UNCHECKED);
    }

    /**
     * Mean squared log ratio of simulated to measured TPOT and E2E over the fit (or held-back) requests, plus the
     * mean over prompt-length quartiles of the squared log ratio of their mean TTFTs.
     */
    private static double logError(SimResult r, List<MeasuredRun.Request> requests, boolean[] held, boolean heldBack) {
        List<RequestRecord> records = r.records();
        double sum = 0;
        long terms = 0;
        double[] simulatedTtft = new double[TTFT_BINS];
        double[] measuredTtft = new double[TTFT_BINS];
        long[] edges = promptEdges(requests);
        for (RequestRecord rec : records) {
            int i = Math.toIntExact(rec.request().id());
            if (held[i] != heldBack) {
                continue;
            }
            MeasuredRun.Request m = requests.get(i);
            if (!rec.completed()) {
                sum += 25; // an unfinished request is as bad as a factor e^5 off
                terms++;
                continue;
            }
            int bin = bin(edges, m.inputTokens());
            simulatedTtft[bin] += rec.ttftMs();
            measuredTtft[bin] += m.ttftSeconds() * 1e3;
            sum += sq(Math.log(Math.max(rec.e2eMs(), 1e-6) / Math.max(m.e2eSeconds() * 1e3, 1e-6)));
            terms++;
            if (m.outputTokens() >= 2 && m.tpotSeconds() > 0) {
                sum += sq(Math.log(Math.max(rec.tpotMs(), 1e-6) / (m.tpotSeconds() * 1e3)));
                terms++;
            }
        }
        if (terms == 0) {
            return 0;
        }
        // TTFT enters as means over prompt-length quartiles: one request's TTFT jumps with the iteration boundary
        // its arrival meets, while short prompts' mean TTFT weighs the per-iteration overhead and long prompts'
        // the compute, which separates the two from the decode's bandwidth
        double ttft = 0;
        for (int b = 0; b < TTFT_BINS; b++) {
            if (measuredTtft[b] > 0 && simulatedTtft[b] > 0) {
                ttft += sq(Math.log(simulatedTtft[b] / measuredTtft[b]));
            }
        }
        return sum / terms + ttft / TTFT_BINS;
    }

    private static final int TTFT_BINS = 4;

    /** Prompt-length quartile edges of the run (the upper bounds of the first three bins). */
    private static long[] promptEdges(List<MeasuredRun.Request> requests) {
        long[] sorted = requests.stream().mapToLong(MeasuredRun.Request::inputTokens).sorted().toArray();
        long[] edges = new long[TTFT_BINS - 1];
        for (int i = 1; i < TTFT_BINS; i++) {
            edges[i - 1] = sorted[Math.min(sorted.length - 1, sorted.length * i / TTFT_BINS)];
        }
        return edges;
    }

    private static int bin(long[] edges, long tokens) {
        int b = 0;
        while (b < edges.length && tokens > edges[b]) {
            b++;
        }
        return b;
    }

    private static Errors errors(SimResult r, List<MeasuredRun.Request> requests, boolean[] held, boolean heldBack) {
        double ttft = 0;
        double tpot = 0;
        double e2e = 0;
        double queue = 0;
        int n = 0;
        int nTpot = 0;
        int nQueue = 0;
        for (RequestRecord rec : r.records()) {
            int i = Math.toIntExact(rec.request().id());
            if (held[i] != heldBack || !rec.completed()) {
                continue;
            }
            MeasuredRun.Request m = requests.get(i);
            n++;
            ttft += Math.abs(rec.ttftMs() / (m.ttftSeconds() * 1e3) - 1);
            e2e += Math.abs(rec.e2eMs() / (m.e2eSeconds() * 1e3) - 1);
            if (m.outputTokens() >= 2 && m.tpotSeconds() > 0) {
                tpot += Math.abs(rec.tpotMs() / (m.tpotSeconds() * 1e3) - 1);
                nTpot++;
            }
            if (!Double.isNaN(m.scheduled())) {
                int node = rec.request().graph().tokenStreamNode();
                double simulatedQueueMs = (rec.startedNanos(node) - rec.request().arrivalNanos()) / 1e6;
                queue += Math.abs(simulatedQueueMs - (m.scheduled() - m.arrival()) * 1e3);
                nQueue++;
            }
        }
        return new Errors(n, 100 * ttft / Math.max(1, n), 100 * tpot / Math.max(1, nTpot), 100 * e2e / Math.max(1, n),
                nQueue == 0 ? Double.NaN : queue / nQueue);
    }

    private static double sq(double v) {
        return v * v;
    }
}
