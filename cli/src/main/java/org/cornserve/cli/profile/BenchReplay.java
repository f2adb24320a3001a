package org.cornserve.cli.profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.cornserve.model.Modality;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.TraceRecord;

/**
 * Replays a {@link BenchRun} in the simulator the way {@code vllm bench serve} sends it, and measures what its
 * client measures.
 *
 * <p>The client issues request {@code i} at time {@code t_i} (all at 0 for {@code --request-rate inf}; otherwise
 * gamma-distributed gaps of mean {@code 1 / rate} and shape {@code burstiness}, drawn from this replay's seed: the
 * same process as vLLM's, not the same draws) and, with {@code --max-concurrency C}, sends it only when one of
 * {@code C} slots is free (an asyncio semaphore: waiters in issue order). A closed loop makes arrivals depend on
 * completions, which the open-loop simulator takes as input, so the replay iterates to the fixed point: simulate
 * with the current arrivals, give each request the first slot freed by the previous simulation's completions
 * ({@code a_i = max(t_i, earliest free slot)}, the slot then busy until request {@code i}'s completion), repeat
 * until no arrival moves by more than a microsecond. Arrivals before any time {@code T} are right once the
 * completions before {@code T} are, so the iteration settles from the run's start onwards; it is bounded by
 * {@link #MAX_ITERATIONS} and fails clearly if it has not settled by then.
 */
public final class BenchReplay {

    /** Most simulations one closed-loop replay may take. */
    public static final int MAX_ITERATIONS = 500;

    private static final Slo UNCHECKED = new Slo(0, 0, 0, 1);
    private static final long SETTLED_NANOS = 1_000;

    /** What the client measured in the replay: per-request latencies in send order, and the run's duration. */
    public record Replayed(double[] ttftMs, double[] tpotMs, double[] e2eMs, double durationSeconds, int simulations) {
        /** The statistics of {@code keys}, computed as vLLM does. */
        public Map<String, Double> statistics(Iterable<String> keys) {
            return BenchStatistics.compute(keys, ttftMs, tpotMs, e2eMs, durationSeconds);
        }
    }

    private final DeploymentPlan plan;
    private final long seed;

    /**
     * @param plan the plan the run was served by (its requests go to the plan's first model)
     * @param seed seed of the simulator's routers and of the issue times of a finite request rate
     */
    public BenchReplay(DeploymentPlan plan, long seed) {
        this.plan = plan;
        this.seed = seed;
    }

    /** Replays {@code run} on {@code catalog}'s hardware. */
    public Replayed replay(BenchRun run, HardwareCatalog catalog) {
        List<BenchRun.Shape> shapes = run.requests();
        int n = shapes.size();
        long[] issue = issueTimes(run);
        long[] arrival = issue.clone();
        int slots = run.maxConcurrency() == 0 ? n : Math.min(n, run.maxConcurrency());
        SimulatorPlanRunner runner = new SimulatorPlanRunner(seed, catalog);
        String app = plan.models().get(0);
        for (int iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
            long[] completion = new long[n];
            long[] first = new long[n];
            simulate(runner, app, shapes, arrival, first, completion, run.source());
            long[] next = new long[n];
            PriorityQueue<Long> free = new PriorityQueue<>();
            for (int s = 0; s < slots; s++) {
                free.add(0L);
            }
            for (int i = 0; i < n; i++) {
                next[i] = Math.max(issue[i], free.poll());
                free.add(completion[i] - arrival[i] + next[i]);
            }
            long moved = 0;
            for (int i = 0; i < n; i++) {
                moved = Math.max(moved, Math.abs(next[i] - arrival[i]));
            }
            if (moved <= SETTLED_NANOS) {
                return measured(shapes, arrival, first, completion, iteration);
            }
            arrival = next;
        }
        throw new IllegalStateException(run.source() + ": the closed-loop replay (max_concurrency "
                + run.maxConcurrency() + ") did not settle in " + MAX_ITERATIONS + " simulations");
    }

    private long[] issueTimes(BenchRun run) {
        long[] t = new long[run.requests().size()];
        if (Double.isInfinite(run.requestRate())) {
            return t;
        }
        GammaDistribution gaps = new GammaDistribution(new Well19937c(seed), run.burstiness(),
                1 / (run.requestRate() * run.burstiness()));
        double now = 0;
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.round(now * 1e9);
            now += gaps.sample();
        }
        return t;
    }

    private void simulate(SimulatorPlanRunner runner, String app, List<BenchRun.Shape> shapes, long[] arrival,
            long[] first, long[] completion, String source) {
        Integer[] order = new Integer[shapes.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingLong(i -> arrival[i]));
        List<TraceRecord> trace = new ArrayList<>(order.length);
        for (int i : order) {
            BenchRun.Shape s = shapes.get(i);
            trace.add(new TraceRecord(arrival[i], app, new RequestShape(s.inputTokens(), List.of(), s.outputTokens(),
                    Set.of(Modality.TEXT)), Integer.toString(i), null));
        }
        SimResult result = runner.simulate(plan, trace, UNCHECKED);
        for (RequestRecord rec : result.records()) {
            int i = order[Math.toIntExact(rec.request().id())];
            if (!rec.completed()) {
                throw new IllegalArgumentException(source + ": request " + i + " (" + shapes.get(i).inputTokens()
                        + " prompt tokens) was not served by plan " + plan.name()
                        + (rec.rejected() ? ": " + rec.rejectReason() : ""));
            }
            first[i] = rec.firstOutputNanos();
            completion[i] = rec.completionNanos();
        }
    }

    private static Replayed measured(List<BenchRun.Shape> shapes, long[] arrival, long[] first, long[] completion,
            int simulations) {
        int n = shapes.size();
        double[] ttft = new double[n];
        double[] tpot = new double[n];
        double[] e2e = new double[n];
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            ttft[i] = (first[i] - arrival[i]) / 1e6;
            e2e[i] = (completion[i] - arrival[i]) / 1e6;
            int out = shapes.get(i).outputTokens();
            tpot[i] = out > 1 ? (completion[i] - first[i]) / 1e6 / (out - 1) : Double.NaN;
            start = Math.min(start, arrival[i]);
            end = Math.max(end, completion[i]);
        }
        return new Replayed(ttft, tpot, e2e, (end - start) / 1e9, simulations);
    }
}
