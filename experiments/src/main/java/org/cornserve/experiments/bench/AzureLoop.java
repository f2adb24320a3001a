package org.cornserve.experiments.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.Slo;
import org.cornserve.planner.schedule.scale.ScalingPolicies;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.engine.SimScaling;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.plan.MonolithicPlans;
import org.cornserve.simulator.plan.PlanScaling;
import org.cornserve.simulator.plan.PlanSimConfigs;
import org.cornserve.simulator.plan.TraceWorkload;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.transform.Transforms;

/**
 * The simulation {@code cornserve simulate --model llama-3.1-8b --hardware h100-sxm --gpus GPUS --strategy monolithic
 * --trace TRACE --repeat N --rate RPS} runs, set up as that command sets it up (plan, simulator configuration, the
 * plan's scaling, the Azure trace rescaled to the rate and repeated), for the loop's benchmarks ({@link LoopCpuSpeed},
 * {@link EventLoopBenchmark#simulateAzure}).
 */
final class AzureLoop {
    private final ResolvedPlan resolved;
    private final SimConfig config;
    private final SimScaling scaling;
    private final long seed;

    AzureLoop(int gpus) {
        ModelCatalog models = ModelCatalog.builtIn();
        HardwareCatalog hardware = HardwareCatalog.builtIn();
        DeploymentPlan plan = MonolithicPlans.build(models, hardware, "llama-3.1-8b", "h100-sxm", gpus, 1);
        this.resolved = new PlanValidator(models, hardware).validate(plan);
        this.config = PlanSimConfigs.of(resolved, hardware, plan.seed(), Slo.NONE, 0);
        this.scaling = PlanScaling.of(resolved, hardware, ScalingPolicies.DEFAULT_TOLERANCE,
                SimScaling.DEFAULT_INTERVAL_NANOS);
        this.seed = plan.seed();
    }

    /** The trace's requests, {@code repeat} passes at {@code rate} requests per second; the caller closes it. */
    TraceWorkload workload(Path trace, int repeat, double rate) throws IOException {
        var source = Transforms.rescaleToRate(TraceFormat.AZURE_LLM.source(trace,
                ReadOptions.defaults().withSeed(seed)), rate);
        return new TraceWorkload(source, repeat, resolved);
    }

    /** A new simulator of the plan that keeps every request's record, as the command's does. */
    Simulator simulator() {
        return new Simulator(config, true, null, scaling);
    }
}
