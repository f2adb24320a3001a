package org.cornserve.planner.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.ClusterShape;
import org.cornserve.planner.Fixtures;
import org.cornserve.planner.PlannedDeployment;
import org.cornserve.planner.PlannerTask;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.RequestWork;
import org.cornserve.planner.Slo;
import org.cornserve.planner.TaskCosts;
import org.cornserve.planner.TaskKind;
import org.cornserve.planner.TaskWork;
import org.cornserve.planner.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnalyticEstimatorTest {

    /** One encoder whose batch takes a + b x items seconds, each request bringing n items. */
    private static PlanningProblem linearEncoder(double a, double b, int n, double rate, Slo slo) {
        BatchCost cost = (items, tokens) -> a + b * items;
        PlannerTask enc = new PlannerTask("e/enc", TaskKind.ENCODER, 0, 1_000_000_000L, 0, 8, new TaskCosts() {
            @Override
            public BatchCost batch(int tp) {
                return cost;
            }
        });
        List<RequestWork> reqs = List.of(new RequestWork(Map.of("e/enc", TaskWork.batch(n, 100L * n))));
        return new PlanningProblem(List.of("e"), List.of(enc), ClusterShape.ofDevices("h100-sxm", 8, Fixtures.H100_MEMORY),
                new Workload(rate, reqs), slo, 1);
    }

    @Test
    void replicaCapacityIsTheFullBatchRateInClosedForm() {
        double a = 0.010;
        double b = 0.002;
        int n = 2;
        AnalyticEstimator est = new AnalyticEstimator(linearEncoder(a, b, n, 1, new Slo(0, 0, 0, 0.9)));
        // The batch limit is 32 items: C = a + 32 b, and 32 items arrive per cycle at rate 32 / (n C).
        double expected = 32 / (n * (a + 32 * b));
        assertEquals(expected, est.replicaCapacityRps(List.of("e/enc"), 1), expected * 1e-6);
    }

    @Test
    void cycleIsTheFixedPointOfBatchLatency() {
        double a = 0.010;
        double b = 0.002;
        int n = 2;
        double rate = 100; // lambda n C > 1, so C = a + b lambda n C  =>  C = a / (1 - b lambda n)
        AnalyticEstimator est = new AnalyticEstimator(linearEncoder(a, b, n, rate, new Slo(0, 0, 0, 0.9)));
        CandidatePlan plan = new CandidatePlan("t", "h100-sxm", List.of(new PlannedDeployment("enc", List.of("e/enc"), 1, 1)));
        double cycleMs = est.estimate(plan).deployments().get(0).cycleMsAtRate();
        // The batch holds a whole number of items, so the fixed point is that of rounded batch sizes.
        double exact = a / (1 - b * rate * n);
        assertEquals(exact * 1e3, cycleMs, exact * 1e-3);
    }

    @Test
    void attainmentFallsAsRateRisesAndCapacityMeetsTheTarget() {
        PlanningProblem p = Fixtures.problem(List.of(Fixtures.VISION, Fixtures.LLM), 8, 10, Fixtures.slo(), 3);
        AnalyticEstimator est = new AnalyticEstimator(p);
        CandidatePlan plan = new CandidatePlan("t", "h100-sxm", List.of(
                new PlannedDeployment("v", List.of(Fixtures.VISION), 1, 2),
                new PlannedDeployment("l", List.of(Fixtures.LLM), 1, 6)));
        double capacity = est.capacityRps(plan);
        assertTrue(capacity > 0);
        assertTrue(capacity <= est.stableRps(plan));
        double previous = 1;
        for (double f = 0.1; f <= 1.5; f += 0.1) {
            double att = est.attainment(plan, capacity * f);
            assertTrue(att <= previous + 1e-12, "attainment rose at " + f);
            previous = att;
        }
        assertTrue(est.attainment(plan, capacity * 0.999) >= 0.9 - 1e-9);
        assertTrue(est.attainment(plan, capacity * 1.01) < 0.9);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void moreReplicasNeverLowerTheEstimate(long seed) {
        Random rnd = new Random(seed);
        PlanningProblem p = Fixtures.problem(List.of(Fixtures.VISION, Fixtures.AUDIO, Fixtures.LLM, Fixtures.TALK), 64,
                20, Fixtures.slo(), seed);
        AnalyticEstimator est = new AnalyticEstimator(p);
        List<List<String>> groups = List.of(List.of(Fixtures.VISION, Fixtures.AUDIO), List.of(Fixtures.LLM + ":prefill"),
                List.of(Fixtures.LLM + ":decode", Fixtures.TALK));
        int[] replicas = {1 + rnd.nextInt(3), 1 + rnd.nextInt(4), 1 + rnd.nextInt(4)};
        double before = est.capacityRps(plan(groups, replicas));
        replicas[rnd.nextInt(3)]++;
        double after = est.capacityRps(plan(groups, replicas));
        assertTrue(after >= before * (1 - 1e-6), before + " -> " + after);
    }

    private static CandidatePlan plan(List<List<String>> groups, int[] replicas) {
        List<PlannedDeployment> ds = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            ds.add(new PlannedDeployment("d" + i, groups.get(i), 1, replicas[i]));
        }
        return new CandidatePlan("t", "h100-sxm", ds);
    }

    @Test
    void aTighterTpotTargetLowersCapacityAndNamesTheDecoderAsBottleneck() {
        List<String> ids = List.of(Fixtures.VISION, Fixtures.LLM);
        CandidatePlan plan = new CandidatePlan("t", "h100-sxm", List.of(
                new PlannedDeployment("vision", List.of(Fixtures.VISION), 1, 2),
                new PlannedDeployment("prefill", List.of(Fixtures.LLM + ":prefill"), 1, 3),
                new PlannedDeployment("decode", List.of(Fixtures.LLM + ":decode"), 1, 1)));
        double loose = new AnalyticEstimator(Fixtures.problem(ids, 8, 10, new Slo(5000, 200, 0, 0.9), 1)).capacityRps(plan);
        PlanEstimate tight = new AnalyticEstimator(Fixtures.problem(ids, 8, 10, new Slo(5000, 7, 0, 0.9), 1)).estimate(plan);
        assertTrue(tight.capacityRps() < loose, tight.capacityRps() + " vs " + loose);
        assertEquals("decode", tight.bottleneck());
    }

    @Test
    void aModelTooBigForTheDeviceDoesNotFit() {
        PlanningProblem p = Fixtures.problem(List.of(Fixtures.LLM), 8, 1, Fixtures.slo(), 1)
                .withCluster(ClusterShape.ofDevices("small", 8, 10_000_000_000L));
        AnalyticEstimator est = new AnalyticEstimator(p);
        assertTrue(est.misfit(List.of(Fixtures.LLM), 1).orElseThrow().contains("weights"));
        assertTrue(est.misfit(List.of(Fixtures.LLM), 4).isEmpty());
    }
}
