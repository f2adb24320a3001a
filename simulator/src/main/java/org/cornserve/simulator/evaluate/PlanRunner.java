package org.cornserve.simulator.evaluate;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.Slo;
import org.cornserve.planner.search.CapacitySearch;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.traces.TraceRecord;

/**
 * Runs a plan on a trace at a rate and measures it: the simulator does ({@link SimulatorPlanRunner}); tests hand in
 * fakes. Runs are cut with {@link org.cornserve.traces.transform.TraceRuns}.
 */
@FunctionalInterface
public interface PlanRunner {
    /**
     * @param trace the workload, arrivals already at the rate to run
     * @param rateRps that rate, for the report
     */
    RunMetrics run(DeploymentPlan plan, List<TraceRecord> trace, double rateRps, Slo slo);

    /**
     * The planner's ranking by this runner: each candidate becomes a plan document, runs on {@code runAt} of the
     * rate, and is judged on its throughput, goodput and attainment.
     *
     * @param document a candidate as the plan document to run
     * @param runAt the requests of a run at a rate (from the planning data, never the data a plan is judged on)
     * @param steady when a run counts as sustained besides its attainment
     */
    default PlanEvaluator evaluator(Function<CandidatePlan, DeploymentPlan> document,
            DoubleFunction<List<TraceRecord>> runAt, Slo slo, SteadyState steady) {
        return (candidate, rateRps) -> {
            RunMetrics m = run(document.apply(candidate), runAt.apply(rateRps), rateRps, slo);
            return new PlanEvaluator.Evaluation(m.throughputRps(), m.goodputRps(), m.sloAttainment(), steady.holds(m));
        };
    }

    /**
     * A plan's capacity at the SLO: the highest rate whose run still meets the attainment target in steady state
     * ({@code steady}), doubled or halved from {@code startRps} until the target flips, then bisected to
     * {@code relativeTolerance}.
     *
     * @param runAt the requests of a run at a rate
     * @param ceilingRps the highest rate to probe: past it {@code runAt} gives runs shorter than they should be
     *     (see {@link CapacitySearch#search(double, double, java.util.function.DoubleFunction)})
     * @param probe sees every run's figures as it finishes (for a report or a progress line)
     */
    default CapacitySearch.Result capacity(DeploymentPlan plan, DoubleFunction<List<TraceRecord>> runAt, Slo slo,
            SteadyState steady, double relativeTolerance, int maxDoublings, double startRps, double ceilingRps,
            Consumer<RunMetrics> probe) {
        return new CapacitySearch(slo.attainmentTarget(), relativeTolerance, maxDoublings,
                CapacitySearch.bisectionsFor(relativeTolerance) + 2).searchProbes(startRps, ceilingRps, rate -> {
                    RunMetrics m = run(plan, runAt.apply(rate), rate, slo);
                    probe.accept(m);
                    return new CapacitySearch.Probe(rate, m.sloAttainment(), steady.holds(m));
                });
    }
}
