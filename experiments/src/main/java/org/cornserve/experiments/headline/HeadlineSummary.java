package org.cornserve.experiments.headline;

import org.cornserve.simulator.evaluate.RunMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The headline's {@code summary.md}: one table over every group, then each group's plans and figures. */
public final class HeadlineSummary {
    private HeadlineSummary() {}

    public static String markdown(HeadlineSpec spec, HeadlineRunner.Results results, String runnerName) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(spec.name()).append(": Cornserve plans against the baselines\n\n");
        sb.append(String.format(Locale.ROOT, "Measured by %s; capacity = highest rate with SLO attainment >= %.2f, "
                + "bisected to %.1f%% on the measurement window (each run %.0f s of arrivals, %d to %d requests); "
                + "every strategy planned on the planning window (simulator ranking to %.0f%%, up to %d finalists, "
                + "ranking runs up to %d requests); %s; latency percentiles at each replicate's lowest capacity among "
                + "the strategies (equal load). Replicates: seeds %s; intervals are %.0f%% Student-t over replicates "
                + "(ratios: geometric mean, interval on logarithms); a ratio whose interval holds 1.0 is a tie.%n%n",
                runnerName, spec.attainment(), spec.capacityTolerance() * 100, spec.runSeconds(), spec.requestsPerRun(),
                spec.maxRequestsPerRun(), spec.rankingTolerance() * 100, spec.finalists(), spec.rankingMaxRequests(),
                spec.multiModelEngines() ? "engines may serve several models' LLMs" : "one LLM per engine",
                spec.seeds(), spec.confidence() * 100));
        for (Map.Entry<String, HeadlineSpec.TraceSpec> w : new java.util.TreeMap<>(spec.workloads()).entrySet()) {
            sb.append(String.format(Locale.ROOT, "- workload %s: plans on [%s] s, measured on %s s (replicate k uses "
                    + "window k mod %d)%n", w.getKey(), window(w.getValue().planningWindowS()),
                    w.getValue().measurementWindowsS().stream().map(x -> "[" + window(x) + "]").toList(),
                    w.getValue().measurementWindowsS().size()));
        }
        for (HeadlineSpec.CaseSpec c : spec.cases()) {
            if (c.runSeconds() > 0 || c.maxRequestsPerRun() > 0) {
                sb.append(String.format(Locale.ROOT, "- case %s runs %.0f s of arrivals, up to %d requests (window "
                        + "replayed where it runs out), in capacity, equal-load and ranking runs; SLO %s%n", c.name(),
                        c.runSeconds() > 0 ? c.runSeconds() : spec.runSeconds(),
                        c.maxRequestsPerRun() > 0 ? c.maxRequestsPerRun() : spec.maxRequestsPerRun(), c.slo()));
            }
        }
        sb.append('\n');
        List<String> strategies = spec.strategies();
        sb.append("| case / workload / GPUs | ");
        for (String s : strategies) {
            sb.append(s).append(s.equals(HeadlineStatistics.CORNSERVE) ? " (est.)" : "").append(" | ");
        }
        sb.append("cornserve vs best baseline | cornserve vs monolithic-fixed | P99 E2E best baseline / cornserve |\n|---|");
        sb.append("---|".repeat(strategies.size() + 3)).append('\n');
        Map<String, List<HeadlineRunner.Row>> groups = HeadlineStatistics.groups(results.rows());
        for (String g : groups.keySet()) {
            sb.append("| ").append(g.replace(" | ", " / ")).append(" | ");
            for (String s : strategies) {
                Optional<HeadlineStatistics.StrategySummary> sum = summary(results, g, s);
                if (sum.isEmpty() || sum.get().capacityRps() == null) {
                    sb.append("n/a | ");
                    continue;
                }
                sb.append(plusMinus(sum.get().capacityRps()));
                if (s.equals(HeadlineStatistics.CORNSERVE)) {
                    sb.append(String.format(Locale.ROOT, " (%.1f)", sum.get().estimatedCapacityRps().mean()));
                }
                sb.append(" | ");
            }
            Optional<HeadlineStatistics.Comparison> best = comparison(results, g, HeadlineStatistics.BEST_BASELINE);
            sb.append(best.map(c -> ratio(c.capacityRatio(), c.capacityVerdict())).orElse("-")).append(" | ");
            sb.append(comparison(results, g, "monolithic-fixed").map(c -> ratio(c.capacityRatio(), c.capacityVerdict()))
                    .orElse("-")).append(" | ");
            sb.append(best.filter(c -> c.tailRatio() != null).map(c -> ratio(c.tailRatio(), c.tailVerdict()))
                    .orElse("-")).append(" |\n");
        }
        sb.append("\nCapacities in requests per second, mean ± half-width of the interval; ratios as geometric mean "
                + "[interval] and verdict; the tail ratio is the best baseline's P99 end-to-end latency over "
                + "Cornserve's at equal load.\n\n");
        for (Map.Entry<String, List<HeadlineRunner.Row>> g : groups.entrySet()) {
            sb.append("## ").append(g.getKey()).append("\n\n");
            sb.append("| strategy | seed | planning window | measurement window | devices | est. capacity rps | planning-window "
                    + "capacity rps | capacity rps | P99 TTFT ms | P99 TPOT ms | P99 E2E ms | attainment | plan |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (HeadlineRunner.Row r : g.getValue()) {
                if (!r.ok()) {
                    sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | | | | | | | | | %s |%n", r.strategy(), r.seed(),
                            window(r.planningWindowS()), window(r.measurementWindowS()), r.status().replace("|", "/")));
                    continue;
                }
                RunMetrics m = r.equalLoad();
                sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %.2f | %s | %.2f | %s | %s | %s | %s | %s |%n",
                        r.strategy(), r.seed(), window(r.planningWindowS()), window(r.measurementWindowS()), r.devices(),
                        r.estimatedCapacityRps(), r.planningCapacityRps() == null ? "-"
                                : String.format(Locale.ROOT, "%.2f", r.planningCapacityRps()), r.capacityRps(),
                        m == null ? "-" : String.format(Locale.ROOT, "%.0f", m.ttftMs().p99()),
                        m == null ? "-" : String.format(Locale.ROOT, "%.1f", m.tpotMs().p99()),
                        m == null ? "-" : String.format(Locale.ROOT, "%.0f", m.e2eMs().p99()),
                        m == null ? "-" : String.format(Locale.ROOT, "%.3f", m.sloAttainment()), r.plan()));
            }
            List<String> lines = new ArrayList<>();
            for (HeadlineStatistics.Comparison c : results.comparisons()) {
                if (c.group().equals(g.getKey())) {
                    lines.add(c.versus() + ": capacity " + ratio(c.capacityRatio(), c.capacityVerdict())
                            + (c.tailRatio() == null ? "" : ", P99 E2E lower by " + ratio(c.tailRatio(), c.tailVerdict())));
                }
            }
            if (!lines.isEmpty()) {
                sb.append("\nCornserve vs ").append(String.join("; ", lines)).append("\n");
            }
            sb.append('\n');
        }
        HeadlineStatistics.Comparison bestCapacity = null;
        HeadlineStatistics.Comparison bestTail = null;
        for (HeadlineStatistics.Comparison c : results.comparisons()) {
            if (c.versus().equals(HeadlineStatistics.BEST_BASELINE)) {
                continue;
            }
            if (c.capacityVerdict().equals("gain") && (bestCapacity == null
                    || c.capacityRatio().mean() > bestCapacity.capacityRatio().mean())) {
                bestCapacity = c;
            }
            if ("gain".equals(c.tailVerdict()) && (bestTail == null || c.tailRatio().mean() > bestTail.tailRatio().mean())) {
                bestTail = c;
            }
        }
        sb.append("**Largest gains whose interval excludes 1.0**: capacity ")
                .append(bestCapacity == null ? "none" : ratio(bestCapacity.capacityRatio(), "") + " (" + bestCapacity.group()
                        + " vs " + bestCapacity.versus() + ")")
                .append("; P99 end-to-end latency lower by ")
                .append(bestTail == null ? "none" : ratio(bestTail.tailRatio(), "") + " (" + bestTail.group() + " vs "
                        + bestTail.versus() + ")")
                .append(". The paper reports up to 3.81x throughput and 5.79x lower tail latency.\n");
        return sb.toString();
    }

    private static Optional<HeadlineStatistics.StrategySummary> summary(HeadlineRunner.Results r, String group, String s) {
        return r.strategies().stream().filter(x -> x.group().equals(group) && x.strategy().equals(s)).findFirst();
    }

    private static Optional<HeadlineStatistics.Comparison> comparison(HeadlineRunner.Results r, String group, String versus) {
        return r.comparisons().stream().filter(x -> x.group().equals(group) && x.versus().equals(versus)).findFirst();
    }

    static String plusMinus(Interval i) {
        return String.format(Locale.ROOT, i.mean() < 10 ? "%.2f ±%.2f" : "%.1f ±%.1f", i.mean(), (i.high() - i.low()) / 2);
    }

    static String ratio(Interval i, String verdict) {
        return String.format(Locale.ROOT, "%.2fx [%.2f, %.2f]%s", i.mean(), i.low(), i.high(),
                verdict.isEmpty() ? "" : " " + verdict);
    }

    private static String window(List<Double> w) {
        return String.format(Locale.ROOT, "%.0f, %.0f", w.get(0), w.get(1));
    }
}
