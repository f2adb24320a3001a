package org.cornserve.cli.profile;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;

/**
 * Fits a hardware kind's compute efficiency, memory-bandwidth efficiency and per-iteration overhead to the summary
 * statistics of one or more benchmark runs ({@link BenchRun}, e.g. vLLM {@code bench serve} result files): each run
 * is replayed as its client sent it ({@link BenchReplay}) and {@link EfficiencySearch} minimises the mean, over the
 * runs' published statistics, of the squared log ratio of simulated to published value. This is the fit for runs
 * that publish only statistics; a run with per-request timestamps (arrival, first and last token) has the
 * per-request fit of {@link Calibration}.
 */
public final class BenchCalibration {

    /** One statistic of one run: published, simulated before and after the fit. */
    public record Row(String run, String statistic, double published, double before, double after) {
        public double beforeErrorPct() {
            return 100 * (before / published - 1);
        }

        public double afterErrorPct() {
            return 100 * (after / published - 1);
        }
    }

    /** The fitted hardware, the comparison table and the simulations it took. */
    public record Fit(Hardware hardware, double objective, List<Row> rows, int evaluations) {}

    private final DeploymentPlan plan;
    private final HardwareCatalog catalog;
    private final Hardware start;
    private final long seed;
    private BenchReplay.FrontEnd frontEnd = BenchReplay.FrontEnd.NONE;
    /** Plans of runs not served by the constructor's plan, by identity (a run given twice may have two plans). */
    private final Map<BenchRun, DeploymentPlan> plans = new IdentityHashMap<>();
    /** One replay per plan, for the current front end (concurrent: the search's grid evaluates side by side). */
    private final Map<DeploymentPlan, BenchReplay> replays = new java.util.concurrent.ConcurrentHashMap<>();
    private final int maxEvaluations;
    private java.util.function.Predicate<String> fitted = k -> true;
    private boolean oneServer;

    /**
     * @param plan the plan the runs were served by
     * @param catalog hardware kinds (built-in and any files)
     * @param hardwareName the kind to fit
     * @param seed the replay's seed
     * @param maxEvaluations most objective evaluations after the grid (each replays every run)
     */
    public BenchCalibration(DeploymentPlan plan, HardwareCatalog catalog, String hardwareName, long seed,
            int maxEvaluations) {
        this.plan = plan;
        this.catalog = catalog;
        this.start = catalog.get(hardwareName);
        this.seed = seed;
        this.maxEvaluations = maxEvaluations;
    }

