package org.cornserve.cli.plan;

import org.cornserve.traces.transform.TraceRuns;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cornserve.simulator.evaluate.RunMetrics;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.Slo;
import org.cornserve.traces.TraceRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve compare --plan A.json --plan B.json ... --trace T [--slo ...] --out DIR}: runs every plan
 * through the simulator on the same trace and tabulates throughput, goodput, SLO attainment, latency
 * percentiles and devices.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Simulate several plans on one trace and compare them.")
public final class CompareCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--plan", required = true, description = "Plan file; repeat for each plan.")
    List<Path> plans;

    @CommandLine.Mixin
    WorkloadOptions workload;

    @Option(names = "--rate", defaultValue = "0", description = "Rescale the trace to this rate (rps); default as recorded.")
    double rate;

    @Option(names = "--requests", defaultValue = "0", description = "Simulate the first N requests only (default all).")
    int requests;

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.HardwareFileOption hardwareFile = new org.cornserve.cli.catalog.HardwareFileOption();

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.ProfilesOption profiles = new org.cornserve.cli.catalog.ProfilesOption();

    @Option(names = "--seed", defaultValue = "1", description = "Seed of request routing and routers (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Folder for compare.csv and compare.json.")
    Path out;

    /** One plan's row. */
    public record Row(
            @JsonProperty("plan") String plan,
            @JsonProperty("file") String file,
            @JsonProperty("strategy") String strategy,
            @JsonProperty("devices") int devices,
            @JsonProperty("rate_rps") double rateRps,
            @JsonProperty("throughput_rps") double throughputRps,
            @JsonProperty("goodput_rps") double goodputRps,
            @JsonProperty("slo_attainment") double sloAttainment,
            @JsonProperty("ttft_ms") RunMetrics.Latency ttftMs,
            @JsonProperty("tpot_ms") RunMetrics.Latency tpotMs,
            @JsonProperty("e2e_ms") RunMetrics.Latency e2eMs) {}

    @Override
    public Integer call() throws Exception {
        Slo targets = workload.targets(Slo.DEFAULT_ATTAINMENT);
        List<TraceRecord> records = workload.records(seed);
        SimulatorPlanRunner runner = new SimulatorPlanRunner(seed, hardwareFile.catalog(), profiles.book());
        List<Row> rows = new ArrayList<>();
        for (Path file : plans) {
            DeploymentPlan plan = hardwareFile.validator().readAndValidate(file).plan();
            List<TraceRecord> workload = workload(records, plan, rate, requests, seed);
            double offered = rate > 0 ? rate : CatalogProblems.meanRate(workload);
            RunMetrics m = runner.run(plan, workload, offered, targets);
            rows.add(new Row(plan.name(), file.toString(), plan.strategy(),
                    plan.deployments().stream().mapToInt(Deployment::devices).sum(), offered, m.throughputRps(),
                    m.goodputRps(), m.sloAttainment(), m.ttftMs(), m.tpotMs(), m.e2eMs()));
        }
        Files.createDirectories(out);
        Json.write(out.resolve("compare.json"), rows);
        Files.writeString(out.resolve("compare.csv"), csv(rows));
        print(spec.commandLine().getOut(), rows);
        return 0;
    }

    /** The trace as the plan serves it: apps routed to the plan's models, optionally rescaled and cut. */
    static List<TraceRecord> workload(List<TraceRecord> records, DeploymentPlan plan, double rate, int requests, long seed) {
        List<TraceRecord> routed = CatalogProblems.routeToModels(records, plan.models(), seed);
        int n = requests > 0 ? Math.min(requests, routed.size()) : routed.size();
        if (rate > 0) {
            return TraceRuns.rescale(routed, rate, n);
        }
        return routed.subList(0, n);
    }

    private static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder("plan,strategy,devices,rate_rps,throughput_rps,goodput_rps,slo_attainment");
        for (String m : List.of("ttft", "tpot", "e2e")) {
            for (String p : List.of("mean", "p50", "p90", "p95", "p99")) {
                sb.append(',').append(m).append("_ms_").append(p);
            }
        }
        sb.append('\n');
        for (Row r : rows) {
            sb.append('"').append(r.plan().replace("\"", "\"\"")).append("\",").append(r.strategy()).append(',')
                    .append(r.devices());
            for (double v : new double[] {r.rateRps(), r.throughputRps(), r.goodputRps(), r.sloAttainment()}) {
                sb.append(',').append(String.format(Locale.ROOT, "%.4f", v));
            }
            for (RunMetrics.Latency l : List.of(r.ttftMs(), r.tpotMs(), r.e2eMs())) {
                for (double v : new double[] {l.mean(), l.p50(), l.p90(), l.p95(), l.p99()}) {
                    sb.append(',').append(String.format(Locale.ROOT, "%.3f", v));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private void print(PrintWriter pw, List<Row> rows) {
        pw.printf("%-44s %-14s %7s %9s %9s %9s %7s %9s %9s %9s %9s%n", "plan", "strategy", "devices", "rate", "tput",
                "goodput", "attain", "TTFT p50", "TTFT p99", "TPOT p99", "E2E p99");
        for (Row r : rows) {
            pw.printf(Locale.ROOT, "%-44s %-14s %7d %9.2f %9.2f %9.2f %7.3f %9.1f %9.1f %9.2f %9.1f%n", r.plan(),
                    r.strategy(), r.devices(), r.rateRps(), r.throughputRps(), r.goodputRps(), r.sloAttainment(),
                    r.ttftMs().p50(), r.ttftMs().p99(), r.tpotMs().p99(), r.e2eMs().p99());
        }
        pw.printf("results in %s%n", out);
        pw.flush();
    }
}
