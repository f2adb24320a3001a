package org.cornserve.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.baseline.Strategies;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.Objective;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;

/** A text-only workload of a multimodal model is planned with its LLM alone; other components join when used. */
class LlmAlonePlanningTest {
    private static final Hardware H100 = HardwareCatalog.builtIn().get("h100-sxm");

    private static List<TraceRecord> trace(String model, boolean withImage) {
        List<TraceRecord> out = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            RequestShape shape = withImage && i == 150
                    ? new RequestShape(100, List.of(MediaItem.imagePixels(448, 448)), 30, Set.of(Modality.TEXT))
                    : RequestShape.text(300 + i, 30 + i % 50);
            out.add(new TraceRecord(i * 100_000_000L, model, shape));
        }
        return out;
    }

    private static PlanningProblem problem(String model, List<TraceRecord> trace) {
        return CatalogProblems.build(ModelCatalog.builtIn(), List.of(model), H100, 1, 8, trace,
                new Slo(2000, 100, 0, 0.9), 1, 50, 0);
    }

    @Test
    void textOnlyTraceOfAVisionModelPlansItsLlmAloneAndThePlanValidates() {
        PlanningProblem p = problem("qwen2.5-vl-7b", trace("qwen2.5-vl-7b", false));
        assertEquals(List.of("qwen2.5-vl-7b/llm"), p.tasks().stream().map(PlannerTask::id).toList());
        for (String s : List.of("cornserve", "monolithic")) {
            var r = Strategies.byName(s).plan(p, Objective.goodput(), null);
            ResolvedPlan plan = PlanValidator.builtIn().validate(PlanDocuments.plan("llm-alone-" + s, r.plan(), p, H100,
                    CornserveSearch.Options.DEFAULT.estimator(), null));
            assertEquals(List.of("qwen2.5-vl-7b/vision-encoder"), plan.undeployed(), s);
        }
    }

    @Test
    void oneImageRequestAnywhereInTheTraceBringsTheEncoderBack() {
        // the image request need not be among the 50 sampled ones; the plan must still serve it
        PlanningProblem p = problem("qwen2.5-vl-7b", trace("qwen2.5-vl-7b", true));
        assertEquals(List.of("qwen2.5-vl-7b/vision-encoder", "qwen2.5-vl-7b/llm"),
                p.tasks().stream().map(PlannerTask::id).toList());
    }

    @Test
    void aTextToImagePipelineKeepsEveryComponent() {
        List<TraceRecord> trace = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            trace.add(new TraceRecord(i * 1_000_000_000L, "qwen-image",
                    new RequestShape(50, List.of(), 4096, Set.of(Modality.IMAGE))));
        }
        assertEquals(3, problem("qwen-image", trace).tasks().size());
    }
}
