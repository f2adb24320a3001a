package org.cornserve.experiments.headline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cornserve.planner.baseline.Strategies;

/** Intervals over the replicates of the headline's rows: each strategy's capacity, and Cornserve's ratios. */
public final class HeadlineStatistics {
    /** The strategy every ratio is taken for. */
    public static final String CORNSERVE = "cornserve";
    /** Pseudo-strategy of a comparison against the best searched baseline of each replicate. */
    public static final String BEST_BASELINE = "best-baseline";

    private HeadlineStatistics() {}

    /**
     * One strategy over the replicates of a (case, workload, cluster).
     *
     * @param group case | workload | cluster
     * @param strategy strategy
     * @param replicates replicates with a plan
     * @param capacityRps measured capacity on the measurement windows
     * @param estimatedCapacityRps the analytic estimate's capacity
     * @param p99E2eMs P99 end-to-end latency at each replicate's equal load
     * @param plans the distinct plans chosen, in replicate order
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StrategySummary(
            @JsonProperty("group") String group,
            @JsonProperty("strategy") String strategy,
            @JsonProperty("replicates") int replicates,
            @JsonProperty("capacity_rps") Interval capacityRps,
            @JsonProperty("estimated_capacity_rps") Interval estimatedCapacityRps,
            @JsonProperty("p99_e2e_ms") Interval p99E2eMs,
            @JsonProperty("plans") List<String> plans) {}

    /**
     * Cornserve against one strategy: ratios per replicate, summarised as a geometric mean with an interval.
     *
     * @param group case | workload | cluster
     * @param versus the other strategy, or {@code best-baseline}
     * @param capacityRatio Cornserve's capacity over the other's (replicates where both serve load)
     * @param capacityVerdict gain, loss or tie (the interval holds 1)
     * @param tailRatio the other's P99 end-to-end latency over Cornserve's at equal load
     * @param tailVerdict gain (Cornserve lower), loss or tie
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Comparison(
            @JsonProperty("group") String group,
            @JsonProperty("versus") String versus,
            @JsonProperty("capacity_ratio") Interval capacityRatio,
            @JsonProperty("capacity_verdict") String capacityVerdict,
            @JsonProperty("tail_ratio") Interval tailRatio,
            @JsonProperty("tail_verdict") String tailVerdict) {}

    static Map<String, List<HeadlineRunner.Row>> groups(List<HeadlineRunner.Row> rows) {
        Map<String, List<HeadlineRunner.Row>> out = new LinkedHashMap<>();
        for (HeadlineRunner.Row r : rows) {
            out.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    /** Per group and strategy (in the rows' order), the intervals of its figures over replicates. */
    public static List<StrategySummary> strategies(List<HeadlineRunner.Row> rows, double confidence) {
        List<StrategySummary> out = new ArrayList<>();
        for (Map.Entry<String, List<HeadlineRunner.Row>> g : groups(rows).entrySet()) {
            Map<String, List<HeadlineRunner.Row>> byStrategy = new LinkedHashMap<>();
            for (HeadlineRunner.Row r : g.getValue()) {
                byStrategy.computeIfAbsent(r.strategy(), k -> new ArrayList<>()).add(r);
            }
            for (Map.Entry<String, List<HeadlineRunner.Row>> s : byStrategy.entrySet()) {
                List<HeadlineRunner.Row> ok = s.getValue().stream().filter(HeadlineRunner.Row::ok).toList();
                if (ok.isEmpty()) {
                    out.add(new StrategySummary(g.getKey(), s.getKey(), 0, null, null, null, List.of()));
                    continue;
                }
                List<Double> tails = ok.stream().filter(r -> r.equalLoad() != null)
                        .map(r -> r.equalLoad().e2eMs().p99()).toList();
                out.add(new StrategySummary(g.getKey(), s.getKey(), ok.size(),
                        Interval.of(ok.stream().map(HeadlineRunner.Row::capacityRps).toList(), confidence),
                        Interval.of(ok.stream().map(HeadlineRunner.Row::estimatedCapacityRps).toList(), confidence),
                        tails.isEmpty() ? null : Interval.of(tails, confidence),
                        ok.stream().map(HeadlineRunner.Row::plan).distinct().toList()));
            }
        }
        return out;
    }

    /** Cornserve against every other strategy and against the best searched baseline, per group. */
    public static List<Comparison> comparisons(List<HeadlineRunner.Row> rows, double confidence) {
        List<Comparison> out = new ArrayList<>();
        for (Map.Entry<String, List<HeadlineRunner.Row>> g : groups(rows).entrySet()) {
            Map<Integer, Map<String, HeadlineRunner.Row>> byReplicate = new LinkedHashMap<>();
            List<String> others = new ArrayList<>();
            for (HeadlineRunner.Row r : g.getValue()) {
                byReplicate.computeIfAbsent(r.replicate(), k -> new LinkedHashMap<>()).put(r.strategy(), r);
                if (!r.strategy().equals(CORNSERVE) && !others.contains(r.strategy())) {
                    others.add(r.strategy());
                }
            }
            if (g.getValue().stream().noneMatch(r -> r.strategy().equals(CORNSERVE))) {
                continue;
            }
            others.add(BEST_BASELINE);
            for (String other : others) {
                List<Double> capacity = new ArrayList<>();
                List<Double> tail = new ArrayList<>();
                for (Map<String, HeadlineRunner.Row> rep : byReplicate.values()) {
                    HeadlineRunner.Row mine = rep.get(CORNSERVE);
                    Optional<HeadlineRunner.Row> theirs = other.equals(BEST_BASELINE) ? bestBaseline(rep)
                            : Optional.ofNullable(rep.get(other));
                    if (mine == null || !mine.ok() || theirs.isEmpty() || !theirs.get().ok()) {
                        continue;
                    }
                    if (mine.capacityRps() > 0 && theirs.get().capacityRps() > 0) {
                        capacity.add(mine.capacityRps() / theirs.get().capacityRps());
                    }
                    if (mine.equalLoad() != null && theirs.get().equalLoad() != null && mine.equalLoad().e2eMs().p99() > 0
                            && theirs.get().equalLoad().e2eMs().p99() > 0) {
                        tail.add(theirs.get().equalLoad().e2eMs().p99() / mine.equalLoad().e2eMs().p99());
                    }
                }
                if (capacity.isEmpty()) {
                    continue;
                }
                Interval c = Interval.ofRatios(capacity, confidence);
                Interval t = tail.isEmpty() ? null : Interval.ofRatios(tail, confidence);
                out.add(new Comparison(g.getKey(), other, c, c.verdict(), t, t == null ? null : t.verdict()));
            }
        }
        return out;
    }

    /** The searched baseline with the highest measured capacity in a replicate. */
    private static Optional<HeadlineRunner.Row> bestBaseline(Map<String, HeadlineRunner.Row> replicate) {
        return replicate.values().stream().filter(r -> Strategies.BASELINES.contains(r.strategy()) && r.ok())
                .max(java.util.Comparator.comparingDouble(HeadlineRunner.Row::capacityRps));
    }
}
