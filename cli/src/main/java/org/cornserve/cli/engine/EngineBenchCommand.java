package org.cornserve.cli.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.cornserve.runtime.engine.bench.EngineBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cornserve engine bench}: matmul GFLOP/s, tiny-LLM tokens/s and vision-encoder images/s. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure matrix-multiply GFLOP/s (scalar and vector), tiny-LLM tokens/s and encoder images/s.")
public final class EngineBenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--threads", description = "compute threads (default: all processors)")
    Integer threads;

    @Option(names = "--sizes", split = ",", defaultValue = "1024,4096", description = "square matmul sizes (default ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @Option(names = "--batches", split = ",", defaultValue = "1,32", description = "LLM decode batch sizes (default ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--images", defaultValue = "4", description = "images per encoder batch (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--repeats", defaultValue = "3", description = "timed runs per figure, best kept (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--no-scalar", description = "skip the scalar matmul (slow at 4096)")
    boolean noScalar;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        EngineBench.Options o = new EngineBench.Options(n, sizes, batches, images, Math.max(1, repeats), !noScalar);
        EngineBench.Report r = EngineBench.run(o, json ? s -> { } : s -> {
            w.println(s);
            w.flush();
        });
        if (json) {
            w.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        }
        return 0;
    }
}
