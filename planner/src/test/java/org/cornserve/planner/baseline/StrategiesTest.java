package org.cornserve.planner.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.planner.Fixtures;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.SearchResult;
import org.junit.jupiter.api.Test;

class StrategiesTest {
    private static final List<String> OMNI = List.of(Fixtures.VISION, Fixtures.AUDIO, Fixtures.LLM, Fixtures.TALK,
            Fixtures.VOCODER);

    @Test
    void baselinesHaveTheirStructure() {
        PlanningProblem p = Fixtures.problem(OMNI, 16, 10, Fixtures.slo(), 1);
        FixedGroupingStrategy mono = (FixedGroupingStrategy) Strategies.byName("monolithic");
        assertEquals(List.of(OMNI), mono.groups(p));
        FixedGroupingStrategy enc = (FixedGroupingStrategy) Strategies.byName("encoder-split");
        assertEquals(List.of(List.of(Fixtures.VISION), List.of(Fixtures.AUDIO),
                List.of(Fixtures.LLM, Fixtures.TALK, Fixtures.VOCODER)), enc.groups(p));
        FixedGroupingStrategy pd = (FixedGroupingStrategy) Strategies.byName("pd-split");
        assertEquals(List.of(List.of(Fixtures.VISION, Fixtures.AUDIO, Fixtures.LLM + ":prefill"),
                List.of(Fixtures.LLM + ":decode", Fixtures.TALK, Fixtures.VOCODER)), pd.groups(p));
        FixedGroupingStrategy full = (FixedGroupingStrategy) Strategies.byName("full-split");
        assertEquals(6, full.groups(p).size());
    }

    @Test
    void cornserveIsAtLeastAsGoodAsEveryBaselineByItsOwnEstimate() {
        PlanningProblem p = Fixtures.problem(OMNI, 16, 10, Fixtures.slo(), 2);
        SearchResult best = Strategies.byName("cornserve").plan(p, Objective.goodput(), null);
        assertTrue(best.explanation().stats().exhaustive());
        for (String name : List.of("monolithic", "encoder-split", "pd-split", "full-split")) {
            SearchResult r = Strategies.byName(name).plan(p, Objective.goodput(), null);
            assertEquals(name, r.plan().strategy());
            assertTrue(r.plan().devices() <= 16);
            assertTrue(best.explanation().estimate().capacityRps() >= r.explanation().estimate().capacityRps() * (1 - 1e-6),
                    name + " beat cornserve: " + r.plan().describe());
        }
    }

    @Test
    void aSearchedBaselineIsAtLeastItsFixedDeploymentByTheEstimate() {
        PlanningProblem p = Fixtures.problem(OMNI, 16, 10, Fixtures.slo(), 3);
        for (String name : Strategies.BASELINES) {
            SearchResult searched = Strategies.byName(name).plan(p, Objective.goodput(), null);
            SearchResult fixed = Strategies.byName(name + Strategies.FIXED_SUFFIX).plan(p, Objective.goodput(), null);
            assertEquals(name + "-fixed", fixed.plan().strategy());
            assertEquals(fixed.plan().deployments().stream().map(d -> d.units()).toList(),
                    searched.plan().deployments().stream().map(d -> d.units()).toList(), "same grouping");
            assertTrue(searched.explanation().estimate().capacityRps()
                    >= fixed.explanation().estimate().capacityRps() * (1 - 1e-9), name);
        }
    }

    @Test
    void withAnEvaluatorCornserveMeasuresAtLeastEveryBaseline() {
        // A measurement that disagrees with the estimate: plans with more deployments serve less.
        PlanningProblem p = Fixtures.problem(OMNI, 16, 10, Fixtures.slo(), 4);
        org.cornserve.planner.estimate.AnalyticEstimator estimator = new org.cornserve.planner.estimate.AnalyticEstimator(p);
        int[] runs = {0};
        org.cornserve.planner.search.PlanEvaluator fake = (plan, rate) -> {
            runs[0]++;
            double cap = estimator.capacityRps(plan) * (1.2 - 0.1 * plan.deployments().size());
            double a = rate <= cap ? 1 : 0.5;
            return new org.cornserve.planner.search.PlanEvaluator.Evaluation(rate, rate * a, a);
        };
        org.cornserve.planner.search.PlanEvaluator cached = org.cornserve.planner.search.CachingEvaluator.of(fake);
        SearchResult best = Strategies.byName("cornserve").plan(p, Objective.goodput(), cached);
        for (String name : Strategies.BASELINES) {
            SearchResult r = Strategies.byName(name).plan(p, Objective.goodput(), cached);
            assertTrue(best.explanation().measuredCapacityRps() >= r.explanation().measuredCapacityRps(),
                    name + " " + r.plan().describe() + " measured " + r.explanation().measuredCapacityRps() + " > cornserve "
                            + best.explanation().measuredCapacityRps());
        }
        int afterCornserve = runs[0];
        Strategies.byName("cornserve").plan(p, Objective.goodput(), cached);
        assertEquals(afterCornserve, runs[0], "every run is cached");
    }

    @Test
    void unknownStrategyListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strategies.byName("magic"));
        assertTrue(e.getMessage().contains("monolithic, encoder-split, pd-split, full-split, cornserve"), e.getMessage());
    }

    @Test
    void pdSplitNeedsAnLlm() {
        PlanningProblem p = Fixtures.problem(List.of(Fixtures.VISION, Fixtures.AUDIO), 8, 10, Fixtures.slo(), 1);
        assertThrows(IllegalArgumentException.class, () -> Strategies.byName("pd-split").plan(p, Objective.goodput(), null));
    }
}
