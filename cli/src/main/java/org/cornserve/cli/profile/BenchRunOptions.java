package org.cornserve.cli.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How benchmark result files relate to each other and to the server, for {@code profile replay} and
 * {@code profile calibrate --bench}: {@code --one-server} (served one after another by one server, whose prefix cache
 * carries over), {@code --random-dataset-prompts} (request i sends the same prompt in every run) and the server's
 * front end ahead of the engine ({@code --front-end-ms}, {@code --front-end-us-per-token}).
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

    @Option(names = "--front-end-ms", defaultValue = "0", paramLabel = "MS",
            description = "The server's API front end (one FIFO queue ahead of the engine) holds each request this long"
                    + " (default ${DEFAULT-VALUE}); see --front-end-us-per-token.")
    double frontEndMs;

    @Option(names = "--front-end-us-per-token", defaultValue = "0", paramLabel = "US",
            description = "... plus this many microseconds per prompt token (tokenising, building the request,"
                    + " priming the detokenizer), counted in TTFT and E2E as the client measures them (default"
                    + " ${DEFAULT-VALUE}; 2.5 is vLLM's tokenising and detokenizer priming from published measurements,"
                    + " see BenchReplay.FrontEnd.VLLM_ESTIMATE; calibrate --fit-front-end fits it to a run's TTFTs).")
    double frontEndUsPerToken;

    public boolean oneServer() {
        return oneServer;
    }

    /** The server's front end ahead of the engine ({@link BenchReplay.FrontEnd#NONE} by default). */
    public BenchReplay.FrontEnd frontEnd() {
        return new BenchReplay.FrontEnd(frontEndMs, frontEndUsPerToken);
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
