package org.cornserve.cli.experiment;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cornserve.experiments.scaling.ScalingRunner;
import org.cornserve.experiments.scaling.ScalingSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve scaling --spec experiments/scaling.json --out DIR}: static and autoscaled plans on a bursty
 * (rate-modulated) trace in the simulator: P99 latency, SLO attainment, GPU-hours.
 */
@Command(name = "scaling", mixinStandardHelpOptions = true,
        description = "Run the scaling experiment: static and autoscaled plans on a bursty trace in the simulator.")
public final class ScalingCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--spec", defaultValue = "experiments/scaling.json",
            description = "Experiment spec (default ${DEFAULT-VALUE}); relative paths in it resolve against the current folder.")
    Path specFile;

    @CommandLine.Mixin
    org.cornserve.cli.catalog.HardwareFileOption hardwareFile = new org.cornserve.cli.catalog.HardwareFileOption();

    @Option(names = "--out", required = true, description = "Results folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        boolean embedded = !Files.exists(specFile) && specFile.equals(Path.of("experiments/scaling.json"));
        if (!Files.exists(specFile) && !embedded) {
            throw new IllegalArgumentException("experiment spec " + specFile + " does not exist");
        }
        // the embedded spec names plans and traces relative to the clone's root
        ScalingSpec s = embedded ? org.cornserve.model.json.Json.readResource(
                "/org/cornserve/experiments/specs/scaling.json", ScalingSpec.class) : ScalingSpec.read(specFile);
        Path base = embedded ? org.cornserve.experiments.headline.HeadlineWorkloads.projectRoot() : Path.of("");
        run(s, base, hardwareFile.catalog(), out, spec.commandLine().getOut());
        return 0;
    }

    /**
     * Runs a scaling spec in the simulator into {@code out} (also {@code experiment run} of a scaling spec).
     *
     * @param base the folder the spec's relative plan and trace paths resolve against
     */
    static void run(ScalingSpec s, Path base, org.cornserve.model.hardware.HardwareCatalog hardware, Path out,
            PrintWriter pw) throws java.io.IOException {
        long start = System.nanoTime();
        new ScalingRunner(s, base, hardware, pw).run(out);
        pw.printf("scaling experiment done in %.0f s; see %s%n", (System.nanoTime() - start) / 1e9,
                out.resolve("summary.md"));
        pw.flush();
    }
}
