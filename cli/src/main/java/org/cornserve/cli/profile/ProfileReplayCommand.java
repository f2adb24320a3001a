package org.cornserve.cli.profile;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cornserve.cli.catalog.HardwareFileOption;
import org.cornserve.model.plan.ResolvedPlan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve profile replay --bench RESULT.json --plan P}: replays benchmark runs in the simulator as their
 * client sent them ({@link BenchReplay}) and prints each published statistic beside the simulated one, with no
 * fitting: the check of a hardware kind's profile (estimated, or calibrated with {@code --hardware-file}) against a
 * run it was not fitted to.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay vllm bench serve runs in the simulator as their client sent them (max_concurrency,"
                + " request_rate) and print published against simulated statistics."})
public final class ProfileReplayCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bench", required = true, paramLabel = "RESULT.json",
            description = "vllm bench serve --save-result JSON (repeatable).")
    List<Path> bench = new ArrayList<>();

    @Option(names = "--plan", required = true, paramLabel = "PLAN.json", description = "The plan the runs were served by.")
    Path plan;

    @CommandLine.Mixin
    BenchRunOptions runOptions = new BenchRunOptions();

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the replay (default ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Mixin
    HardwareFileOption hardwareFile = new HardwareFileOption();

    @Override
    public Integer call() throws Exception {
        ResolvedPlan resolved = hardwareFile.validator().readAndValidate(plan);
        List<BenchRun> runs = runOptions.read(bench);
        String kind = resolved.deployments().get(0).hardware().name();
        List<Map<String, Double>> simulated = new BenchCalibration(resolved.plan(), hardwareFile.catalog(), kind, seed, 1)
                .oneServer(runOptions.oneServer())
                .frontEnd(runOptions.frontEnd()).simulated(runs, hardwareFile.catalog().get(kind));
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "  %-22s %12s %12s %8s  %s%n", "statistic", "published", "simulated", "error", "run");
        for (int r = 0; r < runs.size(); r++) {
            Map<String, Double> sim = simulated.get(r);
            BenchRun run = runs.get(r);
            run.statistics().forEach((k, v) -> pw.printf(Locale.ROOT, "  %-22s %12.2f %12.2f %7.1f%%  %s%n", k, v,
                    sim.get(k), 100 * (sim.get(k) / v - 1), run.source()));
        }
        pw.flush();
        return 0;
    }
}
