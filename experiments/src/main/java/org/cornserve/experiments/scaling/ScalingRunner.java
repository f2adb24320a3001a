package org.cornserve.experiments.scaling;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.ScalingReport;
import org.cornserve.simulator.engine.SimScaling;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.plan.PlanScaling;
import org.cornserve.simulator.plan.PlanSimConfigs;
import org.cornserve.simulator.plan.TraceWorkload;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceSource;
import org.cornserve.traces.transform.RateModulation;
import org.cornserve.traces.transform.Transforms;

/**
 * Runs every variant of a {@link ScalingSpec} on the same rate-modulated trace in the simulator (each with its
 * plan's {@code autoscale}, if any) and writes {@code results.json}, {@code summary.md} and {@code replicas.csv}
 * (devices held over time per variant and deployment).
 */
public final class ScalingRunner {
    private final ScalingSpec spec;
    private final Path root;
    private final HardwareCatalog hardware;
    private final PrintWriter log;

    /**
     * @param root folder that relative paths in the spec resolve against
     * @param log progress lines, or null
     */
    public ScalingRunner(ScalingSpec spec, Path root, HardwareCatalog hardware, PrintWriter log) {
        this.spec = spec;
        this.root = root;
        this.hardware = hardware;
        this.log = log;
    }

    /**
     * One variant's figures.
     *
     * @param startDevices devices the plan's replicas hold at the start
     * @param peakDevices most devices held at once (replicas starting, up or draining)
     * @param meanDevices device-seconds over the run's span
     */
    public record Row(String variant, String strategy, String note, long requests, long completed, long rejected,
            double sloAttainment, double goodputRps, double ttftP99Ms, double tpotP99Ms, double e2eP50Ms,
            double e2eP99Ms, double gpuHours, int startDevices, int peakDevices, double meanDevices, long scaleUps,
            long scaleDowns, double simulatedSeconds, double wallSeconds) {
    }

    /** The experiment's trace: the ServeGen window at the base rate, rate-modulated. */
    public TraceSource trace() throws IOException {
        String[] w = spec.window().split(":");
        ReadOptions options = ReadOptions.defaults().withSeed(spec.seed()).withApp(spec.app())
                .withWindow(Double.parseDouble(w[0]), Double.parseDouble(w[1]));
        TraceSource base = Transforms.rescaleToRate(TraceFormat.SERVEGEN.source(root.resolve(spec.trace()), options),
                spec.baseRateRps());
        return RateModulation.parse(spec.modulation()).apply(base);
    }

