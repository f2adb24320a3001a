package org.cornserve.experiments.bench;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.simulator.config.Network;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.plan.DeploymentBuilder;
import org.cornserve.simulator.plan.TraceWorkload;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceSource;
import org.cornserve.traces.transform.Transforms;

/**
 * Times the simulator on a real trace: {@code TraceSpeed AZURE_CSV REPEAT [RATE]} replays the Azure LLM trace
 * REPEAT times (rescaled to RATE requests/s when given) on 16 Llama-3.1-8B H100 replicas.
 */
public final class TraceSpeed {
    private TraceSpeed() {
    }

    public static void main(String[] args) throws Exception {
        Path csv = Path.of(args[0]);
        int repeat = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        TraceSource source = TraceFormat.AZURE_LLM.source(csv, ReadOptions.defaults());
        if (args.length > 2) {
            source = Transforms.rescaleToRate(source, Double.parseDouble(args[2]));
        }
        ModelSpec llama = ModelCatalog.builtIn().model("llama-3.1-8b");
        SimConfig config = SimConfig.of(List.of(DeploymentBuilder.build("llm", llama.unitTasks(false),
                HardwareCatalog.builtIn().get("h100-sxm"), 1, 1, 16, "least-outstanding", 1,
                DeploymentBuilder.Settings.DEFAULTS, Collections.nCopies(16, 0), 0)),
                new Network(4.5e11, 5_000, 5e10, 10_000), new Slo(1000, 100, 0));
        long start = System.nanoTime();
        try (TraceWorkload workload = new TraceWorkload(source, repeat, List.of(llama), m -> false)) {
            SimResult r = new Simulator(config).run(workload);
            double wall = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d requests, %d completed, in %.2f wall s (%.0f requests/s, loop only %.2f s); %d events"
                    + " (+%d superseded); simulated %.0f s; TTFT p50 %.1f p99 %.1f ms; TPOT p50 %.2f p99 %.2f ms%n",
                    r.requests(), r.completed(), wall, r.requests() / wall, r.wallSeconds(), r.events(),
                    r.staleEvents(), r.simulatedSeconds(), r.ttftMs().p50(), r.ttftMs().p99(), r.tpotMs().p50(),
                    r.tpotMs().p99());
        }
    }
}
