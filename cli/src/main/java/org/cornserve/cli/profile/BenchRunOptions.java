package org.cornserve.cli.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How benchmark result files relate to each other and to the server, for {@code profile replay} and
 * {@code profile calibrate --bench}: {@code --one-server} (served one after another by one server, whose prefix cache
 * carries over) and {@code --random-dataset-prompts} (request i sends the same prompt in every run).
 */
public final class BenchRunOptions {
    @Option(names = "--one-server",
            description = "The runs were served one after another by one server, in the order given (calibrate: --bench"
                    + " files, then --validate files); its prefix cache carries over (default: each on a fresh server).")
    boolean oneServer;

    @Option(names = "--random-dataset-prompts",
            description = "The runs used vllm bench serve --dataset-name random with one --seed, so request i sends the"
                    + " same prompt in every run (default: every prompt unique).")
    boolean randomDatasetPrompts;

    public boolean oneServer() {
        return oneServer;
    }

    /** Reads result files, with the random dataset's prompt identity when asked. */
    public List<BenchRun> read(List<Path> files) throws IOException {
        List<BenchRun> runs = new ArrayList<>();
        for (Path p : files) {
            BenchRun run = VllmBenchResult.read(p);
            runs.add(randomDatasetPrompts ? run.withRandomDatasetPrompts() : run);
        }
        return runs;
    }
}
