package org.cornserve.planner.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cornserve.planner.Fixtures;
import org.cornserve.planner.PlanningProblem;
import org.junit.jupiter.api.Test;

class GroupingTest {
    private static final long[] BELL = {1, 1, 2, 5, 15, 52, 203, 877};

    @Test
    void withoutAnLlmEveryGroupingIsASetPartition() {
        for (int n = 1; n <= 3; n++) {
            List<String> ids = List.of(Fixtures.VISION, Fixtures.AUDIO, Fixtures.VOCODER).subList(0, n);
            PlanningProblem p = Fixtures.problem(ids, 8, 1, Fixtures.slo(), 1);
            assertEquals(BELL[n], Grouping.all(p).size(), "Bell(" + n + ")");
        }
    }

    @Test
    void anLlmMayBeWholeOrSplitButItsHalvesNeverShareABlock() {
        // n other tasks + LLM: Bell(n+1) whole, Bell(n+2) - Bell(n+1) split (partitions with halves apart).
        List<String> ids = List.of(Fixtures.VISION, Fixtures.AUDIO, Fixtures.LLM, Fixtures.TALK, Fixtures.VOCODER);
        PlanningProblem p = Fixtures.problem(ids, 8, 1, Fixtures.slo(), 1);
        List<Grouping> all = Grouping.all(p);
        assertEquals(BELL[5] + BELL[6] - BELL[5], all.size());
        Set<Grouping> distinct = new HashSet<>(all);
        assertEquals(all.size(), distinct.size());
        for (Grouping g : all) {
            for (List<String> block : g.groups()) {
                assertTrue(!(block.contains(Fixtures.LLM + ":prefill") && block.contains(Fixtures.LLM + ":decode")), g.toString());
            }
            long units = g.groups().stream().mapToLong(List::size).sum();
            boolean split = g.groups().stream().anyMatch(b -> b.contains(Fixtures.LLM + ":decode"));
            assertEquals(split ? 6 : 5, units);
        }
    }

    @Test
    void oneLlmPerEngineUnlessMultiModelEnginesAreAllowed() {
        List<org.cornserve.traces.TraceRecord> trace = org.cornserve.planner.CatalogProblems.routeToModels(
                MixedKindSearchTest.trace(1, 50), List.of("gemma-3-4b", "gemma-3-12b"), 1);
        PlanningProblem p = org.cornserve.planner.CatalogProblems.build(org.cornserve.model.catalog.ModelCatalog.builtIn(),
                List.of("gemma-3-4b", "gemma-3-12b"), org.cornserve.model.hardware.HardwareCatalog.builtIn().get("h100-sxm"),
                1, 8, trace, Fixtures.slo(), 1, 50, 0);
        assertEquals(3, p.tasks().size(), "the shared vision encoder is one unit");
        List<Grouping> one = Grouping.all(p);
        List<Grouping> many = Grouping.all(p, true);
        assertTrue(many.size() > one.size(), one.size() + " vs " + many.size());
        for (Grouping g : one) {
            for (List<String> block : g.groups()) {
                long models = block.stream().filter(u -> u.contains("/llm")).map(u -> u.substring(0, u.indexOf('/')))
                        .distinct().count();
                assertTrue(models <= 1, "two models' LLMs in one engine: " + g);
            }
        }
        assertTrue(many.stream().anyMatch(g -> g.groups().stream().anyMatch(b -> b.contains("gemma-3-4b/llm")
                && b.contains("gemma-3-12b/llm"))));
        // the encoder may still sit with either model's LLM
        assertTrue(one.stream().anyMatch(g -> g.groups().stream().anyMatch(b -> b.size() == 2 && b.contains("gemma-3-12b/llm"))));
    }

    @Test
    void namesStayUniqueWhenTwoModelsHaveTheSameComponent() {
        assertEquals(List.of("vision-encoder+llm"), Grouping.names(List.of(List.of("m/vision-encoder", "m/llm"))));
        assertEquals(List.of("a/llm", "b/llm"), Grouping.names(List.of(List.of("a/llm"), List.of("b/llm"))));
    }
}
