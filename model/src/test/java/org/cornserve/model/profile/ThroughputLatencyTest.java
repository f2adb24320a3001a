package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ThroughputLatencyTest {

    /** Brute force: a point is on the frontier when no other point dominates it. O(n^2). */
    private static List<ThroughputLatency.Point> bruteForceFrontier(List<ThroughputLatency.Point> points) {
        List<ThroughputLatency.Point> frontier = new ArrayList<>();
        for (ThroughputLatency.Point p : points) {
            boolean dominated = false;
            for (ThroughputLatency.Point q : points) {
                boolean asGood = q.throughputPerSecond() >= p.throughputPerSecond() && q.latencySeconds() <= p.latencySeconds();
                boolean better = q.throughputPerSecond() > p.throughputPerSecond() || q.latencySeconds() < p.latencySeconds();
                dominated |= asGood && better;
            }
            if (!dominated) {
                frontier.add(p);
            }
        }
        return frontier;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void frontierMatchesBruteForce(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ThroughputLatency.Point> points = new ArrayList<>();
        int n = random.nextInt(1, 200);
        for (int i = 0; i < n; i++) {
            // coarse values so that ties happen
            points.add(new ThroughputLatency.Point(1, 1, 1, i, random.nextInt(1, 30), random.nextInt(1, 30)));
        }
        List<ThroughputLatency.Point> fast = ThroughputLatency.paretoFrontier(points);
        List<ThroughputLatency.Point> slow = bruteForceFrontier(points);
        // duplicates of a frontier point: the fast version keeps one of them
        assertEquals(new HashSet<>(slow.stream().map(p -> List.of(p.throughputPerSecond(), p.latencySeconds())).toList()),
                new HashSet<>(fast.stream().map(p -> List.of(p.throughputPerSecond(), p.latencySeconds())).toList()));
        for (int i = 1; i < fast.size(); i++) {
            assertTrue(fast.get(i).latencySeconds() > fast.get(i - 1).latencySeconds());
            assertTrue(fast.get(i).throughputPerSecond() > fast.get(i - 1).throughputPerSecond());
        }
    }

    @Test
    void decodeCurveRisesInThroughputAndLatencyAndFrontierUsesEveryDivisor() {
        RooflineEstimator h100 = new RooflineEstimator(RooflineEstimatorTest.H100);
        Map<Integer, List<ThroughputLatency.Point>> curves = Map.of(
                1, ThroughputLatency.llmDecode(h100.llm(RooflineEstimatorTest.LLAMA_8B, 1), 1, 1024, 256),
                2, ThroughputLatency.llmDecode(h100.llm(RooflineEstimatorTest.LLAMA_8B, 2), 2, 1024, 256),
                4, ThroughputLatency.llmDecode(h100.llm(RooflineEstimatorTest.LLAMA_8B, 4), 4, 1024, 256));
        List<ThroughputLatency.Point> tp1 = curves.get(1);
        for (int i = 1; i < tp1.size(); i++) {
            assertTrue(tp1.get(i).throughputPerSecond() > tp1.get(i - 1).throughputPerSecond());
            assertTrue(tp1.get(i).latencySeconds() >= tp1.get(i - 1).latencySeconds());
        }
        Map<Integer, List<ThroughputLatency.Point>> frontiers = ThroughputLatency.frontierByDevices(curves, List.of(1, 2, 4, 8));
        assertTrue(frontiers.get(1).stream().allMatch(p -> p.tensorParallel() == 1));
        // with 4 devices, the lowest-latency point comes from tensor parallelism, the highest throughput from replicas
        List<ThroughputLatency.Point> four = frontiers.get(4);
        assertEquals(4, four.get(0).tensorParallel());
        assertEquals(1, four.stream().max(Comparator.comparingDouble(ThroughputLatency.Point::throughputPerSecond))
                .orElseThrow().tensorParallel());
        assertTrue(four.stream().allMatch(p -> p.devices() == 4 && p.replicas() * p.tensorParallel() == 4));
    }
}
