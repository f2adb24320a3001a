package org.cornserve.model.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Throughput-latency curves of a unit task and their Pareto frontier per device count (DESIGN.md,
 * "Profiles and the cost model"). A curve sweeps the batch size of one replica: bigger batches raise
 * throughput and latency together. With {@code N} devices a task can run {@code N / tp} replicas of
 * degree {@code tp}, each multiplying throughput at unchanged latency; the frontier keeps the points that
 * no other point beats on both.
 */
public final class ThroughputLatency {
    private ThroughputLatency() {}

    /**
     * One operating point.
     *
     * @param devices devices used in all
     * @param tensorParallel devices per replica
     * @param replicas replicas
     * @param batch batch size per replica
     * @param throughputPerSecond units (tokens, items, steps) per second over all replicas
     * @param latencySeconds latency of one batch (for LLM decode: time per output token)
     */
    public record Point(int devices, int tensorParallel, int replicas, int batch, double throughputPerSecond,
            double latencySeconds) {}

    /** Decode throughput (tokens/s) against time per output token, for sequences of the given context. */
    public static List<Point> llmDecode(LlmCost cost, int tensorParallel, long contextTokens, int maxBatch) {
        List<Point> points = new ArrayList<>();
        for (int b = 1; b <= maxBatch; b *= 2) {
            double latency = cost.iterationSeconds(0, 0, b, contextTokens * b);
            points.add(new Point(tensorParallel, tensorParallel, 1, b, b / latency, latency));
        }
        return points;
    }

    /** Batch throughput (items/s) against batch latency, for items of the given token count. */
    public static List<Point> batch(BatchCost cost, int tensorParallel, long tokensPerItem, int maxBatch) {
        List<Point> points = new ArrayList<>();
        for (int n = 1; n <= maxBatch; n *= 2) {
            double latency = cost.batchSeconds(n, n * tokensPerItem);
            points.add(new Point(tensorParallel, tensorParallel, 1, n, n / latency, latency));
        }
        return points;
    }

    /**
     * The Pareto frontier of the points: those for which no other point has at least the throughput and at
     * most the latency, one of them strictly. Sorted by latency. O(n log n).
     */
    public static List<Point> paretoFrontier(List<Point> points) {
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(Point::latencySeconds)
                .thenComparing(Comparator.comparingDouble(Point::throughputPerSecond).reversed()));
        List<Point> frontier = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Point p : sorted) {
            if (p.throughputPerSecond() > best) {
                frontier.add(p);
                best = p.throughputPerSecond();
            }
        }
        return frontier;
    }

    /**
     * For each device count, the frontier over every tensor-parallel degree that divides it, with
     * {@code devices / tp} replicas of that degree's single-replica curve.
     *
     * @param curvesByTp single-replica curves keyed by tensor-parallel degree
     * @param deviceCounts device counts to build frontiers for
     */
    public static Map<Integer, List<Point>> frontierByDevices(Map<Integer, List<Point>> curvesByTp,
            List<Integer> deviceCounts) {
        Map<Integer, List<Point>> frontiers = new TreeMap<>();
        for (int devices : deviceCounts) {
            List<Point> candidates = new ArrayList<>();
            for (Map.Entry<Integer, List<Point>> e : curvesByTp.entrySet()) {
                int tp = e.getKey();
                if (tp > devices || devices % tp != 0) {
                    continue;
                }
                int replicas = devices / tp;
                for (Point p : e.getValue()) {
                    candidates.add(new Point(devices, tp, replicas, p.batch(), p.throughputPerSecond() * replicas,
                            p.latencySeconds()));
                }
            }
            frontiers.put(devices, paretoFrontier(candidates));
        }
        return frontiers;
    }
}
