package org.cornserve.planner.estimate;

import java.util.*;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.*;
import org.cornserve.planner.baseline.Strategies;
import org.cornserve.planner.search.*;
import org.cornserve.traces.*;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void print() throws Exception {
        List<TraceRecord> trace = new ArrayList<>();
        String wl = System.getProperty("wl", "servegen");
        try (TraceReader r = wl.equals("servegen") ? TraceFormat.SERVEGEN.open(SharedTraces.file("servegen-mm-image"), ReadOptions.defaults())
                : TraceFormat.AZURE_LLM.open(SharedTraces.file("AzureLLMInferenceTrace_conv.csv"), ReadOptions.defaults())) {
            for (TraceRecord rec; (rec = r.read()) != null; ) trace.add(rec);
        }
        double audio = Double.parseDouble(System.getProperty("audio", "0"));
        boolean image = Boolean.getBoolean("imagegen");
        Random rnd = new Random(1);
        List<TraceRecord> t2 = new ArrayList<>();
        for (TraceRecord r : trace) {
            RequestShape s = r.shape();
            if (image) s = new RequestShape(Math.min(s.textTokens(), 1000), List.of(), 0, Set.of(Modality.IMAGE));
            else if (rnd.nextDouble() < audio) s = new RequestShape(s.textTokens(), s.media(), s.outputTokens(), Set.of(Modality.TEXT, Modality.AUDIO));
            t2.add(new TraceRecord(r.arrivalNanos(), r.app(), s));
        }
        String model = System.getProperty("model", "qwen2.5-omni-7b");
        int gpus = Integer.getInteger("gpus", 64);
        Slo slo = Slo.parse(System.getProperty("slo", "ttft=2000,tpot=100"), 0.9);
        PlanningProblem p = CatalogProblems.build(ModelCatalog.builtIn(), List.of(model.split(",")),
                HardwareCatalog.builtIn().get("h100-sxm"), gpus <= 8 ? 1 : gpus / 8, Math.min(gpus, 8), t2, slo, 1, 400, 0);
        AnalyticEstimator est = new AnalyticEstimator(p);
        for (PlannerTask t : p.tasks()) for (int tp : new int[]{1, 2, 4, 8}) System.out.println(t.id() + " tp" + tp + " cap " + est.replicaCapacityRps(List.of(t.id()), tp) + " " + est.misfit(List.of(t.id()), tp));
        System.out.println(p.workload().samples().get(0));
        for (String s : Strategies.names()) {
            long t1 = System.nanoTime();
            try {
                SearchResult r = Strategies.byName(s).plan(p, Objective.goodput(), null);
                System.out.printf("%s %.0f ms e2e=%.0f cap=%.2f %s bottleneck=%s%n", s, (System.nanoTime() - t1) / 1e6, r.explanation().estimate().meanE2eMs(),
                        r.explanation().estimate().capacityRps(), r.plan().describe().replace(model + "/", ""), r.explanation().estimate().bottleneck());
            } catch (IllegalArgumentException e) {
                System.out.println(s + " n/a: " + e.getMessage());
            }
        }
    }
}
