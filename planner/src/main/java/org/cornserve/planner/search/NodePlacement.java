package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.graph.Flow;
import org.cornserve.model.graph.RequestGraph;
import org.cornserve.model.graph.TaskNode;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.catalog.ModelSpec;

/**
 * Places a plan's replicas onto the cluster's nodes so that as few bytes as possible cross nodes: heavy edges (KV
 * cache, embeddings, hidden states) stay inside a node where the devices allow.
 *
 * <p>Cost model: {@code weight[a][b]} is the bytes one request moves between deployments {@code a} and {@code b}
 * (both directions); requests spread evenly over replicas, so a replica pair (i of a, j of b) carries
 * {@code weight[a][b] / (R_a R_b)} and counts as crossing when the two sit on different nodes. The cost of a
 * placement is the sum over crossing replica pairs: the expected bytes per request that cross nodes.
 *
 * <p>Search: depth-first branch and bound over replicas, heaviest deployments first, replicas of one deployment
 * on non-decreasing node indices (they are interchangeable); the partial cost only grows as replicas are placed,
 * so it bounds a branch. The incumbent starts as the first-fit placement (each replica on the first node of its
 * hardware with enough free devices, what the simulator did before), so the result never crosses more bytes than
 * first fit. Exact when the search ends within {@link #MAX_VISITS} visits; otherwise the best found so far.
 * A replica larger than every node has no single node: then {@link #place} returns null and the caller spreads.
 *
 * <p>Cost: O(MAX_VISITS x replicas) at most.
 */
public final class NodePlacement {
    /** Search nodes visited before the best placement found so far is taken. */
    public static final int MAX_VISITS = 200_000;

    private NodePlacement() {
    }

    /** A deployment to place: {@code replicas} replicas of {@code devicesPerReplica} devices of {@code hardware}. */
    public record Group(String name, String hardware, int replicas, int devicesPerReplica) {
        public Group {
            if (replicas < 0 || devicesPerReplica < 1) {
                throw new IllegalArgumentException("deployment '" + name + "': replicas >= 0 and devices per replica"
                        + " >= 1, got " + replicas + ", " + devicesPerReplica);
            }
        }
    }

    /** A node of the cluster: {@code devices} devices of {@code hardware}. */
    public record Node(String hardware, int devices) {
    }

    /**
     * The node index of each replica of each group (outer list: groups in order), or null when some replica needs
     * more devices than any one node of its hardware has.
     *
     * @throws IllegalArgumentException when the weights are not a groups x groups matrix, or the replicas do not
     *     fit the nodes
     */
    public static List<List<Integer>> place(List<Group> groups, List<Node> nodes, double[][] weight) {
        int g = groups.size();
        if (weight.length != g || Arrays.stream(weight).anyMatch(r -> r.length != g)) {
            throw new IllegalArgumentException("placement weights must be " + g + " x " + g);
        }
        for (Group grp : groups) {
            boolean fits = nodes.stream().anyMatch(n -> n.hardware().equals(grp.hardware())
                    && n.devices() >= grp.devicesPerReplica());
            if (grp.replicas() > 0 && !fits) {
                return null;
            }
        }
        int[][] first = firstFit(groups, nodes);
        Search s = new Search(groups, nodes, weight);
        s.best = first;
        s.bestCost = cost(groups, weight, first);
        s.run();
        List<List<Integer>> out = new ArrayList<>();
        for (int[] a : s.best) {
            out.add(Arrays.stream(a).boxed().toList());
        }
        return List.copyOf(out);
    }

    /**
     * Placements kept across calls: {@link #place} is a function of its arguments alone, and a planner places the
     * same plan on the same cluster for every rate it runs (capacity bisections, finalists, baselines). Safe to share
     * between threads; up to {@value #LIMIT} placements, past which calls search again.
     */
    public static final class Memo {
        /** Placements kept. */
        public static final int LIMIT = 10_000;

        private record Key(List<Group> groups, List<Node> nodes, List<List<Double>> weight) {
        }

        private final Map<Key, Optional<List<List<Integer>>>> kept = new ConcurrentHashMap<>();

        /** As {@link NodePlacement#place}, searched once per distinct (groups, nodes, weights). */
        public List<List<Integer>> place(List<Group> groups, List<Node> nodes, double[][] weight) {
            Key key = new Key(List.copyOf(groups), List.copyOf(nodes),
                    Arrays.stream(weight).map(r -> Arrays.stream(r).boxed().toList()).toList());
            Optional<List<List<Integer>>> found = kept.get(key);
            if (found == null) {
                found = Optional.ofNullable(NodePlacement.place(groups, nodes, weight));
                if (kept.size() < LIMIT) {
                    kept.putIfAbsent(key, found);
                }
            }
            return found.orElse(null);
        }

        /** Placements kept so far. */
        public int size() {
            return kept.size();
        }
    }

    /**
     * Each replica on the first node of its hardware with enough free devices, groups in order (what
     * {@link #place} starts from).
     *
     * @throws IllegalArgumentException when a replica finds no node with room
     */
    public static int[][] firstFit(List<Group> groups, List<Node> nodes) {
        int[] free = nodes.stream().mapToInt(Node::devices).toArray();
        int[][] out = new int[groups.size()][];
        for (int d = 0; d < groups.size(); d++) {
            Group grp = groups.get(d);
            out[d] = new int[grp.replicas()];
            for (int r = 0; r < grp.replicas(); r++) {
                int chosen = -1;
                for (int n = 0; n < nodes.size() && chosen < 0; n++) {
                    if (nodes.get(n).hardware().equals(grp.hardware()) && free[n] >= grp.devicesPerReplica()) {
                        chosen = n;
                    }
                }
                if (chosen < 0) {
                    throw new IllegalArgumentException("deployment '" + grp.name() + "': replica " + r + " of "
                            + grp.devicesPerReplica() + " devices does not fit the cluster's free " + grp.hardware()
                            + " devices");
                }
                free[chosen] -= grp.devicesPerReplica();
                out[d][r] = chosen;
            }
        }
        return out;
    }