    /**
     * Fits only to the statistics whose key matches {@code regex} (all by default); the others are still reported.
     * For a statistic the model misses for a structural reason, so the fit does not bend the efficiencies to it.
     */
    public BenchCalibration fitting(String regex) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
        this.fitted = k -> p.matcher(k).matches();
        return this;
    }

    /**
     * Replays the runs one after another on one server (its prefix cache carries over, as when one
     * {@code vllm serve} ran them in this order) instead of each on a fresh server.
     */
    public BenchCalibration oneServer(boolean value) {
        this.oneServer = value;
        return this;
    }

    /** Replays with the server's front end ahead of the engine (none by default); it is not fitted. */
    public BenchCalibration frontEnd(BenchReplay.FrontEnd value) {
        this.frontEnd = value;
        replays.clear();
        return this;
    }

    /**
     * {@code run} was served by {@code runPlan}, not the constructor's plan (a joint fit to runs with different
     * engine settings). The plan must deploy the kind being fitted.
     */
    public BenchCalibration servedBy(BenchRun run, DeploymentPlan runPlan) {
        boolean deploysKind = runPlan.deployments().stream().anyMatch(d -> catalog.get(d.hardware()).name().equals(start.name()));
        if (!deploysKind) {
            throw new IllegalArgumentException(run.source() + ": its plan deploys no " + start.name()
                    + ", the hardware kind being fitted");
        }
        plans.put(run, runPlan);
        return this;
    }

    private DeploymentPlan planOf(BenchRun run) {
        return plans.getOrDefault(run, plan);
    }

    private BenchReplay replayOn(DeploymentPlan p) {
        return replays.computeIfAbsent(p, q -> new BenchReplay(q, seed, frontEnd));
    }

    /** Each run's published statistics against the replay on {@code hw}. */
    public Map<String, Double> simulated(BenchRun run, Hardware hw) {
        return replayOn(planOf(run)).replay(run, withCandidate(hw)).statistics(run.statistics().keySet());
    }

    /** The runs' published statistics against the replay on {@code hw}, one map per run. */
    public List<Map<String, Double>> simulated(List<BenchRun> runs, Hardware hw) {
        List<Map<String, Double>> out = new ArrayList<>(runs.size());
        if (oneServer) {
            for (BenchRun run : runs) {
                if (!planOf(run).equals(planOf(runs.get(0)))) {
                    throw new IllegalArgumentException("--one-server replays the runs on one server, so they need one"
                            + " plan; " + run.source() + " has another plan than " + runs.get(0).source());
                }
            }
            List<BenchReplay.Replayed> replayed = replayOn(planOf(runs.get(0))).replay(runs, withCandidate(hw));
            for (int r = 0; r < runs.size(); r++) {
                out.add(replayed.get(r).statistics(runs.get(r).statistics().keySet()));
            }
        } else {
            for (BenchRun run : runs) {
                out.add(simulated(run, hw));
            }
        }
        return out;
    }

    /** Fits to {@code runs} and returns the table of published, before and after. */
    public Fit fit(List<BenchRun> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no benchmark runs to fit to");
        }
        EfficiencySearch.Result found = new EfficiencySearch(start, maxEvaluations).minimise(hw -> objective(runs, hw));
        return new Fit(found.hardware(), found.objective(), rows(List.of(), runs, found.hardware()), found.evaluations());
    }

    /** Most microseconds per prompt token {@link #fitFrontEnd} tries. */
    public static final int MAX_FRONT_END_US = 50;

    /**
     * Fits the server's front end (its cost per prompt token, 0, 1, ..., {@value #MAX_FRONT_END_US} us; none per
     * request) to the runs' TTFT statistics on {@code hw}, by the same squared log ratio as the efficiencies, and
     * replays with it from then on. TTFT is where the front end shows: the first requests of a run, sent together,
     * queue behind each other's front-end work.
     */
    public BenchReplay.FrontEnd fitFrontEnd(List<BenchRun> runs, Hardware hw) {
        java.util.function.Predicate<String> before = fitted;
        fitted = k -> k.contains("_ttft_");
        try {
            BenchReplay.FrontEnd best = null;
            double bestValue = Double.POSITIVE_INFINITY;
            for (int us = 0; us <= MAX_FRONT_END_US; us++) {
                BenchReplay.FrontEnd candidate = new BenchReplay.FrontEnd(0, us);
                frontEnd(candidate);
                double value;
                try {
                    value = objective(runs, hw);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("no TTFT statistic in the runs to fit the front end to", e);
                }
                if (value < bestValue) {
                    bestValue = value;
                    best = candidate;
                }
            }
            frontEnd(best);
            return best;
        } finally {
            fitted = before;
        }
    }

    /** Mean over the runs' statistics of the squared log ratio of simulated to published. */
    double objective(List<BenchRun> runs, Hardware hw) {
        double sum = 0;
        int terms = 0;
        List<Map<String, Double>> simulated = simulated(runs, hw);
        for (int r = 0; r < runs.size(); r++) {
            BenchRun run = runs.get(r);
            Map<String, Double> sim = simulated.get(r);
            for (Map.Entry<String, Double> e : run.statistics().entrySet()) {
                if (!fitted.test(e.getKey())) {
                    continue;
                }
                double s = sim.get(e.getKey());
                double logRatio = Double.isNaN(s) || s <= 0 ? 5 : Math.log(s / e.getValue());
                sum += logRatio * logRatio;
                terms++;
            }
        }
        if (terms == 0) {
            throw new IllegalArgumentException("no statistic of the runs matches the statistics to fit");
        }
        return sum / terms;
    }

    private HardwareCatalog withCandidate(Hardware hw) {
        return catalog.overriddenBy(HardwareCatalog.of(List.of(hw)));
    }

    /** {@code run}'s statistics: published, simulated on the starting hardware and on {@code fitted}. */
    public List<Row> rows(BenchRun run, Hardware fitted) {
        return rows(List.of(), List.of(run), fitted);
    }

    /**
     * The statistics of {@code runs}: published, simulated on the starting hardware and on {@code fitted}; on one
     * server, the runs go after {@code earlier} (replayed, not reported).
     */
    public List<Row> rows(List<BenchRun> earlier, List<BenchRun> runs, Hardware fitted) {
        List<BenchRun> all = new ArrayList<>(earlier);
        all.addAll(runs);
        List<Map<String, Double>> before = simulated(all, start);
        List<Map<String, Double>> after = simulated(all, fitted);
        List<Row> rows = new ArrayList<>();
        for (int r = earlier.size(); r < all.size(); r++) {
            BenchRun run = all.get(r);
            Map<String, Double> b = before.get(r);
            Map<String, Double> a = after.get(r);
            run.statistics().forEach((k, v) -> rows.add(new Row(run.source(), k, v, b.get(k), a.get(k))));
        }
        return rows;
    }

    /** Mean absolute relative error of the rows' fitted values, in percent. */
    public static double meanAbsErrorPct(List<Row> rows) {
        return rows.stream().mapToDouble(r -> Math.abs(r.afterErrorPct())).average().orElse(Double.NaN);
    }

    /** The rows as a text table. */
    public static void print(java.io.PrintWriter pw, List<Row> rows) {
        pw.printf(java.util.Locale.ROOT, "  %-22s %12s %12s %8s %12s %8s  %s%n", "statistic", "published", "before",
                "error", "after", "error", "run");
        for (Row r : rows) {
            pw.printf(java.util.Locale.ROOT, "  %-22s %12.2f %12.2f %7.1f%% %12.2f %7.1f%%  %s%n", r.statistic(),
                    r.published(), r.before(), r.beforeErrorPct(), r.after(), r.afterErrorPct(), r.run());
        }
    }
}
