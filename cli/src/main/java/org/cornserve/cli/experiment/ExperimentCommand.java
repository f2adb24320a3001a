package org.cornserve.cli.experiment;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cornserve.model.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cornserve experiment run SPEC --out DIR}: experiments written as JSON specs. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Experiments as JSON specs: plans x rates x seeds on the simulator, the runtime or both.",
        subcommands = {ExperimentCommand.Run.class})
public final class ExperimentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code experiment run}. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run an experiment spec (a file, or a built-in one: headline, scaling, sensitivity,"
                    + " validation). The spec's kind picks the runner: sweep (default; each case's row is written when"
                    + " it finishes and a rerun into the same DIR resumes), headline or scaling.")
    public static final class Run implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SPEC", description = "spec file, or headline / scaling / sensitivity /"
                + " validation")
        String specName;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "results folder")
        Path out;

        @Option(names = "--threads", paramLabel = "N", description = {"Cases run side by side on this many threads"
                + " (default: this machine's processors, ${DEFAULT-VALUE} here): a headline's replicates, a sweep's"
                + " simulator cases. Served cases and profiling run one at a time whatever N; 1 runs everything in"
                + " turn."})
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--figures", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = {"a sweep draws its figures into DIR/plots at the end (default on; --no-figures leaves"
                        + " them to a later 'cornserve plot DIR')"})
        boolean figures;

        @Override
        public Integer call() throws Exception {
            PrintWriter pw = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            long t0 = System.nanoTime();
            if (threads < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
            }
            switch (ExperimentRunner.kind(specName)) {
                case "headline" -> {
                    HeadlineCommand.run(ExperimentRunner.read(specName, org.cornserve.experiments.headline.HeadlineSpec.class),
                            out, pw, threads);
                    return 0;
                }
                case "scaling" -> {
                    boolean file = Files.isRegularFile(Path.of(specName));
                    ScalingCommand.run(ExperimentRunner.read(specName, org.cornserve.experiments.scaling.ScalingSpec.class),
                            file ? Path.of("") : org.cornserve.experiments.headline.HeadlineWorkloads.projectRoot(),
                            org.cornserve.model.hardware.HardwareCatalog.builtIn(), out, pw);
                    return 0;
                }
                default -> {
                    // a sweep, below
                }
            }
            ExperimentSpec s = ExperimentRunner.read(specName);
            Path file = Path.of(specName);
            Path dir = Files.isRegularFile(file) ? file.toAbsolutePath().getParent() : null;
            ExperimentRunner runner = new ExperimentRunner(s, dir, out, err, threads).figures(figures);
            runner.run();
            var summary = Json.mapper().readTree(out.resolve("summary.json").toFile());
            pw.printf("%-14s %-18s %6s %-9s %5s %22s %26s %26s%n", "variant", "plan", "rate", "engine", "seeds",
                    "goodput rps", "P99 TTFT ms", "P99 E2E ms");
            for (var g : summary) {
                pw.printf(Locale.ROOT, "%-14s %-18s %6s %-9s %5d %22s %26s %26s%n", g.path("variant").asText(),
                        g.path("plan").asText(),
                        ExperimentRunner.fmt(g.path("rate").asDouble()), g.path("engine").asText(),
                        g.path("seeds").asInt(), iv(g.path("goodput_rps")), iv(g.path("ttft_ms.p99")),
                        iv(g.path("e2e_ms.p99")));
            }
            Path errors = out.resolve("errors.json");
            if (Files.isRegularFile(errors)) {
                pw.printf("%nsimulated against served (the simulation as predicted before each replay), error over"
                        + " seeds: mean [%.0f%% interval]%n", 100 * runner.confidence());
                pw.printf("%-14s %-18s %6s %-14s %5s %26s%n", "variant", "plan", "rate", "metric", "seeds", "error %");
                for (var e : Json.mapper().readTree(errors.toFile())) {
                    var iv = e.path("error");
                    pw.printf(Locale.ROOT, "%-14s %-18s %6s %-14s %5d %26s%n", e.path("variant").asText(),
                            e.path("plan").asText(), ExperimentRunner.fmt(e.path("rate").asDouble()),
                            e.path("metric").asText(), e.path("seeds").asInt(), String.format(Locale.ROOT,
                                    "%+.1f [%+.1f, %+.1f]", 100 * iv.path("mean").asDouble(),
                                    100 * iv.path("low").asDouble(), 100 * iv.path("high").asDouble()));
                }
            }
            pw.printf(Locale.ROOT, "%s: results.jsonl, summary.csv, summary.json, spec.resolved.json%s in %s"
                    + " (%.0f s)%n", s.name(), figures ? ", plots/" : "", out, (System.nanoTime() - t0) / 1e9);
            return 0;
        }

        private static String iv(com.fasterxml.jackson.databind.JsonNode n) {
            return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", n.path("mean").asDouble(), n.path("low").asDouble(),
                    n.path("high").asDouble());
        }
    }
}
