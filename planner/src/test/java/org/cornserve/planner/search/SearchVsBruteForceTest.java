package org.cornserve.planner.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.Fixtures;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.planner.estimate.AnalyticEstimator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The search against brute force over every plan, both judged by the analytic estimate, on seeded small
 * problems (up to 4 unit tasks, up to 8 devices).
 */
@Tag("slow")
class SearchVsBruteForceTest {

    static PlanningProblem smallProblem(long seed) {
        Random rnd = new Random(seed);
        List<List<String>> sets = List.of(
                List.of(Fixtures.VISION, Fixtures.LLM),
                List.of(Fixtures.VISION, Fixtures.AUDIO, Fixtures.LLM),
                List.of(Fixtures.LLM, Fixtures.TALK, Fixtures.VOCODER),
                List.of(Fixtures.VISION, Fixtures.LLM, Fixtures.TALK),
                List.of(Fixtures.AUDIO, Fixtures.LLM, Fixtures.TALK, Fixtures.VOCODER),
                List.of(Fixtures.VISION, Fixtures.AUDIO, Fixtures.LLM, Fixtures.TALK));
        List<String> ids = sets.get((int) (seed % sets.size()));
        int devices = seed % 2 == 0 ? 8 : 4;
        Slo slo = new Slo(500 + rnd.nextInt(3000), 30 + rnd.nextInt(100), 5000 + rnd.nextInt(30000), 0.9);
        return Fixtures.problem(ids, devices, 1 + rnd.nextInt(20), slo, seed).withWorkload(
                new org.cornserve.planner.Workload(1 + rnd.nextInt(20), Fixtures.requests(ids, 60, seed)));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void goodputMatchesBruteForce(long seed) {
        PlanningProblem p = smallProblem(seed);
        AnalyticEstimator est = new AnalyticEstimator(p);
        double[] best = {0};
        long[] plans = {0};
        ExhaustivePlans.forEachPlan(p, est, plan -> {
            plans[0]++;
            best[0] = Math.max(best[0], est.capacityRps(plan));
        });
        SearchResult r = new CornserveSearch(p, Objective.goodput(), CornserveSearch.Options.DEFAULT).search();
        double found = r.explanation().estimate().capacityRps();
        assertEquals(best[0], found, 1e-4 * Math.max(1, best[0]), "seed " + seed + " " + p.tasks().size() + " tasks, "
                + p.cluster().devices() + " devices, " + plans[0] + " plans; chose " + r.plan().describe());
        assertTrue(r.explanation().stats().exhaustive());
        assertTrue(r.explanation().stats().evaluations() <= plans[0], "the search scored more plans than exist");
        if (plans[0] > 200) {
            assertTrue(r.explanation().stats().evaluations() < plans[0] / 2, "the bound should cut most plans");
        }
        System.out.printf("seed %d: %d plans, %d scored, best %.3f rps by %s%n", seed, plans[0],
                r.explanation().stats().evaluations(), found, r.plan().describe());
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void minDevicesMatchesBruteForce(long seed) {
        PlanningProblem p = smallProblem(seed);
        AnalyticEstimator est = new AnalyticEstimator(p);
        double[] bestCapacity = {0};
        ExhaustivePlans.forEachPlan(p, est, plan -> bestCapacity[0] = Math.max(bestCapacity[0], est.capacityRps(plan)));
        double target = 0.6 * bestCapacity[0];
        int[] fewest = {Integer.MAX_VALUE};
        ExhaustivePlans.forEachPlan(p, est, plan -> {
            if (plan.devices() < fewest[0] && est.capacityRps(plan) >= target) {
                fewest[0] = plan.devices();
            }
        });
        if (fewest[0] == Integer.MAX_VALUE) {
            return; // nothing serves any load at this SLO; covered by the goodput test
        }
        SearchResult r = new CornserveSearch(p, Objective.minDevices(target), CornserveSearch.Options.DEFAULT).search();
        CandidatePlan chosen = r.plan();
        assertEquals(fewest[0], chosen.devices(), "seed " + seed + " chose " + chosen.describe());
        assertTrue(r.explanation().estimate().capacityRps() >= target);
    }
}
