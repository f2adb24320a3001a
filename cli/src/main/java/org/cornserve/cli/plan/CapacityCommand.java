package org.cornserve.cli.plan;

import org.cornserve.traces.transform.TraceRuns;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cornserve.simulator.evaluate.RunMetrics;
import org.cornserve.model.json.Json;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.simulator.evaluate.SteadyState;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.Slo;
import org.cornserve.planner.search.CapacitySearch;
import org.cornserve.traces.TraceRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve capacity --plan P --trace T --slo ...}: the highest rate (the trace rescaled) at which the
 * plan still meets the SLO attainment target in the simulator, in steady state (completions keep up with arrivals
 * over each run's last part: {@link SteadyState}), by bisection.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true,
        description = "Find the highest request rate at which a plan meets its SLO attainment target (simulated).")
public final class CapacityCommand implements Callable<Integer> {
    /**
     * Seconds of arrivals in a capacity probe by default: five minutes, as the headline's probes, so that the
     * steady-state check sees a slow overload (a minute's backlog of a rate a few percent past capacity is within a
     * stable queue's noise on real traces; experiments/headline.md, first note).
     */
    static final int PROBE_SECONDS = 300;
    /** Most requests in a capacity probe by default (the headline's {@code max_requests_per_run}). */
    static final int PROBE_MAX_REQUESTS = 100_000;
    /** Fewest requests in a capacity probe by default. */
    static final int PROBE_MIN_REQUESTS = 2000;

    /**
     * The requests of a probe at {@code rateRps}: {@code seconds} of arrivals, within {@code [minRequests,
     * maxRequests]}.
     */
    static int probeRequests(double rateRps, double seconds, int minRequests, int maxRequests) {
        return (int) Math.max(minRequests, Math.min(maxRequests, Math.ceil(rateRps * seconds)));
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--plan", required = true, description = "Plan file.")
    Path plan;

    @CommandLine.Mixin
    WorkloadOptions workload;

    @Option(names = "--attainment", defaultValue = "0.9", description = "SLO attainment target (default ${DEFAULT-VALUE}).")
    double attainment;

    @Option(names = "--requests", defaultValue = "" + PROBE_MIN_REQUESTS, description = "Fewest requests per simulated run (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--run-seconds", defaultValue = "" + PROBE_SECONDS,
            description = "Seconds of arrivals per simulated run at its rate (default ${DEFAULT-VALUE}).")
    double runSeconds;

    @Option(names = "--max-requests", defaultValue = "" + PROBE_MAX_REQUESTS, description = "Most requests per simulated run (default ${DEFAULT-VALUE}).")
    int maxRequests;

    @Option(names = "--tolerance", defaultValue = "0.02", description = "Relative bracket width to stop at (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--steady-tail", defaultValue = "0.5", description = "Last part of a run's arrivals over which"
            + " completions must keep up with arrivals, a multiple of 0.05 (default ${DEFAULT-VALUE}).")
    double steadyTail;

    @Option(names = "--max-backlog-growth", defaultValue = "0.03", description = "Most the backlog may grow over that"
            + " part beyond its noise allowance, as a share of its arrivals, for a run to count as sustained; 1 judges"
            + " on attainment alone (default ${DEFAULT-VALUE}).")
    double maxBacklogGrowth;

    @Option(names = "--backlog-noise-sigmas", defaultValue = "2", description = "Standard errors of the growth's noise"
            + " (estimated from each run: what a stable queue of that many requests and that latency shows) added to"
            + " --max-backlog-growth; 0 keeps the fixed bound alone (default ${DEFAULT-VALUE}).")
    double noiseSigmas;

    @Option(names = "--min-tail-requests", defaultValue = "500", description = "Fewest requests that part must offer"
            + " for the steady-state check to apply (default ${DEFAULT-VALUE}).")
    int minTailRequests;

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.HardwareFileOption hardwareFile = new org.cornserve.cli.catalog.HardwareFileOption();

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.ProfilesOption profiles = new org.cornserve.cli.catalog.ProfilesOption();

    @Option(names = "--seed", defaultValue = "1", description = "Seed of request routing and routers (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Write capacity.json (every probe's figures, for"
            + " cornserve plot) to this folder.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Slo targets = workload.targets(attainment);
        SteadyState steady = new SteadyState(steadyTail, maxBacklogGrowth, minTailRequests, noiseSigmas);
        DeploymentPlan p = hardwareFile.validator().readAndValidate(plan).plan();
        List<TraceRecord> records = CatalogProblems.routeToModels(workload.records(seed),
                p.models(), seed);
        double start = startRate(p, records.subList(0, Math.min(requests, records.size())));
        SimulatorPlanRunner runner = new SimulatorPlanRunner(seed, hardwareFile.catalog(), profiles.book());
        PrintWriter pw = spec.commandLine().getOut();
        List<RunMetrics> probes = new ArrayList<>();
        // Runs replay the trace where it runs out; past maxRequests / runSeconds a run would last less than
        // runSeconds (a burst), so the search stops there and says so.
        CapacitySearch.Result r = runner.capacity(p, rate -> TraceRuns.at(records, rate,
                probeRequests(rate, runSeconds, requests, maxRequests)),
                targets, steady, tolerance, 16, start, maxRequests / runSeconds, m -> {
                    probes.add(m);
                    pw.printf(Locale.ROOT, "  %.3f rps: attainment %.3f, backlog growth %.3f over the last %.0f%%"
                            + " (bound %.3f: noise sd %.3f)%s (%d requests)%n", m.rateRps(), m.sloAttainment(),
                            m.backlog().growth(steadyTail), steadyTail * 100, steady.bound(m.backlog()),
                            m.backlog().noise(steadyTail), steady.holds(m) ? "" : " (not steady)", m.requests());
                    pw.flush();
                });
        if (r.capped()) {
            pw.printf(Locale.ROOT, "capacity of %s at SLO %s: at least %.3f rps, the most a run of %d requests over"
                    + " %.0f s can measure (raise --max-requests to go higher; %d simulated runs)%n", p.name(), targets,
                    r.capacityRps(), maxRequests, runSeconds, r.probes().size());
        } else {
            pw.printf(Locale.ROOT, "capacity of %s at SLO %s: %.3f rps (fails at %.3f rps; %d simulated runs)%n",
                    p.name(), targets, r.capacityRps(), r.upperRps(), r.probes().size());
        }
        if (out != null) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("plan", p.name());
            result.put("slo", workload.slo);
            result.put("attainment_target", attainment);
            result.put("steady_state", steady);
            result.put("capacity_rps", r.capacityRps());
            result.put("fails_at_rps", Double.isInfinite(r.upperRps()) ? null : r.upperRps());
            result.put("capped", r.capped());
            result.put("probes", probes);
            Files.createDirectories(out);
            Json.write(out.resolve("capacity.json"), result);
            p.write(out.resolve("plan.json"));
            pw.printf("probes in %s%n", out.resolve("capacity.json"));
        }
        pw.flush();
        return 0;
    }

    /** The planner's estimate when the plan carries one, else the trace's own rate. */
    private static double startRate(DeploymentPlan p, List<TraceRecord> sample) {
        if (p.explanation() != null && p.explanation().path("estimate").path("capacity_rps").asDouble() > 0) {
            return p.explanation().path("estimate").path("capacity_rps").asDouble();
        }
        return CatalogProblems.meanRate(sample);
    }
}
