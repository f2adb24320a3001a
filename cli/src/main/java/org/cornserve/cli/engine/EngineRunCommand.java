package org.cornserve.cli.engine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cornserve.runtime.engine.EngineRunner;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.kernel.Kernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cornserve engine run}: one request through every component of a tiny model, in one process. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run one request through a tiny model's components and write the text, WAV or PNG it produces.")
public final class EngineRunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "tiny-omni, tiny-vl or tiny-image")
    String model;

    @Option(names = "--prompt", required = true, description = "the text prompt")
    String prompt;

    @Option(names = "--image", description = "an image file (PNG, JPEG) for the vision encoder")
    Path image;

    @Option(names = "--audio", description = "a WAV file for the audio encoder (tiny-omni)")
    Path audio;

    @Option(names = "--max-tokens", defaultValue = "32", description = "text tokens to generate at most (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the weights, sampling and noise (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--temperature", defaultValue = "0", description = "0 for greedy decoding (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--size", defaultValue = "256", description = "generated image side in px, tiny-image (default ${DEFAULT-VALUE})")
    int sizePx;

    @Option(names = "--weights", description = "a Hugging Face model directory (config.json, *.safetensors) for the LLM")
    Path weights;

    @Option(names = "--threads", description = "compute threads (default: all processors)")
    Integer threads;

    @Option(names = "--kernels", defaultValue = "auto", description = "auto, scalar or vector (default ${DEFAULT-VALUE})")
    String kernelChoice;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        try (Kernels k = Kernels.create(Kernels.Choice.parse(kernelChoice), n)) {
            EngineRunner runner = new EngineRunner(TinyModels.Model.parse(model), k, seed, weights);
            EngineRunner.RunResult r = runner.run(new EngineRunner.RunRequest(prompt, image, audio, maxTokens, seed,
                    temperature, sizePx, out));
            w.printf("model %s on %s%n", model, k.describe());
            for (String s : r.weightSources()) {
                w.println("weights  " + s);
            }
            for (EngineRunner.ComponentTiming t : r.timings()) {
                w.printf("%-22s %9.1f ms  %s%n", t.component(), t.millis(), t.detail());
            }
            if (r.tokens().length > 0) {
                w.printf("tokens   %d: %s%n", r.tokens().length, java.util.Arrays.toString(r.tokens()));
            }
            for (Path f : r.files()) {
                w.println("wrote    " + f);
            }
        }
        return 0;
    }
}
