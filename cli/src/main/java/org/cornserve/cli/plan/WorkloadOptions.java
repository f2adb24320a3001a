package org.cornserve.cli.plan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.planner.Slo;
import org.cornserve.traces.TraceRecord;
import picocli.CommandLine.Option;

/** The workload and latency targets that {@code plan}, {@code compare} and {@code capacity} share (a picocli mixin). */
public final class WorkloadOptions {

    @Option(names = "--trace", required = true, description = "Workload trace (file, or a ServeGen folder).")
    Path trace;

    @Option(names = "--trace-format", description = "Trace format (default: from the path).")
    String traceFormat;

    @Option(names = "--slo", defaultValue = "ttft=2000,tpot=100", description = "Targets in ms: ttft, tpot, e2e; for speech responses ttfa, speech_rtf (ratio), speech_slack"
            + " (default ${DEFAULT-VALUE}).")
    String slo;

    /** The targets, with the given attainment target. */
    Slo targets(double attainment) {
        return Slo.parse(slo, attainment);
    }

    /** The trace's records (a ServeGen folder generated with the seed). */
    List<TraceRecord> records(long seed) throws IOException {
        return PlanCliSupport.readTrace(trace, traceFormat, seed);
    }
}
