package org.cornserve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.graph.RequestGraph;
import org.cornserve.model.graph.TaskNode;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's "Java API in 20 lines" example, so that the README cannot drift from the code. */
class ReadmeExampleTest {

    @Test
    void readmeJavaExampleRuns(@TempDir Path dir) throws Exception {
        Path conv = dir.resolve("conv.csv");
        Files.writeString(conv, "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n");
        Path planFile = dir.resolve("plan.json");
        Files.copy(Path.of("../model/src/test/resources/plans/encoder-split.json"), planFile);

        // --- the README example, but for the two paths above and collecting instead of printing ---
        ModelCatalog catalog = ModelCatalog.builtIn();
        ModelSpec omni = catalog.model("qwen2.5-omni-7b");
        RequestShape shape = new RequestShape(200, List.of(MediaItem.imagePixels(1280, 720)), 100,
                Set.of(Modality.TEXT, Modality.AUDIO));
        RequestGraph graph = new CompositeTask(omni).requestGraph(shape, false);
        Hardware h100 = HardwareCatalog.builtIn().get("h100");
        RooflineTaskCosts costs = new RooflineTaskCosts(h100);
        TaskCost.Llm llm = (TaskCost.Llm) costs.cost(omni.unitTask("llm"), 1);
        double tpotMs = llm.cost().iterationSeconds(0, 0, 32, 32 * 2048L) * 1e3;

        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(planFile);
        List<Double> arrivals = new ArrayList<>();
        try (TraceReader trace = TraceFormat.byName("azure-llm").open(conv, ReadOptions.defaults())) {
            for (TraceRecord r = trace.read(); r != null; r = trace.read()) {
                arrivals.add(r.arrivalSeconds());
            }
        }
        // --- end of the example ---

        assertEquals(List.of("vision-encoder", "llm", "talker", "vocoder"),
                graph.taskNodes().stream().map(TaskNode::taskId).map(id -> id.substring(id.indexOf('/') + 1)).toList());
        assertTrue(tpotMs > 4 && tpotMs < 30, "decode step " + tpotMs + " ms");
        assertTrue(plan.deploymentFor("qwen2.5-vl-7b/llm").isPresent());
        assertEquals(2, arrivals.size());
        assertEquals(4.314579, arrivals.get(1), 1e-6);
    }
}
