package org.cornserve.experiments.headline;

import org.cornserve.simulator.evaluate.RunMetrics;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.simulator.evaluate.SteadyState;
import org.cornserve.traces.transform.TraceRuns;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.IntFunction;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.PlanDocuments;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.planner.baseline.Strategies;
import org.cornserve.planner.estimate.AnalyticEstimator;
import org.cornserve.planner.search.CapacitySearch;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.Objective;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Holds the analytic estimate against the simulator: on seeded synthetic image-and-text workloads, a
 * baseline's plan (chosen on the estimate alone) has its capacity at the SLO estimated and measured (bisection
 * to 1%; each probe {@link #PROBE_SECONDS} of arrivals at the probed rate, at least the 3000 requests planned on); the
 * ratio estimate / measured must stay inside the bound of the case's family. The bounds are the ones
 * planner/README.md states, the measured spread of these cases with a margin of about 5% (measured 5 Dec 2026 with
 * 300 s probes: monolithic 0.88 to 1.30, encoder-split 1.01 to 1.16, pd-split 0.98 to 1.14; with 900 s probes 0.90 to
 * 1.31, 1.02 to 1.19 and 1.00 to 1.14; the outliers are Gemma 3 4B at a 25 ms TPOT target; with the noise-scaled
 * steady-state check on 300 s probes 0.88 to 1.30, 1.01 to 1.16 and 0.98 to 1.14).
 *
 * <p>Why the probes are long: the estimate is a steady-state capacity (a deployment past its engine limits is
 * unstable), and a short run cannot see a slow overload. With probes of the planning trace's 3000 requests (about 24 s
 * at 120 rps) pd-split Qwen2.5-VL-7B on 4 GPUs measured 123.5 rps against an estimate of 96.4 (ratio 0.78): its decode
 * replica runs at its 256-sequence limit and serves at most about 95.5 rps (the simulator's throughput at any offered
 * rate above it, {@link #saturatedThroughputMatchesTheEstimatesStableRate}); above that a queue grows, but too little
 * within 24 s to fail a tenth of the requests. With 300 s probes it measures 98.7 rps (ratio 0.977), with 900 s 96.4
 * (1.000). The simulator is deterministic, so a change that moves a ratio past its bound is a change in the estimate or
 * the simulator to look at.
 */
@Tag("slow")
class EstimateVsSimulatorTest {

    /**
     * Seconds of arrivals in each simulated probe (see the class comment: long enough to show a slow overload); the
     * system property {@code estimate.probeSeconds} overrides it (0: the planning trace's 3000 requests, as before).
     */
    static final double PROBE_SECONDS = Double.parseDouble(System.getProperty("estimate.probeSeconds", "300"));

    /**
     * When a probe counts as sustained besides its attainment (the headline's default); the system properties
     * {@code estimate.steadyTail}, {@code estimate.maxBacklogGrowth} (1: attainment alone) and
     * {@code estimate.noiseSigmas} (0: the fixed bound) override its tail and growth bound.
     */
    static final SteadyState STEADY = new SteadyState(Double.parseDouble(System.getProperty("estimate.steadyTail",
            Double.toString(SteadyState.DEFAULT.tailFraction()))),
            Double.parseDouble(System.getProperty("estimate.maxBacklogGrowth",
                    Double.toString(SteadyState.DEFAULT.maxBacklogGrowth()))), 0,
            Double.parseDouble(System.getProperty("estimate.noiseSigmas",
                    Double.toString(SteadyState.DEFAULT.noiseSigmas()))));

    /** A capacity probe of a simulated run under {@link #STEADY}, printed (rate, attainment, growth, its bound). */
    static CapacitySearch.Probe probeOf(RunMetrics m) {
        double tail = STEADY.tailFraction();
        System.out.printf(java.util.Locale.ROOT, "  probe %.3f rps: %d requests, attainment %.3f, growth %.4f, noise sd"
                + " %.4f, bound %.4f%s (last quarter %.4f +- %.4f, last half %.4f +- %.4f)%n", m.rateRps(), m.requests(),
                m.sloAttainment(), m.backlog().growth(tail), m.backlog().noise(tail), STEADY.bound(m.backlog()),
                STEADY.holds(m) ? "" : " (not steady)", m.backlog().growth(0.25), m.backlog().noise(0.25),
                m.backlog().growth(0.5), m.backlog().noise(0.5));
        return new CapacitySearch.Probe(m.rateRps(), m.sloAttainment(), STEADY.holds(m));
    }

    /** One case: its planning trace and problem, the family's plan chosen on the estimate, and the plan as a file. */
    record Case(String model, long seed, List<TraceRecord> trace, Slo slo, PlanningProblem problem, CandidatePlan plan,
            DeploymentPlan doc) {

        static Case plan(String family, String model, int gpus, long seed, String sloText) {
            Hardware h100 = HardwareCatalog.builtIn().get("h100-sxm");
            List<TraceRecord> trace = CatalogProblems.routeToModels(SearchVsSimulatorBruteForceTest.trace(seed, 3000),
                    List.of(model), seed);
            Slo slo = Slo.parse(sloText, 0.9);
            PlanningProblem problem = CatalogProblems.build(ModelCatalog.builtIn(), List.of(model), h100, 1, gpus, trace,
                    slo, seed, 400, 0);
            CandidatePlan plan = Strategies.byName(family).plan(problem, Objective.goodput(), null).plan();
            return new Case(model, seed, trace, slo, problem, plan, PlanDocuments.plan("p", plan, problem, h100,
                    CornserveSearch.Options.DEFAULT.estimator(), null));
        }

        /**
         * The plan simulated at {@code rate} on the case's trace continued by the same generator (its first records
         * are the planning trace) to {@link #PROBE_SECONDS} of arrivals, never fewer records than the planning trace.
         */
        RunMetrics simulate(double rate) {
            List<TraceRecord> probe = probe(trace, rate, requests -> CatalogProblems.routeToModels(
                    SearchVsSimulatorBruteForceTest.trace(seed, requests), List.of(model), seed));
            return new SimulatorPlanRunner(seed).run(doc, probe, rate, slo);
        }
    }

    /**
     * A probe at {@code rate}: {@link #PROBE_SECONDS} of arrivals at that rate, never fewer records than the planning
     * trace, from {@code longer} (the planning trace's generator run to that many records: its first records are the
     * planning trace) where the planning trace is too short.
     */
    static List<TraceRecord> probe(List<TraceRecord> planning, double rate, IntFunction<List<TraceRecord>> longer) {
        int requests = (int) Math.max(planning.size(), Math.ceil(rate * PROBE_SECONDS));
        List<TraceRecord> records = requests == planning.size() ? planning : longer.apply(requests);
        return TraceRuns.rescale(records, rate, records.size());
    }

    @ParameterizedTest(name = "{0} {1} on {2} GPUs, seed {3}")
    @CsvSource({
            // family, model, gpus, seed, slo, low bound, high bound
            "monolithic, qwen2.5-vl-7b, 1, 1, 'ttft=1000,tpot=40', 0.84, 1.38",
            "monolithic, qwen2.5-vl-7b, 2, 2, 'ttft=2000,tpot=100', 0.84, 1.38",
            "monolithic, gemma-3-4b, 2, 3, 'ttft=800,tpot=25', 0.84, 1.38",
            "monolithic, internvl3-38b, 4, 4, 'ttft=2000,tpot=100', 0.84, 1.38",
            "monolithic, qwen2.5-vl-7b, 4, 5, 'ttft=500,tpot=30', 0.84, 1.38",
            "encoder-split, qwen2.5-vl-7b, 2, 1, 'ttft=1000,tpot=40', 0.96, 1.25",
            "encoder-split, qwen2.5-vl-7b, 4, 2, 'ttft=2000,tpot=100', 0.96, 1.25",
            "encoder-split, gemma-3-4b, 4, 3, 'ttft=800,tpot=25', 0.96, 1.25",
            "pd-split, qwen2.5-vl-7b, 2, 1, 'ttft=1000,tpot=40', 0.93, 1.20",
            "pd-split, qwen2.5-vl-7b, 4, 2, 'ttft=2000,tpot=100', 0.93, 1.20",
            "pd-split, gemma-3-4b, 4, 3, 'ttft=800,tpot=25', 0.93, 1.20",
    })
    void estimateStaysWithinItsFamilysBound(String family, String model, int gpus, long seed, String sloText, double low,
            double high) {
        Case c = Case.plan(family, model, gpus, seed, sloText);
        double estimate = new AnalyticEstimator(c.problem()).capacityRps(c.plan());
        double measured = new CapacitySearch(c.slo().attainmentTarget(), 0.01, 12, CapacitySearch.bisectionsFor(0.01) + 2)
                .searchProbes(estimate > 0 ? estimate : 1, Double.POSITIVE_INFINITY, rate -> {
                    return probeOf(c.simulate(rate));
                }).capacityRps();
        double ratio = estimate / measured;
        System.out.printf("estimate-vs-simulator %s %s %d GPUs seed %d: %s estimated %.2f rps, measured %.2f rps, "
                + "ratio %.3f%n", family, model, gpus, seed, c.plan().describe(), estimate, measured, ratio);
        assertTrue(measured > 0 && ratio >= low && ratio <= high, String.format(java.util.Locale.ROOT,
                "%s: estimate %.2f rps / measured %.2f rps = %.3f, outside [%.2f, %.2f]", c.plan().describe(), estimate,
                measured, ratio, low, high));
    }

    /**
     * The estimate's stable rate (every engine within its limits) against the simulator's sustained throughput: offered
     * a third more than the estimate's stable rate for {@link #PROBE_SECONDS}, the pd-split plan's decode replica runs
     * at its sequence limit and the simulator's throughput (requests over first arrival to last completion, which an
     * overloaded run's drain brings down to its service rate) is what the plan sustains. Within 5%.
     */
    @ParameterizedTest(name = "{0} {1} on {2} GPUs, seed {3}")
    @CsvSource({"pd-split, qwen2.5-vl-7b, 4, 2, 'ttft=2000,tpot=100'"})
    void saturatedThroughputMatchesTheEstimatesStableRate(String family, String model, int gpus, long seed,
            String sloText) {
        Case c = Case.plan(family, model, gpus, seed, sloText);
        double stable = new AnalyticEstimator(c.problem()).stableRps(c.plan());
        double offered = stable * 4 / 3;
        double sustained = c.simulate(offered).throughputRps();
        double ratio = stable / sustained;
        System.out.printf("estimate-vs-simulator saturated %s: estimated stable %.2f rps, simulated throughput at %.1f rps"
                + " offered %.2f rps, ratio %.3f%n", c.plan().describe(), stable, offered, sustained, ratio);
        assertTrue(ratio >= 0.95 && ratio <= 1.05, String.format(java.util.Locale.ROOT,
                "%s: estimated stable rate %.2f rps / simulated throughput %.2f rps = %.3f, outside [0.95, 1.05]",
                c.plan().describe(), stable, sustained, ratio));
    }
}
