package org.cornserve.cli.profile;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.json.Json;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.profile.ProfileEstimates;
import org.cornserve.model.profile.ProfileSampler;
import org.cornserve.model.profile.ProfileSet;
import org.cornserve.model.profile.RooflineEstimator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cornserve profile estimate --model M --hardware H [--tp 1,2,4,8] --out FILE}. */
@Command(name = "estimate", mixinStandardHelpOptions = true,
        description = "Estimate profiles of a model's unit tasks from its architecture and the hardware's roofline.")
public final class ProfileEstimateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Catalog model, e.g. qwen2.5-omni-7b.")
    String model;

    @Option(names = "--hardware", required = true, description = "Catalog hardware, e.g. h100-sxm.")
    String hardware;

    @Option(names = "--tp", split = ",", defaultValue = "1,2,4,8",
            description = "Tensor-parallel degrees (default ${DEFAULT-VALUE}).")
    List<Integer> tensorParallel;

    @Option(names = "--cpu-overhead-ms",
            description = "Engine CPU overhead per LLM iteration in ms (default: the hardware's iteration_overhead_ms).")
    Double cpuOverheadMs;

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.HardwareFileOption hardwareFile = new org.cornserve.cli.catalog.HardwareFileOption();

    @Option(names = "--out", required = true, description = "Profile file to write (JSON).")
    Path out;

    @Override
    public Integer call() {
        for (int tp : tensorParallel) {
            if (tp < 1 || Integer.bitCount(tp) != 1 || tp > 64) {
                throw new IllegalArgumentException("--tp takes powers of two from 1 to 64, got " + tp);
            }
        }
        ModelCatalog catalog = ModelCatalog.builtIn();
        ModelSpec spec = catalog.model(model);
        Hardware device = hardwareFile.catalog().get(hardware);
        double overheadMs = cpuOverheadMs != null ? cpuOverheadMs : device.efficiency().iterationOverheadMs();
        RooflineEstimator.Options options = new RooflineEstimator.Options(2, 2, overheadMs / 1e3,
                RooflineEstimator.Options.DEFAULT.launchSecondsPerLayer());
        ProfileSet set = ProfileEstimates.estimate(spec, device, tensorParallel, ProfileSampler.DEFAULT, options);
        Json.write(out, set);
        PrintWriter pw = this.spec.commandLine().getOut();
        pw.printf("%s on %s: %d estimated profiles -> %s%n", spec.name(), device.name(), set.profiles().size(), out);
        pw.printf("%-40s %3s  %s%n", "unit task", "tp", "sample latencies (roofline)");
        RooflineTaskCosts costs = new RooflineTaskCosts(device, options);
        for (Profile p : set.profiles()) {
            pw.printf("%-40s %3d  %s%n", p.task(), p.tensorParallel(),
                    sample(costs.cost(catalog.unitTask(p.task()), p.tensorParallel())));
        }
        pw.flush();
        return 0;
    }

    private static String sample(TaskCost cost) {
        return switch (cost) {
            case TaskCost.Llm llm -> String.format("decode b=1 ctx=1k %.2f ms, b=64 %.2f ms; prefill 1k tokens %.1f ms",
                    llm.cost().iterationSeconds(0, 0, 1, 1024) * 1e3,
                    llm.cost().iterationSeconds(0, 0, 64, 64 * 1024L) * 1e3,
                    llm.cost().iterationSeconds(1024, 1024L * 1025 / 2, 0, 0) * 1e3);
            case TaskCost.Batch batch -> String.format("batch 1 x 1024 tokens %.2f ms, 16 x 1024 tokens %.2f ms",
                    batch.cost().batchSeconds(1, 1024) * 1e3, batch.cost().batchSeconds(16, 16 * 1024) * 1e3);
            case TaskCost.Diffusion diffusion -> String.format("step 1 x 4096 tokens %.2f ms, 4 x 4096 tokens %.2f ms",
                    diffusion.cost().stepSeconds(1, 4096) * 1e3, diffusion.cost().stepSeconds(4, 4 * 4096) * 1e3);
        };
    }
}
