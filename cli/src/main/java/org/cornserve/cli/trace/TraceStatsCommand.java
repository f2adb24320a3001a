package org.cornserve.cli.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.stats.TraceStats;
import org.cornserve.traces.stats.TraceSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cornserve trace stats FILE [--json]}. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Summarise a trace: requests, duration, rate, inter-arrival CV, tokens per modality.")
public final class TraceStatsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The trace.")
    Path file;

    @Option(names = "--format", defaultValue = "jsonl", description = "Format of FILE (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--skip-bad", description = "Skip and count bad lines instead of stopping at the first.")
    boolean skipBad;

    @Override
    public Integer call() throws Exception {
        TraceReader reader = TraceFormat.byName(format).open(file, ReadOptions.defaults().withSkipBad(skipBad));
        TraceSummary s = TraceStats.of(reader);
        TraceCliSupport.reportSkipped(spec.commandLine().getErr(), reader);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
        } else {
            print(out, s);
        }
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, TraceSummary s) {
        out.printf("requests         %,d%n", s.requests());
        out.printf("duration         %.3f s (first arrival at %.3f s)%n", s.durationS(), s.firstArrivalS());
        out.printf("mean rate        %.4f requests/s%n", s.rateRps());
        out.printf("inter-arrival CV %.4f%n", s.interarrivalCv());
        out.printf("%-8s %9s %7s %11s %9s %9s %9s %10s %9s%n", "tokens", "requests", "share", "mean", "p50", "p90",
                "p99", "mean items", "max items");
        for (TraceSummary.ModalityStats m : s.modalities()) {
            out.printf("%-8s %,9d %6.2f%% %11.1f %9d %9d %9d %10.2f %9d%n", m.name(), m.requests(), 100 * m.share(),
                    m.meanTokens(), m.p50Tokens(), m.p90Tokens(), m.p99Tokens(), m.meanItems(), m.maxItems());
        }
        out.print("output shares   ");
        for (Map.Entry<String, Double> e : s.outputModalityShares().entrySet()) {
            out.printf(" %s=%.2f%%", e.getKey(), 100 * e.getValue());
        }
        out.println();
        out.print("apps            ");
        int shown = 0;
        for (Map.Entry<String, Long> e : s.apps().entrySet()) {
            if (shown++ == 10) {
                out.print(" ...");
                break;
            }
            out.printf(" %s=%,d", e.getKey(), e.getValue());
        }
        out.println();
    }
}
