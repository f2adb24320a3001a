package org.cornserve.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.planner.baseline.Strategies;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.SearchResult;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Planning real catalog models on a one-hour ServeGen multimodal trace. */
@Tag("slow")
class CatalogPlanningTest {

    static List<TraceRecord> servegenHour() throws Exception {
        List<TraceRecord> trace = new ArrayList<>();
        try (TraceReader r = TraceFormat.SERVEGEN.open(SharedTraces.file("servegen-mm-image"), ReadOptions.defaults())) {
            for (TraceRecord rec; (rec = r.read()) != null; ) {
                trace.add(rec);
            }
        }
        return trace;
    }

    @Test
    void omniOn64H100EveryStrategyPlansAndCornserveIsBestByTheEstimate() throws Exception {
        List<TraceRecord> trace = servegenHour();
        PlanningProblem p = CatalogProblems.build(ModelCatalog.builtIn(), List.of("qwen2.5-omni-7b"),
                HardwareCatalog.builtIn().get("h100-sxm"), 8, 8, trace, new Slo(2000, 100, 0, 0.9), 1, 400, 0);
        // image in, text out: the omni model is planned with the tasks its requests use (no audio encoder, talker
        // or vocoder)
        assertEquals(List.of("qwen2.5-omni-7b/vision-encoder", "qwen2.5-omni-7b/llm"),
                p.tasks().stream().map(PlannerTask::id).toList());
        SearchResult best = Strategies.byName("cornserve").plan(p, Objective.goodput(), null);
        assertTrue(best.explanation().stats().exhaustive());
        assertTrue(best.plan().devices() <= 64);
        for (String s : List.of("monolithic", "encoder-split", "pd-split", "full-split")) {
            SearchResult r = Strategies.byName(s).plan(p, Objective.goodput(), null);
            assertTrue(best.explanation().estimate().capacityRps() >= r.explanation().estimate().capacityRps() * (1 - 1e-6), s);
        }
    }

    @Test
    void theGemmaArenaSharesOneVisionEncoder() throws Exception {
        List<TraceRecord> trace = servegenHour().subList(0, 3000);
        PlanningProblem p = CatalogProblems.build(ModelCatalog.builtIn(), List.of("gemma-3-4b", "gemma-3-12b", "gemma-3-27b"),
                HardwareCatalog.builtIn().get("h100-sxm"), 1, 8, trace, new Slo(2000, 100, 0, 0.9), 1, 300, 0);
        assertEquals(List.of("gemma-3-siglip", "gemma-3-4b/llm", "gemma-3-12b/llm", "gemma-3-27b/llm"),
                p.tasks().stream().map(PlannerTask::id).toList());
        SearchResult best = Strategies.byName("cornserve").plan(p, Objective.goodput(), null);
        long siglips = best.plan().deployments().stream().filter(d -> d.units().contains("gemma-3-siglip")).count();
        assertEquals(1, siglips);
        for (String s : List.of("cornserve", "monolithic", "encoder-split", "pd-split", "full-split")) {
            SearchResult r = Strategies.byName(s).plan(p, Objective.goodput(), null);
            // Every strategy's plan is a valid deployment plan of the three models (one deployment per task).
            PlanValidator.builtIn().validate(PlanDocuments.plan("arena-" + s, r.plan(), p,
                    HardwareCatalog.builtIn().get("h100-sxm"), CornserveSearch.Options.DEFAULT.estimator(), null));
        }
    }
}
