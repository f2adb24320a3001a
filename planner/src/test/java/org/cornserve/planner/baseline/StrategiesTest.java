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
