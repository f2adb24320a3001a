package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.ReplicaStatus;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.scale.ScaleMetric;
import org.cornserve.planner.schedule.scale.ScaleSettings;
import org.cornserve.planner.schedule.scale.ScalingPolicies;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.SimResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Scaling against a deterministic step load whose replica count over time is known in closed form. Requests
 * arrive at fixed gaps and each takes a fixed service time on one replica (one item per batch), so a deployment's
 * busy replica-seconds per second is the offered load {@code rho = service / gap} whatever its replica count (no
 * queueing: service < gap on one replica already). With the utilisation metric at target {@code u} and no
 * tolerance band, the evaluation at {@code t} (every second from the first arrival) wants {@code ceil(rho / u)}
 * replicas for the load of {@code [t - 1, t)}; cooldowns and devices delay or bound it.
 */
class ScalingTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long GAP = 10 * MS;

    /** A load phase: until {@code endNanos}, one request every {@code gapNanos}, each {@code serviceNanos} long. */
    record Phase(long endNanos, long gapNanos, long serviceNanos) {
    }

    static List<SimRequest> load(Phase... phases) {
        List<Long> arrivals = new ArrayList<>();
        List<Long> tokens = new ArrayList<>();
        long t = 0;
        for (Phase p : phases) {
            for (; t < p.endNanos(); t += p.gapNanos()) {
                arrivals.add(t);
                tokens.add(p.serviceNanos());
            }
        }
        return Fixtures.fixedArrivals(arrivals.stream().mapToLong(Long::longValue).toArray(),
                tokens.stream().mapToLong(Long::longValue).toArray());
    }

    static SimConfig server(int devicesPerReplica) {
        DeploymentConfig dc = new DeploymentConfig("server",
                List.of(new TaskConfig.Batch("svc", new ItemBatching(1, Long.MAX_VALUE, 0))), 1, "round-robin", 0, 0);
        return SimConfig.of(List.of(SimDeployment.oneNode(dc, List.of(Fixtures.NANOS_PER_TOKEN), devicesPerReplica)),
                Fixtures.NETWORK, Slo.NONE);
    }

    static SimScaling scaling(ScaleSettings settings, int clusterDevices) {
        return new SimScaling(ScalingPolicies.PER_DEPLOYMENT, 0, List.of(settings), new int[] {0},
                new int[] {clusterDevices}, new int[] {0}, S);
    }

    static ScaleSettings utilization(int max, long upCooldown, long downCooldown, long startup) {
        return new ScaleSettings(ScaleMetric.UTILIZATION, 0.25, 1, max, upCooldown, downCooldown, startup);
    }

    /** Low (rho 0.2) until 5 s, high (rho 0.8) until 10 s, low until 20 s. */
    static List<SimRequest> stepLoad() {
        return load(new Phase(5 * S, GAP, 2 * MS), new Phase(10 * S, GAP / 4, 2 * MS), new Phase(20 * S, GAP, 2 * MS));
    }

    static List<ScalingReport.Change> changes(ScalingReport report, ScalingReport.Kind kind) {
        return report.changes().stream().filter(c -> c.kind() == kind).toList();
    }

    @ParameterizedTest
    @CsvSource({"0, 2", "3, 1", "5, 4", "7, 2", "10, 1"})
    void stepUpThenDownFollowsTheClosedForm(long downCooldownSeconds, long startupSeconds) {
        Simulator sim = new Simulator(server(2), false, null,
                scaling(utilization(8, 0, downCooldownSeconds * S, startupSeconds * S), 64));
        SimResult result = sim.run(stepLoad().iterator());
        ScalingReport report = sim.scalingReport();
        // evaluation at 6 s sees [5, 6) at rho 0.8: ceil(0.8 / 0.25) = 4 replicas, three started
        List<ScalingReport.Change> starts = changes(report, ScalingReport.Kind.START);
        assertEquals(List.of(1, 2, 3), starts.stream().map(ScalingReport.Change::replica).toList());
        starts.forEach(c -> assertEquals(6 * S, c.timeNanos()));
        // each serves after the start-up time, and runs nothing before
        for (ScalingReport.Change up : changes(report, ScalingReport.Kind.UP)) {
            assertEquals(6 * S + startupSeconds * S, up.timeNanos());
            long first = sim.firstStepNanos(0, up.replica());
            assertTrue(first < 0 || first >= up.timeNanos(), "replica " + up.replica() + " ran at " + first);
        }
        // the first evaluation at or after 11 s (load low again) that the down cooldown allows removes all three
        long stopAt = Math.max(11, 6 + downCooldownSeconds) * S;
        List<ScalingReport.Change> stops = changes(report, ScalingReport.Kind.STOP);
        assertEquals(3, stops.size());
        stops.forEach(c -> assertEquals(stopAt, c.timeNanos()));
        assertEquals(ReplicaStatus.UP, sim.core().replicaStatus(0, 0));
        // GPU-hours by hand: replica 0 from 0 to the last request's end, the others from 6 s to their stop, 2 devices
        double lastEnd = 20.0 - 0.01 + 0.002;
        double stopSeconds = stopAt / 1e9;
        double deviceSeconds = 2 * (lastEnd + 3 * (stopSeconds - 6));
        assertEquals(deviceSeconds, report.deviceSeconds()[0], 1e-9);
        assertEquals(deviceSeconds / 3600, report.gpuHours(), 1e-12);
        assertEquals(result.requests(), result.completed());
    }

    @ParameterizedTest
    @CsvSource({"0", "4", "5", "8"})
    void upCooldownDelaysTheSecondStep(long upCooldownSeconds) {
        // rho 0.2 until 5 s, 0.45 until 10 s (2 replicas), 0.8 until 15 s (4 replicas), then 0.2
        List<SimRequest> ramp = load(new Phase(5 * S, GAP, 2 * MS), new Phase(10 * S, GAP, 4_500_000),
                new Phase(15 * S, GAP / 4, 2 * MS), new Phase(25 * S, GAP, 2 * MS));
        Simulator sim = new Simulator(server(1), false, null,
                scaling(utilization(8, upCooldownSeconds * S, 100 * S, 0), 64));
        sim.run(ramp.iterator());
        List<ScalingReport.Change> starts = changes(sim.scalingReport(), ScalingReport.Kind.START);
        assertEquals(3, starts.size());
        assertEquals(6 * S, starts.get(0).timeNanos());
        long second = Math.max(11, 6 + upCooldownSeconds) * S;
        assertEquals(second, starts.get(1).timeNanos());
        assertEquals(second, starts.get(2).timeNanos());
        assertTrue(changes(sim.scalingReport(), ScalingReport.Kind.STOP).isEmpty(), "down cooldown of 100 s");
    }

    @ParameterizedTest
    @CsvSource({"8, 4, 2", "8, 6, 3", "8, 64, 4", "2, 64, 2", "3, 7, 3"})
    void neverBeyondTheClusterOrTheMaximum(int maxReplicas, int clusterDevices, int expectedReplicas) {
        Simulator sim = new Simulator(server(2), false, null,
                scaling(utilization(maxReplicas, 0, 100 * S, S / 2), clusterDevices));
        sim.run(stepLoad().iterator());
        ScalingReport report = sim.scalingReport();
        assertEquals(expectedReplicas - 1, changes(report, ScalingReport.Kind.START).size());
        assertEquals(expectedReplicas, sim.core().replicaCount(0));
        assertTrue(2 * expectedReplicas <= clusterDevices);
    }

    @Test
    void aStaticRunCountsItsDevicesOverTheRun() {
        Simulator sim = new Simulator(server(4), false, null);
        sim.run(stepLoad().iterator());
        ScalingReport report = sim.scalingReport();
        assertEquals(4 * (20.0 - 0.01 + 0.002), report.deviceSeconds()[0], 1e-9);
        assertTrue(report.changes().isEmpty());
    }

    @Test
    void theQueueMetricScalesOnOutstandingWork() {
        // a burst of 40 requests of 1 s each at time 0 on one replica: 40 outstanding at the first evaluation
        // (1 s) with a target of 10 per replica wants 4 replicas, three of which start then
        List<SimRequest> burst = Fixtures.fixedArrivals(new long[40], Collections.nCopies(40, S).stream()
                .mapToLong(Long::longValue).toArray());
        SimScaling scaling = new SimScaling(ScalingPolicies.PER_DEPLOYMENT, 0,
                List.of(new ScaleSettings(ScaleMetric.QUEUE, 10, 1, 8, 0, 100 * S, 0)), new int[] {0},
                new int[] {8}, new int[] {0}, S);
        Simulator sim = new Simulator(server(1), false, null, scaling);
        SimResult result = sim.run(burst.iterator());
        List<ScalingReport.Change> starts = changes(sim.scalingReport(), ScalingReport.Kind.START);
        // first evaluation at 0 s starts the window; at 1 s, 40 - 1 = 39 outstanding (one finished) -> 4 replicas
        assertEquals(3, starts.size());
        starts.forEach(c -> assertEquals(S, c.timeNanos()));
        assertEquals(40, result.completed());
    }
}
