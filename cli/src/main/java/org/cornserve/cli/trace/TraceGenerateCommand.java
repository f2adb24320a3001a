package org.cornserve.cli.trace;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.generate.InterArrivals;
import org.cornserve.traces.generate.MultimodalMix;
import org.cornserve.traces.generate.ShapeSampler;
import org.cornserve.traces.generate.SyntheticTraceGenerator;
import org.cornserve.traces.generate.TokenDistribution;
import org.cornserve.traces.servegen.ServeGenPool;
import org.cornserve.traces.servegen.ServeGenTraceGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cornserve trace generate (poisson|gamma|mm|servegen) ... --out OUT.jsonl}. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a synthetic trace (seeded).",
        subcommands = {
            TraceGenerateCommand.Poisson.class,
            TraceGenerateCommand.GammaArrivals.class,
            TraceGenerateCommand.Multimodal.class,
            TraceGenerateCommand.ServeGen.class,
        })
public final class TraceGenerateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every synthetic generator takes. */
    static final class Common {
        @Option(names = "--out", required = true, paramLabel = "OUT.jsonl", description = "Output file ('-' for standard output).")
        Path out;

        @Option(names = "--rate", required = true, description = "Mean arrival rate, requests per second.")
        double rate;

        @Option(names = "--duration", description = "Seconds of trace to generate.")
        Double durationS;

        @Option(names = "--count", description = "Requests to generate.")
        Long count;

        @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--app", defaultValue = TraceRecord.DEFAULT_APP, description = "App name (default ${DEFAULT-VALUE}).")
        String app;

        @Option(names = "--text-tokens", defaultValue = "512",
                description = "Prompt text tokens: N, uniform:A:B, exp:MEAN, lognormal:MEAN:CV, gamma:MEAN:CV, enum:V=P,... (default ${DEFAULT-VALUE}).")
        String textTokens;

        @Option(names = "--output-tokens", defaultValue = "128", description = "Output tokens, same forms (default ${DEFAULT-VALUE}).")
        String outputTokens;

        int run(CommandLine.Model.CommandSpec spec, SyntheticTraceGenerator.GapFactory gaps, ShapeSampler.Factory shapes)
                throws Exception {
            if (durationS == null && count == null) {
                throw new IllegalArgumentException("give --duration SECONDS or --count N (or both)");
            }
            TraceReader reader = new SyntheticTraceGenerator(gaps, shapes, app, count == null ? Long.MAX_VALUE : count,
                    durationS == null ? Double.POSITIVE_INFINITY : durationS, seed);
            long n = TraceCliSupport.copy(reader, out);
            spec.commandLine().getErr().printf("generated %,d requests to %s%n", n, out);
            return 0;
        }

        ShapeSampler.Factory textShapes() {
            return ShapeSampler.text(new TokenDistribution(textTokens), new TokenDistribution(outputTokens));
        }
    }

    @Command(name = "poisson", mixinStandardHelpOptions = true, description = "Poisson arrivals (exponential gaps).")
    static final class Poisson implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            return common.run(spec, random -> InterArrivals.poisson(random, common.rate), common.textShapes());
        }
    }

    @Command(name = "gamma", mixinStandardHelpOptions = true,
            description = "Gamma-distributed gaps with a given coefficient of variation (cv > 1: bursty).")
    static final class GammaArrivals implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--cv", required = true, description = "Coefficient of variation of the gaps.")
        double cv;

        @Override
        public Integer call() throws Exception {
            return common.run(spec, random -> InterArrivals.gamma(random, common.rate, cv), common.textShapes());
        }
    }

    @Command(name = "mm", mixinStandardHelpOptions = true,
            description = "A multimodal mix: shares of requests with images, audio, video; items and tokens each.")
    static final class Multimodal implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--cv", defaultValue = "1", description = "Gap coefficient of variation; 1 = Poisson (default ${DEFAULT-VALUE}).")
        double cv;

        @Option(names = "--image-share", defaultValue = "0", description = "Share of requests with images (default ${DEFAULT-VALUE}).")
        double imageShare;

        @Option(names = "--images", defaultValue = "1", description = "Images per such request (distribution, default ${DEFAULT-VALUE}).")
        String images;

        @Option(names = "--image-tokens", defaultValue = "576", description = "Tokens per image (distribution, default ${DEFAULT-VALUE}).")
        String imageTokens;

        @Option(names = "--audio-share", defaultValue = "0", description = "Share of requests with audio (default ${DEFAULT-VALUE}).")
        double audioShare;

        @Option(names = "--audio-items", defaultValue = "1", description = "Audio clips per such request (default ${DEFAULT-VALUE}).")
        String audioItems;

        @Option(names = "--audio-tokens", defaultValue = "250", description = "Tokens per audio clip (default ${DEFAULT-VALUE}).")
        String audioTokens;

        @Option(names = "--video-share", defaultValue = "0", description = "Share of requests with video (default ${DEFAULT-VALUE}).")
        double videoShare;

        @Option(names = "--video-items", defaultValue = "1", description = "Videos per such request (default ${DEFAULT-VALUE}).")
        String videoItems;

        @Option(names = "--video-tokens", defaultValue = "2048", description = "Tokens per video (default ${DEFAULT-VALUE}).")
        String videoTokens;

        @Option(names = "--image-out-share", defaultValue = "0", description = "Share asking for an image back (default ${DEFAULT-VALUE}).")
        double imageOutShare;

        @Option(names = "--audio-out-share", defaultValue = "0", description = "Share asking for audio back (default ${DEFAULT-VALUE}).")
        double audioOutShare;

        @Override
        public Integer call() throws Exception {
            MultimodalMix mix = new MultimodalMix(new TokenDistribution(common.textTokens),
                    new TokenDistribution(common.outputTokens),
                    new MultimodalMix.Medium(imageShare, new TokenDistribution(images), new TokenDistribution(imageTokens)),
                    new MultimodalMix.Medium(audioShare, new TokenDistribution(audioItems), new TokenDistribution(audioTokens)),
                    new MultimodalMix.Medium(videoShare, new TokenDistribution(videoItems), new TokenDistribution(videoTokens)),
                    imageOutShare, audioOutShare);
            SyntheticTraceGenerator.GapFactory gaps = cv == 1
                    ? random -> InterArrivals.poisson(random, common.rate)
                    : random -> InterArrivals.gamma(random, common.rate, cv);
            return common.run(spec, gaps, mix);
        }
    }

    @Command(name = "servegen", mixinStandardHelpOptions = true,
            description = "Generate from a ServeGen folder of per-client distributions (as ServeGen does).")
    static final class ServeGen implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FOLDER", description = "Folder of chunk-i-trace.csv and chunk-i-dataset.json.")
        Path folder;

        @Option(names = "--out", required = true, paramLabel = "OUT.jsonl", description = "Output file ('-' for standard output).")
        Path out;

        @Option(names = "--window", defaultValue = "0:3600", description = "START:END seconds of the day (default ${DEFAULT-VALUE}).")
        String window;

        @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--app", defaultValue = TraceRecord.DEFAULT_APP, description = "App name (default ${DEFAULT-VALUE}).")
        String app;

        @Override
        public Integer call() throws Exception {
            double[] w = TraceCliSupport.window(window);
            TraceReader reader = new ServeGenTraceGenerator(ServeGenPool.load(folder), w[0], w[1], seed, app);
            long n = TraceCliSupport.copy(reader, out);
            spec.commandLine().getErr().printf("generated %,d requests from %s (window %s s) to %s%n", n, folder, window, out);
            return 0;
        }
    }
}
