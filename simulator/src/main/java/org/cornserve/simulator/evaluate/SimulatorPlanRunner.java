package org.cornserve.simulator.evaluate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.Slo;
import org.cornserve.planner.search.NodePlacement;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.LatencyStats;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.plan.PlanSimConfigs;
import org.cornserve.simulator.plan.SharedGraphs;
import org.cornserve.simulator.plan.TraceWorkload;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;

/**
 * Runs plans through the discrete-event simulator (validated by the model module, replicas placed by {@link
 * NodePlacement}); the request graphs and placements of its runs are kept for its later runs.
 */
public final class SimulatorPlanRunner implements PlanRunner {
    private final long seed;
    private final HardwareCatalog hardware;
    private final org.cornserve.model.profile.ProfileBook profiles;
    /** Every run's request graphs, built once per model, configuration and shape over this runner's runs. */
    private final SharedGraphs graphs = new SharedGraphs();
    /** Every run's replica placement, searched once per plan and cluster over this runner's runs. */
    private final NodePlacement.Memo placements = new NodePlacement.Memo();

    /** @param seed seed of the simulator's randomised routers */
    public SimulatorPlanRunner(long seed) {
        this(seed, HardwareCatalog.builtIn());
    }

    /**
     * @param seed seed of the simulator's randomised routers
     * @param hardware the hardware kinds plans may name (the built-in catalog with a user's hardware file)
     */
    public SimulatorPlanRunner(long seed, HardwareCatalog hardware) {
        this(seed, hardware, org.cornserve.model.profile.ProfileBook.EMPTY);
    }

    /** As above, with {@code profiles} (measured, say) replacing the roofline task by task. */
    public SimulatorPlanRunner(long seed, HardwareCatalog hardware, org.cornserve.model.profile.ProfileBook profiles) {
        this.seed = seed;
        this.hardware = hardware;
        this.profiles = profiles;
    }

    /**
     * The full simulator result of a plan on a trace (arrivals as given), its steps scheduled as the plan says
     * ({@code async_scheduling}), as {@code cornserve simulate} runs it.
     */
    public SimResult simulate(DeploymentPlan plan, List<TraceRecord> trace, Slo slo) {
        ResolvedPlan resolved = new PlanValidator(org.cornserve.model.catalog.ModelCatalog.builtIn(), hardware).validate(plan);
        SimConfig config = PlanSimConfigs.of(resolved, hardware, seed, slo, 0, profiles, null, placements);
        try (TraceWorkload workload = new TraceWorkload(() -> reader(trace), 1, resolved, graphs)) {
            return new Simulator(config, true, null, null, plan.asyncSchedulingOrDefault()).run(workload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The full simulator result of a plan serving a closed-loop {@code client} (its sends depend on when earlier
     * requests end), in one run: the client's start records, then what it sends as each request ends.
     */
    public SimResult simulate(DeploymentPlan plan, ClosedLoopClient client, Slo slo) {
        ResolvedPlan resolved = new PlanValidator(org.cornserve.model.catalog.ModelCatalog.builtIn(), hardware).validate(plan);
        SimConfig config = PlanSimConfigs.of(resolved, hardware, seed, slo, 0, profiles, null, placements);
        try (TraceWorkload requests = new TraceWorkload(() -> reader(List.of()), 1, resolved)) {
            List<SimRequest> first = new java.util.ArrayList<>();
            for (TraceRecord r : client.start()) {
                first.add(requests.request(r));
            }
            Simulator[] simulator = new Simulator[1];
            simulator[0] = new Simulator(config, true, record -> {
                long now = simulator[0].nowNanos();
                for (TraceRecord r : client.ended(record, now)) {
                    simulator[0].send(requests.request(r));
                }
            }, null, plan.asyncSchedulingOrDefault());
            return simulator[0].run(first.iterator());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public RunMetrics run(DeploymentPlan plan, List<TraceRecord> trace, double rateRps, Slo slo) {
        SimResult r = simulate(plan, trace, slo);
        return new RunMetrics(rateRps, r.requests(), r.throughputRps(), r.goodputRps(), r.sloAttainment(),
                latency(r.ttftMs()), latency(r.tpotMs()), latency(r.e2eMs()), Backlog.of(r.records()));
    }

    public static RunMetrics.Latency latency(LatencyStats s) {
        return s == null ? RunMetrics.Latency.NONE : new RunMetrics.Latency(s.mean(), s.p50(), s.p90(), s.p95(), s.p99());
    }

    /** An in-memory trace as a reader. */
    static TraceReader reader(List<TraceRecord> trace) {
        Iterator<TraceRecord> it = trace.iterator();
        return new TraceReader() {
            @Override
            public TraceRecord read() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public void close() {
            }
        };
    }
}
