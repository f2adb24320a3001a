package org.cornserve.cli.trace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceSource;
import org.cornserve.traces.transform.RateModulation;
import org.cornserve.traces.transform.Transforms;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cornserve trace transform INPUT... --out OUT [--weights ...] [--window A:B] [--rate R] [--first N]}. */
@Command(name = "transform", mixinStandardHelpOptions = true,
        description = {"Mix, window, rescale and cut traces (streaming).", "Steps, in this order:",
            "  1. several INPUTs are mixed: with --weights (or --mix) each is rescaled to its weight's share of the total rate",
            "     (the sum of their own rates, or --rate), then all are merged in time order;",
            "  2. --window A:B keeps arrivals in [A, B) s and shifts A to 0;",
            "  3. --rate R rescales arrival times so the trace runs at R requests/s (requests / duration);",
            "  4. --modulate T:M,... multiplies the rate by M from T s on (a time warp that keeps the requests: bursts);",
            "  5. --scale-tokens X multiplies text and output tokens by X.",
            "  6. --first N keeps the first N requests."})
public final class TraceTransformCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Input trace(s).")
    List<Path> inputs;

    @Option(names = "--format", defaultValue = "jsonl", description = "Format of the inputs (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", required = true, paramLabel = "OUT.jsonl", description = "Output file ('-' for standard output).")
    Path out;

    @Option(names = "--weights", split = ",", description = "Mix weights, one per INPUT (e.g. 0.7,0.3).")
    List<Double> weights;

    @Option(names = "--apps", split = ",", description = "App names, one per INPUT, given to its records.")
    List<String> apps;

    @Option(names = "--mix", paramLabel = "FILE:WEIGHT[:APP]",
            description = "Another trace to mix in with this weight (and app name); repeatable. INPUTs weigh 1 unless --weights.")
    List<String> mix;

    @Option(names = "--window", description = "START:END seconds to keep (shifted to start at 0).")
    String window;

    @Option(names = "--rate", description = "Target rate in requests per second.")
    Double rate;

    @Option(names = "--modulate", paramLabel = "T:M[,T:M...]", description = "Multiply the arrival rate by M from T"
            + " seconds on (the first T is 0), e.g. 0:1,60:5,120:1 for a 5x burst from 60 s to 120 s.")
    String modulate;

    @Option(names = "--first", description = "Keep only the first N requests.")
    Long first;

    @Option(names = "--scale-tokens", paramLabel = "X", description = "Multiply text and output tokens by X (at least"
            + " 1 each): a real trace's arrivals and length mix, sized for a slower machine.")
    Double scaleTokens;

    @Option(names = "--skip-bad", description = "Skip and count bad input lines instead of stopping at the first.")
    boolean skipBad;

    /** Parses {@code FILE:WEIGHT[:APP]}. */
    private Transforms.Component mixEntry(TraceFormat f, String entry) {
        String[] parts = entry.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isBlank()) {
            throw new IllegalArgumentException("--mix wants FILE:WEIGHT[:APP], got '" + entry + "'");
        }
        double weight;
        try {
            weight = Double.parseDouble(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--mix " + entry + ": weight is not a number: '" + parts[1] + "'");
        }
        ReadOptions options = ReadOptions.defaults().withSkipBad(skipBad)
                .withApp(parts.length == 3 && !parts[2].isBlank() ? parts[2] : null);
        return new Transforms.Component(f.source(Path.of(parts[0]), options), weight);
    }

    @Override
    public Integer call() throws Exception {
        TraceFormat f = TraceFormat.byName(format);
        if (apps != null && apps.size() != inputs.size()) {
            throw new IllegalArgumentException("--apps needs one name per INPUT: " + inputs.size() + " inputs, "
                    + apps.size() + " names");
        }
        if (weights != null && weights.size() != inputs.size()) {
            throw new IllegalArgumentException("--weights needs one weight per INPUT: " + inputs.size() + " inputs, "
                    + weights.size() + " weights");
        }
        List<TraceSource> sources = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            ReadOptions options = ReadOptions.defaults().withSkipBad(skipBad).withApp(apps == null ? null : apps.get(i));
            sources.add(f.source(inputs.get(i), options));
        }
        TraceSource source;
        if (weights != null || mix != null) {
            List<Transforms.Component> components = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                components.add(new Transforms.Component(sources.get(i), weights == null ? 1 : weights.get(i)));
            }
            for (String entry : mix == null ? List.<String>of() : mix) {
                components.add(mixEntry(f, entry));
            }
            source = Transforms.mix(components, window == null && rate != null ? rate : 0);
        } else {
            source = sources.size() == 1 ? sources.get(0) : Transforms.merge(sources);
        }
        if (window != null) {
            double[] w = TraceCliSupport.window(window);
            source = Transforms.window(source, w[0], w[1]);
        }
        if (rate != null) {
            source = Transforms.rescaleToRate(source, rate);
        }
        if (modulate != null) {
            source = RateModulation.parse(modulate).apply(source);
        }
        if (scaleTokens != null) {
            source = Transforms.scaleTokens(source, scaleTokens);
        }
        if (first != null) {
            source = Transforms.first(source, first);
        }
        TraceReader reader = source.open();
        long n = TraceCliSupport.copy(reader, out);
        TraceCliSupport.reportSkipped(spec.commandLine().getErr(), reader);
        spec.commandLine().getErr().printf("wrote %,d requests to %s%n", n, out);
        return 0;
    }
}