    public List<Row> run(Path out) throws IOException {
        Files.createDirectories(out);
        TraceSource trace = trace();
        List<Row> rows = new ArrayList<>();
        StringBuilder csv = new StringBuilder("variant,deployment,time_s,devices_held,replicas_up\n");
        for (ScalingSpec.Variant v : spec.variants()) {
            DeploymentPlan plan = DeploymentPlan.read(root.resolve(v.plan()));
            ResolvedPlan resolved = new PlanValidator(ModelCatalog.builtIn(), hardware).validate(plan);
            SimConfig config = PlanSimConfigs.of(resolved, hardware, spec.seed(), Slo.parse(spec.slo()), 0);
            SimScaling scaling = PlanScaling.of(resolved, hardware, spec.tolerance(),
                    Math.round(spec.intervalSeconds() * 1e9));
            Simulator sim = new Simulator(config, false, null, scaling, plan.asyncSchedulingOrDefault());
            SimResult r;
            try (TraceWorkload workload = new TraceWorkload(trace, 1, resolved)) {
                r = sim.run(workload);
            }
            ScalingReport report = sim.scalingReport();
            int[] devices = new int[config.deployments().size()];
            int[] held = new int[devices.length];
            int[] up = new int[devices.length];
            int total = 0;
            for (int d = 0; d < devices.length; d++) {
                devices[d] = config.deployments().get(d).devicesPerReplica();
                up[d] = config.deployments().get(d).deployment().replicas();
                held[d] = devices[d] * up[d];
                total += held[d];
                csv.append(String.format(Locale.ROOT, "%s,%s,%.3f,%d,%d%n", v.name(),
                        config.deployments().get(d).deployment().name(), 0.0, held[d], up[d]));
            }
            int start = total;
            int peak = total;
            for (ScalingReport.Change c : report.changes()) {
                int d = c.deployment();
                switch (c.kind()) {
                    case START -> {
                        held[d] += devices[d];
                        total += devices[d];
                    }
                    case UP -> up[d]++;
                    case STOP -> {
                        held[d] -= devices[d];
                        total -= devices[d];
                        up[d]--;
                    }
                }
                peak = Math.max(peak, total);
                csv.append(String.format(Locale.ROOT, "%s,%s,%.3f,%d,%d%n", v.name(),
                        config.deployments().get(d).deployment().name(), c.timeNanos() / 1e9, held[d], up[d]));
            }
            double span = r.simulatedSeconds();
            Row row = new Row(v.name(), plan.strategy(), v.note(), r.requests(), r.completed(), r.rejected(),
                    r.sloAttainment(), r.goodputRps(), p99(r.ttftMs()), p99(r.tpotMs()),
                    r.e2eMs() == null ? Double.NaN : r.e2eMs().p50(), p99(r.e2eMs()), report.gpuHours(), start, peak,
                    span == 0 ? 0 : report.gpuHours() * 3600 / span, report.scaleUps(), report.scaleDowns(),
                    span, r.wallSeconds());
            rows.add(row);
            if (log != null) {
                log.printf(Locale.ROOT, "%s: %d requests, attainment %.3f, P99 E2E %.0f ms, %.2f GPU-hours, "
                        + "%d up / %d down, %.1f wall s%n", v.name(), row.requests(), row.sloAttainment(),
                        row.e2eP99Ms(), row.gpuHours(), row.scaleUps(), row.scaleDowns(), row.wallSeconds());
                log.flush();
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("spec", spec);
        results.put("rows", rows);
        Json.write(out.resolve("results.json"), results);
        Files.writeString(out.resolve("replicas.csv"), csv);
        Files.writeString(out.resolve("summary.md"), summary(rows));
        return rows;
    }

    private static double p99(org.cornserve.simulator.metrics.LatencyStats s) {
        return s == null ? Double.NaN : s.p99();
    }

    String summary(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(spec.name()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Trace: %s window %s at %.1f req/s, rate modulation %s; SLO %s; "
                + "evaluation every %.0f s, tolerance %.2f; seed %d.%n%n", spec.trace(), spec.window(),
                spec.baseRateRps(), spec.modulation(), spec.slo(), spec.intervalSeconds(), spec.tolerance(), spec.seed()));
        sb.append("| variant | requests | SLO attainment | goodput req/s | P99 TTFT ms | P99 TPOT ms | P50 E2E ms"
                + " | P99 E2E ms | GPU-hours | devices start / peak / mean | scale-ups / downs |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT,
                    "| %s | %d | %.4f | %.2f | %.0f | %.1f | %.0f | %.0f | %.3f | %d / %d / %.2f | %d / %d |%n",
                    r.variant(), r.requests(), r.sloAttainment(), r.goodputRps(), r.ttftP99Ms(), r.tpotP99Ms(),
                    r.e2eP50Ms(), r.e2eP99Ms(), r.gpuHours(), r.startDevices(), r.peakDevices(), r.meanDevices(),
                    r.scaleUps(), r.scaleDowns()));
        }
        sb.append('\n');
        for (Row r : rows) {
            if (!r.note().isEmpty()) {
                sb.append("- ").append(r.variant()).append(": ").append(r.note()).append('\n');
            }
        }
        return sb.toString();
    }
}
