package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.cluster.LinkSpec;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.search.NodePlacement;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replicas onto nodes: the placement keeps heavy edges inside a node, never crosses more bytes than first fit,
 * matches a brute-force optimum on small seeded cases, and the simulator charges what crosses.
 */
class NodePlacementTest {
    private static final HardwareCatalog HARDWARE = HardwareCatalog.builtIn();

    /** Two apps on two nodes of 4: first fit puts the Qwen LLM on the node without its vision encoder. */
    static ResolvedPlan twoApps() {
        ClusterSpec cluster = ClusterSpec.of("h100-sxm", 2, 4, new LinkSpec(9e11, 5), new LinkSpec(1e9, 50));
        return PlanValidator.builtIn().validate(new DeploymentPlan("two-apps", "manual", 1,
                List.of("qwen2.5-vl-7b", "llama-3.1-8b"), cluster, List.of(
                        Deployment.of("qwen-vision", List.of("qwen2.5-vl-7b/vision-encoder"), "h100", 1, 1, 1),
                        Deployment.of("llama-llm", List.of("llama-3.1-8b/llm"), "h100", 2, 2, 1),
                        Deployment.of("qwen-llm", List.of("qwen2.5-vl-7b/llm"), "h100", 2, 2, 1)), null));
    }

    @Test
    void heavyEdgesStayInsideANodeWhereFirstFitCrosses() {
        ResolvedPlan plan = twoApps();
        double[][] w = NodePlacement.edgeBytes(plan);
        assertTrue(w[0][2] > 0 && w[0][2] == w[2][0], "vision -> qwen llm carries embeddings");
        assertEquals(0, w[0][1]);
        assertEquals(0, w[1][2]);
        List<NodePlacement.Group> groups = PlanSimConfigs.groups(plan);
        List<NodePlacement.Node> nodes = List.of(new NodePlacement.Node("h100-sxm", 4),
                new NodePlacement.Node("h100-sxm", 4));
        int[][] first = NodePlacement.firstFit(groups, nodes);
        assertEquals(w[0][2], NodePlacement.cost(groups, w, first), "first fit crosses the embeddings edge");
        List<List<Integer>> preferred = NodePlacement.place(groups, nodes, w);
        assertEquals(0, NodePlacement.cost(groups, w, preferred));
        assertEquals(preferred.get(0), preferred.get(2), "vision and its LLM share a node");
        SimConfig config = PlanSimConfigs.of(plan, HARDWARE, 1, Slo.NONE, 0);
        for (int d = 0; d < 3; d++) {
            assertEquals(preferred.get(d), config.deployments().get(d).replicaNodes());
        }
    }

    @Test
    void theSimulatorChargesTheCrossingPlacement() throws Exception {
        ResolvedPlan plan = twoApps();
        SimConfig preferred = PlanSimConfigs.of(plan, HARDWARE, 1, Slo.NONE, 0);
        SimConfig crossing = withFirstFit(plan, preferred);
        SimResult p = run(plan, preferred);
        SimResult c = run(plan, crossing);
        assertEquals(p.completed(), c.completed());
        // half the requests carry a 1344x1344 image whose embeddings (~16 MB) cross a 1 GB/s link: ~8 ms mean TTFT
        double extra = c.ttftMs().mean() - p.ttftMs().mean();
        System.out.printf("two-apps plan: mean TTFT %.2f ms kept inside nodes, %.2f ms first fit crossing "
                + "(+%.2f ms); mean e2e %.2f vs %.2f ms%n", p.ttftMs().mean(), c.ttftMs().mean(), extra,
                p.e2eMs().mean(), c.e2eMs().mean());
        assertTrue(extra > 5, "crossing costs " + extra + " ms of TTFT");
    }

    /** The plan's simulator config with the replicas placed first fit instead. */
    static SimConfig withFirstFit(ResolvedPlan plan, SimConfig config) {
        List<NodePlacement.Group> groups = PlanSimConfigs.groups(plan);
        List<NodePlacement.Node> nodes = new ArrayList<>();
        for (var g : plan.plan().cluster().nodeGroups()) {
            for (int i = 0; i < g.nodes(); i++) {
                nodes.add(new NodePlacement.Node(HARDWARE.get(g.hardware()).name(), g.devicesPerNode()));
            }
        }
        int[][] first = NodePlacement.firstFit(groups, nodes);
        List<SimDeployment> ds = new ArrayList<>();
        for (int d = 0; d < first.length; d++) {
            SimDeployment sd = config.deployments().get(d);
            ds.add(new SimDeployment(sd.deployment(), sd.costs(), sd.devicesPerReplica(),
                    java.util.Arrays.stream(first[d]).boxed().toList()));
        }
        return new SimConfig(ds, config.network(), config.slos(), config.defaultSlo(), config.queueSampleNanos());
    }

    static SimResult run(ResolvedPlan plan, SimConfig config) throws Exception {
        List<TraceRecord> records = new ArrayList<>();
        Random rnd = new Random(7);
        for (int i = 0; i < 40; i++) {
            RequestShape shape = i % 2 == 0
                    ? new RequestShape(100, List.of(MediaItem.imagePixels(1344, 1344)), 32, Set.of(Modality.TEXT))
                    : RequestShape.text(200 + rnd.nextInt(200), 32);
            records.add(new TraceRecord(i * 250_000_000L, i % 2 == 0 ? "qwen2.5-vl-7b" : "llama-3.1-8b", shape));
        }
        TraceReader reader = new ListTraceReader(records);
        try (TraceWorkload workload = new TraceWorkload(() -> reader, 1, plan.models(), plan::splitsLlm)) {
            return new Simulator(config).run(workload);
        }
    }

