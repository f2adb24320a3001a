package org.cornserve.experiments.headline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The headline results as a Markdown report: per (case, workload, cluster) a table and Cornserve's ratios. */
final class HeadlineSummary {
    private HeadlineSummary() {}

    static String markdown(HeadlineSpec spec, List<HeadlineRunner.Row> rows, String runnerName) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(spec.name()).append(": Cornserve plans against the baselines\n\n");
        sb.append(String.format(Locale.ROOT, "Measured by %s; capacity = highest rate with SLO attainment >= %.2f "
                + "(each run %.0f s of arrivals, %d to %d requests; bisection to %.0f%%); latency percentiles at the lowest "
                + "capacity among the strategies (equal load).%n%n", runnerName, spec.attainment(), spec.runSeconds(),
                spec.requestsPerRun(), spec.maxRequestsPerRun(),
                spec.capacityTolerance() * 100));
        for (HeadlineSpec.CaseSpec c : spec.cases()) {
            if (c.runSeconds() > 0 || c.maxRequestsPerRun() > 0) {
                sb.append(String.format(Locale.ROOT, "Case %s runs %.0f s of arrivals, up to %d requests (trace replayed "
                        + "where it runs out), in capacity, equal-load and ranking runs; SLO %s.%n%n", c.name(),
                        c.runSeconds() > 0 ? c.runSeconds() : spec.runSeconds(),
                        c.maxRequestsPerRun() > 0 ? c.maxRequestsPerRun() : spec.maxRequestsPerRun(), c.slo()));
            }
        }
        Map<String, List<HeadlineRunner.Row>> groups = new LinkedHashMap<>();
        for (HeadlineRunner.Row r : rows) {
            groups.computeIfAbsent(r.caseName() + " | " + r.workload() + " | " + r.gpus() + " GPUs", k -> new ArrayList<>()).add(r);
        }
        double bestThroughput = 0;
        double bestTail = 0;
        String bestThroughputAt = "";
        String bestTailAt = "";
        for (Map.Entry<String, List<HeadlineRunner.Row>> g : groups.entrySet()) {
            sb.append("## ").append(g.getKey()).append("\n\n");
            sb.append("| strategy | devices | est. capacity rps | capacity rps | P99 TTFT ms | P99 TPOT ms | P99 E2E ms | attainment | plan |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|\n");
            HeadlineRunner.Row cornserve = null;
            for (HeadlineRunner.Row r : g.getValue()) {
                if (r.strategy().equals("cornserve") && r.status().equals("ok")) {
                    cornserve = r;
                }
                RunMetrics m = r.equalLoad();
                if (!r.status().equals("ok")) {
                    sb.append("| ").append(r.strategy()).append(" | | | | | | | | ").append(r.status().replace("|", "/")).append(" |\n");
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %s | %s | %s | %s | %s |%n", r.strategy(),
                        r.devices(), r.estimatedCapacityRps(), r.capacityRps(),
                        m == null ? "-" : String.format(Locale.ROOT, "%.0f", m.ttftMs().p99()),
                        m == null ? "-" : String.format(Locale.ROOT, "%.1f", m.tpotMs().p99()),
                        m == null ? "-" : String.format(Locale.ROOT, "%.0f", m.e2eMs().p99()),
                        m == null ? "-" : String.format(Locale.ROOT, "%.3f", m.sloAttainment()), r.plan()));
            }
            if (cornserve != null) {
                List<String> ratios = new ArrayList<>();
                for (HeadlineRunner.Row r : g.getValue()) {
                    if (r == cornserve || !r.status().equals("ok")) {
                        continue;
                    }
                    String capacity = r.capacityRps() > 0
                            ? String.format(Locale.ROOT, "%.2fx", cornserve.capacityRps() / r.capacityRps()) : "inf (baseline serves nothing at the SLO)";
                    String tail = "n/a";
                    if (r.equalLoad() != null && cornserve.equalLoad() != null && cornserve.equalLoad().e2eMs().p99() > 0) {
                        double t = r.equalLoad().e2eMs().p99() / cornserve.equalLoad().e2eMs().p99();
                        tail = String.format(Locale.ROOT, "%.2fx", t);
                        if (t > bestTail) {
                            bestTail = t;
                            bestTailAt = g.getKey() + " vs " + r.strategy();
                        }
                    }
                    if (r.capacityRps() > 0 && cornserve.capacityRps() / r.capacityRps() > bestThroughput) {
                        bestThroughput = cornserve.capacityRps() / r.capacityRps();
                        bestThroughputAt = g.getKey() + " vs " + r.strategy();
                    }
                    ratios.add(r.strategy() + ": capacity " + capacity + ", P99 E2E " + tail + " lower");
                }
                sb.append("\nCornserve vs ").append(String.join("; ", ratios)).append("\n");
            }
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "**Largest gains**: capacity %.2fx (%s); P99 end-to-end latency %.2fx lower (%s). "
                + "The paper reports up to 3.81x throughput and 5.79x lower tail latency.%n", bestThroughput, bestThroughputAt,
                bestTail, bestTailAt));
        return sb.toString();
    }
}
