package org.cornserve.planner.estimate;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.planner.*;
import org.cornserve.planner.baseline.Strategies;
import org.cornserve.planner.search.*;
import org.cornserve.traces.*;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void print() throws Exception {
        List<TraceRecord> trace = new ArrayList<>();
        try (TraceReader r = TraceFormat.byName("servegen").open(SharedTraces.file("servegen-mm-image"), ReadOptions.defaults())) {
            for (TraceRecord rec; (rec = r.read()) != null; ) trace.add(rec);
        }
        System.out.println("trace " + trace.size() + " rate " + CatalogProblems.meanRate(trace) + " first " + trace.get(0));
        String model = System.getProperty("model", "qwen2.5-omni-7b");
        int gpus = Integer.getInteger("gpus", 64);
        long t0 = System.nanoTime();
        PlanningProblem p = CatalogProblems.build(ModelCatalog.builtIn(), List.of(model.split(",")),
                HardwareCatalog.builtIn().get("h100-sxm"), gpus / 8, 8, trace, new Slo(2000, 100, 0, 0.9), 1, 400, 0);
        System.out.println("build ms " + (System.nanoTime() - t0) / 1e6 + " tasks " + p.tasks());
        for (String s : Strategies.names()) {
            long t1 = System.nanoTime();
            try {
                SearchResult r = Strategies.byName(s).plan(p, Objective.goodput(), null);
                System.out.printf("%s %.0f ms cap=%.2f %s bottleneck=%s stats=%s%n", s, (System.nanoTime() - t1) / 1e6,
                        r.explanation().estimate().capacityRps(), r.plan().describe(), r.explanation().estimate().bottleneck(), r.explanation().stats());
            } catch (IllegalArgumentException e) {
                System.out.println(s + " n/a: " + e.getMessage());
            }
        }
    }
}
