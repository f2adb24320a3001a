package org.cornserve.cli.experiment;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cornserve.experiments.headline.HeadlineRunner;
import org.cornserve.experiments.headline.HeadlineSpec;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve headline --spec experiments/headline.json --out DIR}: the headline experiment (every
 * strategy's plan per case, cluster and workload; capacity at the SLO and tail latency at equal load, in the
 * simulator).
 */
@Command(name = "headline", mixinStandardHelpOptions = true,
        description = "Run the headline experiment: Cornserve's plans against the baselines in the simulator.")
public final class HeadlineCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--spec", defaultValue = "experiments/headline.json", description = "Experiment spec (default ${DEFAULT-VALUE}).")
    Path specFile;

    @Option(names = "--case", description = "Run only the named cases (repeatable).")
    List<String> cases;

    @Option(names = "--gpus", description = "Run only these cluster sizes (repeatable).")
    List<Integer> gpus;

    @Option(names = "--seeds", split = ",", description = "Replicate seeds, overriding the spec's (comma-separated).")
    List<Long> seeds;

    @Option(names = "--out", required = true, description = "Results folder.")
    Path out;

    @Option(names = "--threads", description = "Replicates run side by side on this many threads (default: this "
            + "machine's processors, ${DEFAULT-VALUE}); the results do not depend on it.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        boolean embedded = !Files.exists(specFile) && specFile.equals(Path.of("experiments/headline.json"));
        if (!Files.exists(specFile) && !embedded) {
            throw new IllegalArgumentException("experiment spec " + specFile + " does not exist");
        }
        HeadlineSpec s = embedded ? org.cornserve.model.json.Json.readResource(
                "/org/cornserve/experiments/specs/headline.json", HeadlineSpec.class) : HeadlineSpec.read(specFile);
        if (cases != null) {
            List<HeadlineSpec.CaseSpec> kept = s.cases().stream().filter(c -> cases.contains(c.name())).toList();
            if (kept.isEmpty()) {
                throw new IllegalArgumentException("no case named " + cases + "; known: "
                        + s.cases().stream().map(HeadlineSpec.CaseSpec::name).toList());
            }
            s = s.withCases(kept);
        }
        if (gpus != null) {
            s = s.withGpus(gpus);
        }
        if (seeds != null && !seeds.isEmpty()) {
            s = s.withSeeds(seeds);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        run(s, out, spec.commandLine().getOut(), threads);
        return 0;
    }

    /**
     * Runs a headline spec in the simulator into {@code out} (also {@code experiment run} of a headline spec), its
     * replicates on {@code threads} threads.
     */
    static void run(HeadlineSpec s, Path out, PrintWriter pw, int threads) throws java.io.IOException {
        long start = System.nanoTime();
        new HeadlineRunner(s, SimulatorPlanRunner::new, "the discrete-event simulator", pw, threads).run(out);
        pw.printf("headline experiment done in %.0f s; see %s%n", (System.nanoTime() - start) / 1e9,
                out.resolve("summary.md"));
        pw.flush();
    }
}
