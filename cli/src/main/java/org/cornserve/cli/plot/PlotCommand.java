package org.cornserve.cli.plot;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cornserve.plots.ResultPlots;
import org.cornserve.plots.figure.Figure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cornserve plot DIR}: draws every figure the result files under DIR allow, as PNG and SVG. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Draw figures (PNG and SVG) from the result files under a folder.",
            "Latency CDFs and stage breakdowns of simulate/replay runs, device allocation of plans, compare.json,"
                + " the headline's results.json, capacity.json sweeps and validation.json."})
public final class PlotCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "folder of results (searched four levels down)")
    Path dir;

    @Option(names = "--out", paramLabel = "DIR", description = "where the figures go (default: DIR/plots)")
    Path out;

    @Override
    public Integer call() {
        Path target = out != null ? out : dir.resolve("plots");
        ResultPlots.Drawn drawn = ResultPlots.draw(dir, target);
        PrintWriter pw = spec.commandLine().getOut();
        if (drawn.figures().isEmpty()) {
            throw new IllegalArgumentException("found no result files to plot under " + dir + " (summary.json with"
                    + " requests.csv, plan.json, compare.json, results.json, capacity.json or validation.json)");
        }
        for (Figure f : drawn.figures()) {
            pw.println("  " + f.stem() + ".png, .svg");
        }
        pw.printf("%d figures (%d files) in %s%n", drawn.figures().size(), drawn.files().size(), target);
        pw.flush();
        return 0;
    }
}
