package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.Slo;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.engine.ScalingReport;
import org.cornserve.simulator.engine.SimScaling;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.plan.PlanScaling;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Scaling parity: a bursty workload through the simulator with the plan's {@code autoscale} and through the
 * runtime's {@link Dispatcher} with a {@link RuntimeScaler} on a fake clock, whose fake launcher makes a started
 * replica ready after the plan's start-up: both make the same scaling decisions (every replica start, up and stop at
 * the same nanosecond, in the same order) and end every request the same way at the same time.
 */
class ScalingParityTest {
    private static final long S = 1_000_000_000L;

    @ParameterizedTest(name = "{0}, {1} policy, burst {3} req/s, seed {5}")
    @CsvSource({
        "default-omni, per-deployment, 1.5, 25, 1, 1",
        "default-omni, whole, 1.5, 25, 1, 2",
        "encoder-split-vl, per-deployment, 20, 300, 10, 3",
        "encoder-split-vl, whole, 20, 300, 10, 4",
        "encoder-split-vl, per-deployment, 30, 500, 5, 5"})
    void runtimeScalesAsTheSimulator(String planName, String policy, double lowRate, double burstRate,
            double tailRate, long seed) throws IOException {
        boolean omni = planName.equals("default-omni");
        ResolvedPlan plan = scaled(omni, policy);
        SimConfig config = org.cornserve.simulator.plan.PlanSimConfigs.of(plan, HardwareCatalog.builtIn(), seed,
                Slo.NONE, 64);
        SimScaling scaling = PlanScaling.of(plan, HardwareCatalog.builtIn(), 0.1, S);
        Function<SplittableRandom, InvocationGraph> graphs = ParityTest.graphs(plan, omni);
        List<SimRequest> workload = bursty(seed, graphs, lowRate, burstRate, tailRate);

        List<ParityTest.Trace> simulated = new ArrayList<>();
        Simulator simulator = new Simulator(config, true, r -> simulated.add(ParityTest.trace(r)), scaling);
        simulator.run(workload.iterator());
        ParityTest.FakeRuntime runtime = new ParityTest.FakeRuntime(config, scaling);
        List<ParityTest.Trace> dispatched = runtime.run(workload.iterator());

        List<ScalingReport.Change> simChanges = simulator.scalingReport().changes();
        assertTrue(simChanges.stream().anyMatch(c -> c.kind() == ScalingReport.Kind.START),
                "the burst adds replicas: " + simChanges);
        assertTrue(simChanges.stream().anyMatch(c -> c.kind() == ScalingReport.Kind.STOP),
                "the quiet tail removes replicas: " + simChanges);
        List<String> expected = simChanges.stream()
                .map(c -> c.timeNanos() + " d" + c.deployment() + " r" + c.replica() + " " + c.kind()).toList();
        List<String> actual = runtime.changes().stream()
                .map(c -> c.timeNanos() + " d" + c.deployment() + " r" + c.replica() + " " + c.kind()).toList();
        assertEquals(expected, actual, "replica starts, ups and stops");
        assertEquals(workload.size(), simulated.size());
        ParityTest.assertSameEndings(simulated, dispatched);
        // the last answer: a completion, or a rejection (at its arrival)
        long lastEnd = dispatched.stream().mapToLong(t -> t.reject() == null ? t.end()
                : workload.get((int) t.id()).arrivalNanos()).max().orElseThrow();
        ScalingReport report = simulator.scalingReport();
        for (int d = 0; d < config.deployments().size(); d++) {
            assertEquals(report.deviceSeconds()[d] / config.deployments().get(d).devicesPerReplica(),
                    runtime.scaler().replicaSeconds(d, lastEnd), 1e-6, "replica-seconds of deployment " + d);
        }
    }

    /**
     * Low rate for 5 s, the burst for 5 s, then the tail rate for 20 s: Poisson arrivals whose rate steps, graphs
     * from {@code graphs}, one seeded generator.
     */
    static List<SimRequest> bursty(long seed, Function<SplittableRandom, InvocationGraph> graphs, double low,
            double burst, double tail) {
        SplittableRandom random = new SplittableRandom(seed);
        List<SimRequest> out = new ArrayList<>();
        double t = 0;
        while (true) {
            double rate = t < 5 * S ? low : t < 10 * S ? burst : tail;
            t += -Math.log(1 - random.nextDouble()) * 1e9 / rate;
            if (t >= 30 * S) {
                return out;
            }
            InvocationGraph graph = graphs.apply(random);
            out.add(new SimRequest(out.size(), Math.round(t), "app", graph, 0));
        }
    }

    /**
     * The plan with {@code autoscale} on every deployment, one replica each at start, on one node with room to add:
     * Omni's thinker and speech on 4 CPU slots (queue target 4, up to 3 replicas), or Qwen2.5-VL's encoder split on
     * 8 H100s (vision on utilisation 0.5 up to 3, the LLM on 16 outstanding per replica up to 5). Start-up 2 s,
     * cooldowns 1 s up and 3 s down.
     */
    static ResolvedPlan scaled(boolean omni, String policy) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root;
        if (omni) {
            try (InputStream in = Runtimes.class.getResourceAsStream(Runtimes.DEFAULT_PLAN_RESOURCE)) {
                root = (ObjectNode) mapper.readTree(in);
            }
            ((ObjectNode) root.get("cluster").get("node_groups").get(0)).put("devices_per_node", 4);
        } else {
            root = (ObjectNode) mapper.readTree(Files.readString(
                    Path.of("../model/src/test/resources/plans/encoder-split.json")));
        }
        for (var node : root.get("deployments")) {
            ObjectNode d = (ObjectNode) node;
            d.put("replicas", 1);
            boolean vision = d.get("name").asText().equals("vision");
            d.putObject("autoscale").put("policy", policy)
                    .put("metric", vision ? "utilization" : "queue")
                    .put("target", vision ? 0.5 : omni ? 4 : 16)
                    .put("min_replicas", 1).put("max_replicas", omni || vision ? 3 : 5)
                    .put("up_cooldown_s", 1).put("down_cooldown_s", 3).put("startup_seconds", 2);
        }
        return PlanValidator.builtIn().validate(Json.parse(mapper.writeValueAsString(root), "scaled test plan",
                DeploymentPlan.class));
    }
}