    /** Expected bytes per request crossing nodes under {@code placement} (node index per replica per group). */
    public static double cost(List<Group> groups, double[][] weight, int[][] placement) {
        double c = 0;
        for (int a = 0; a < groups.size(); a++) {
            for (int b = a + 1; b < groups.size(); b++) {
                if (placement[a].length == 0 || placement[b].length == 0 || weight[a][b] == 0) {
                    continue;
                }
                double per = weight[a][b] / ((double) placement[a].length * placement[b].length);
                for (int na : placement[a]) {
                    for (int nb : placement[b]) {
                        if (na != nb) {
                            c += per;
                        }
                    }
                }
            }
        }
        return c;
    }

    /** As {@link #cost(List, double[][], int[][])} on lists. */
    public static double cost(List<Group> groups, double[][] weight, List<List<Integer>> placement) {
        return cost(groups, weight, placement.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new));
    }

    /**
     * Bytes one request moves between each pair of the plan's deployments (both directions), from each model's
     * composite-task structure (a small request using every modality the model supports): every flow between two
     * unit tasks served by different deployments adds its bytes.
     */
    public static double[][] edgeBytes(ResolvedPlan plan) {
        int g = plan.deployments().size();
        double[][] w = new double[g][g];
        for (ModelSpec m : plan.models()) {
            RequestGraph graph;
            try {
                graph = new CompositeTask(m).structure(plan.splitsLlm(m.name()));
            } catch (IllegalArgumentException e) {
                continue; // a model whose structure cannot be built moves no bytes we can weigh
            }
            for (Flow f : graph.flows()) {
                int a = deploymentOf(plan, graph.find(f.source()).orElse(null));
                int b = deploymentOf(plan, graph.find(f.target()).orElse(null));
                if (a >= 0 && b >= 0 && a != b) {
                    w[a][b] += f.bytes();
                    w[b][a] += f.bytes();
                }
            }
        }
        return w;
    }

    private static int deploymentOf(ResolvedPlan plan, TaskNode node) {
        if (node == null || !node.isTask() || node.taskId() == null) {
            return -1;
        }
        ResolvedDeployment rd = plan.deploymentFor(node.taskId()).orElse(null);
        return rd == null ? -1 : plan.deployments().indexOf(rd);
    }

    /** Branch and bound over replicas, heaviest groups first. */
    private static final class Search {
        private final List<Group> groups;
        private final List<Node> nodes;
        private final double[][] weight;
        private final int[] order;
        private final int[] free;
        private final int[][] current;
        int[][] best;
        double bestCost;
        private long visits;

        Search(List<Group> groups, List<Node> nodes, double[][] weight) {
            this.groups = groups;
            this.nodes = nodes;
            this.weight = weight;
            Integer[] o = new Integer[groups.size()];
            for (int i = 0; i < o.length; i++) {
                o[i] = i;
            }
            Arrays.sort(o, (x, y) -> Double.compare(Arrays.stream(weight[y]).sum(), Arrays.stream(weight[x]).sum()));
            order = Arrays.stream(o).mapToInt(Integer::intValue).toArray();
            free = nodes.stream().mapToInt(Node::devices).toArray();
            current = new int[groups.size()][];
            for (int d = 0; d < groups.size(); d++) {
                current[d] = new int[groups.get(d).replicas()];
                Arrays.fill(current[d], -1);
            }
        }

        void run() {
            dfs(0, 0, 0, 0);
        }

        /** Places replica {@code r} of the {@code k}-th group in order; {@code minNode} keeps replicas sorted. */
        private void dfs(int k, int r, int minNode, double partial) {
            if (partial >= bestCost - 1e-9 || visits++ > MAX_VISITS) {
                return;
            }
            if (k == order.length) {
                bestCost = partial;
                best = new int[current.length][];
                for (int d = 0; d < current.length; d++) {
                    best[d] = current[d].clone();
                }
                return;
            }
            int d = order[k];
            Group grp = groups.get(d);
            if (r == grp.replicas()) {
                dfs(k + 1, 0, 0, partial);
                return;
            }
            for (int n = minNode; n < nodes.size(); n++) {
                if (!nodes.get(n).hardware().equals(grp.hardware()) || free[n] < grp.devicesPerReplica()) {
                    continue;
                }
                double added = 0;
                for (int j = 0; j < k; j++) {
                    int e = order[j];
                    if (weight[d][e] == 0 || current[e].length == 0) {
                        continue;
                    }
                    double per = weight[d][e] / ((double) grp.replicas() * current[e].length);
                    for (int ne : current[e]) {
                        if (ne != n) {
                            added += per;
                        }
                    }
                }
                free[n] -= grp.devicesPerReplica();
                current[d][r] = n;
                dfs(k, r + 1, n, partial + added);
                current[d][r] = -1;
                free[n] += grp.devicesPerReplica();
            }
        }
    }
}
