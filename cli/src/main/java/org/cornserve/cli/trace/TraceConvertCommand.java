package org.cornserve.cli.trace;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cornserve trace convert --format F INPUT --out OUT.jsonl}. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a public trace into the canonical JSON Lines format (streaming).")
public final class TraceConvertCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", required = true,
            description = "Input format: azure-llm, azure-mm, mooncake, burstgpt, servegen (a folder), jsonl.")
    String format;

    @Parameters(index = "0", paramLabel = "INPUT", description = "The trace file (a folder for servegen).")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "OUT.jsonl", description = "Output file ('-' for standard output).")
    Path out;

    @Option(names = "--skip-bad", description = "Skip and count bad lines instead of stopping at the first.")
    boolean skipBad;

    @Option(names = "--app", description = "App name for every record (default: the format's; BurstGPT: its Model column).")
    String app;

    @Option(names = "--image-tokens", defaultValue = "0",
            description = "azure-mm: tokens per image, moved out of ContextTokens (default 0: unknown).")
    int imageTokensEach;

    @Option(names = "--window", defaultValue = "0:3600", description = "servegen: START:END seconds of the day (default ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--seed", defaultValue = "1", description = "servegen: random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        double[] w = TraceCliSupport.window(window);
        ReadOptions options = ReadOptions.defaults().withApp(app).withSkipBad(skipBad).withSeed(seed)
                .withWindow(w[0], w[1]).withImageTokensEach(imageTokensEach);
        TraceFormat f = TraceFormat.byName(format);
        long start = System.nanoTime();
        TraceReader reader = f.open(input, options);
        long n = TraceCliSupport.copy(reader, out);
        double seconds = (System.nanoTime() - start) / 1e9;
        TraceCliSupport.reportSkipped(spec.commandLine().getErr(), reader);
        spec.commandLine().getErr().printf("converted %,d records from %s (%s) to %s in %.2f s (%,.0f records/s)%n",
                n, input, f.formatName(), out, seconds, n / Math.max(seconds, 1e-9));
        return 0;
    }
}