    /** Brute force: every assignment of every replica to every node that fits. */
    private static double optimum(List<NodePlacement.Group> groups, List<NodePlacement.Node> nodes, double[][] w) {
        List<int[]> replicas = new ArrayList<>();
        for (int d = 0; d < groups.size(); d++) {
            for (int r = 0; r < groups.get(d).replicas(); r++) {
                replicas.add(new int[] {d, r});
            }
        }
        int[][] cur = new int[groups.size()][];
        for (int d = 0; d < groups.size(); d++) {
            cur[d] = new int[groups.get(d).replicas()];
        }
        return brute(replicas, 0, groups, nodes, nodes.stream().mapToInt(NodePlacement.Node::devices).toArray(), w,
                cur);
    }

    private static double brute(List<int[]> replicas, int i, List<NodePlacement.Group> groups,
            List<NodePlacement.Node> nodes, int[] free, double[][] w, int[][] cur) {
        if (i == replicas.size()) {
            return NodePlacement.cost(groups, w, cur);
        }
        int d = replicas.get(i)[0];
        int need = groups.get(d).devicesPerReplica();
        double best = Double.POSITIVE_INFINITY;
        for (int n = 0; n < nodes.size(); n++) {
            if (free[n] >= need && nodes.get(n).hardware().equals(groups.get(d).hardware())) {
                free[n] -= need;
                cur[d][replicas.get(i)[1]] = n;
                best = Math.min(best, brute(replicas, i + 1, groups, nodes, free, w, cur));
                free[n] += need;
            }
        }
        return best;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void matchesTheBruteForceOptimumAndNeverCrossesMoreThanFirstFit(long seed) {
        Random rnd = new Random(seed);
        int nodeCount = 2 + rnd.nextInt(2);
        List<NodePlacement.Node> nodes = new ArrayList<>();
        for (int n = 0; n < nodeCount; n++) {
            nodes.add(new NodePlacement.Node("h", 4));
        }
        int g = 2 + rnd.nextInt(3);
        List<NodePlacement.Group> groups = new ArrayList<>();
        int devices = 0;
        for (int d = 0; d < g; d++) {
            int per = 1 << rnd.nextInt(2);
            int reps = 1 + rnd.nextInt(2);
            if (devices + per * reps > 4 * nodeCount - 1) {
                per = 1;
                reps = 1;
            }
            devices += per * reps;
            groups.add(new NodePlacement.Group("g" + d, "h", reps, per));
        }
        double[][] w = new double[g][g];
        for (int a = 0; a < g; a++) {
            for (int b = a + 1; b < g; b++) {
                w[a][b] = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(1_000_000);
                w[b][a] = w[a][b];
            }
        }
        double opt = optimum(groups, nodes, w);
        List<List<Integer>> placed = NodePlacement.place(groups, nodes, w);
        double cost = NodePlacement.cost(groups, w, placed);
        assertEquals(opt, cost, 1e-6 * Math.max(1, opt), "seed " + seed + ": " + placed);
        assertTrue(cost <= NodePlacement.cost(groups, w, NodePlacement.firstFit(groups, nodes)) + 1e-6);
        int[] used = new int[nodeCount];
        for (int d = 0; d < g; d++) {
            for (int n : placed.get(d)) {
                used[n] += groups.get(d).devicesPerReplica();
            }
        }
        for (int n = 0; n < nodeCount; n++) {
            assertTrue(used[n] <= 4, "node " + n + " holds " + used[n] + " devices");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theMemoAnswersAsTheSearchAndSearchesEachCaseOnce(long seed) {
        Random rnd = new Random(seed);
        NodePlacement.Memo memo = new NodePlacement.Memo();
        List<NodePlacement.Node> nodes = List.of(new NodePlacement.Node("h", 4), new NodePlacement.Node("h", 4),
                new NodePlacement.Node("h", 4));
        List<NodePlacement.Group> groups = List.of(new NodePlacement.Group("a", "h", 2, 2),
                new NodePlacement.Group("b", "h", 3, 1), new NodePlacement.Group("c", "h", 1, 2));
        List<double[][]> cases = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            double[][] w = new double[3][3];
            for (int a = 0; a < 3; a++) {
                for (int b = a + 1; b < 3; b++) {
                    w[a][b] = rnd.nextInt(4) * 1_000.0; // few values: some cases repeat
                    w[b][a] = w[a][b];
                }
            }
            cases.add(w);
        }
        java.util.Set<List<Double>> distinct = new java.util.HashSet<>();
        for (double[][] w : cases) {
            distinct.add(List.of(w[0][1], w[0][2], w[1][2]));
            double[][] copy = java.util.Arrays.stream(w).map(double[]::clone).toArray(double[][]::new);
            assertEquals(NodePlacement.place(groups, nodes, w), memo.place(new ArrayList<>(groups), nodes, copy),
                    "seed " + seed);
        }
        assertEquals(distinct.size(), memo.size(), "one search per distinct case");
        for (double[][] w : cases) {
            assertEquals(NodePlacement.place(groups, nodes, w), memo.place(groups, nodes, w));
        }
        assertEquals(distinct.size(), memo.size(), "repeats are answered from the memo");
        List<NodePlacement.Group> big = List.of(new NodePlacement.Group("big", "h", 1, 8));
        assertNull(memo.place(big, nodes, new double[1][1]));
        assertNull(memo.place(big, nodes, new double[1][1]), "a case without a placement is kept too");
        assertEquals(distinct.size() + 1, memo.size());
    }

    @Test
    void aReplicaLargerThanEveryNodeIsLeftToTheCaller() {
        assertNull(NodePlacement.place(List.of(new NodePlacement.Group("big", "h", 1, 8)),
                List.of(new NodePlacement.Node("h", 4), new NodePlacement.Node("h", 4)), new double[1][1]));
    }
}
