package org.cornserve.planner.estimate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.PlannedDeployment;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.planner.TaskKind;
import org.cornserve.planner.Unit;

/**
 * The fast analytic estimate of a plan: each deployment a queue on its profile curves
 * ({@link DeploymentModel}), a request's latency the sum of its stages' waits and service times, SLO
 * attainment the fraction of the workload's requests whose targets hold with the waits taken as
 * exponentially distributed, and capacity the highest rate whose attainment reaches the target.
 *
 * <p>Streamed hand-off (an Omni thinker's hidden states to its talker in chunks of
 * {@link EstimatorOptions#streamChunkTokens()}, as the simulator and the runtime serve a plan): the talker starts
 * when its thinker has generated the first chunk (its wait, first token and the decode rounds to the chunk), not
 * when the thinker ends, so time to first audio no longer includes the whole text answer; the talker ends no
 * earlier than its thinker (it takes the rest of the states before it can finish).
 *
 * <p>Per-replica figures are cached per (units, tensor-parallel degree), so a search that meets the same
 * group in many plans pays for it once. Not thread-safe. Deterministic.
 *
 * <p>Cost: {@link #capacityRps} bisects the rate (about 24 steps), each O(deployments x fixed-point
 * iterations + samples x tasks).
 */
public final class AnalyticEstimator {
    private static final int BISECTION_STEPS = 24;

    private final PlanningProblem problem;
    private final EstimatorOptions options;
    private final WorkloadMix mix;
    private final Map<String, DeploymentModel> models = new HashMap<>();
    private final Map<String, Double> replicaCapacity = new HashMap<>();
    private final int[][] stages;
    private final Map<String, AnalyticEstimator> otherKinds = new HashMap<>();

    public AnalyticEstimator(PlanningProblem problem, EstimatorOptions options) {
        this.problem = problem;
        this.options = options;
        this.mix = new WorkloadMix(problem, options.streamChunkTokens());
        TreeMap<Integer, List<Integer>> byStage = new TreeMap<>();
        for (int t = 0; t < mix.tasks.length; t++) {
            byStage.computeIfAbsent(mix.tasks[t].stage(), k -> new ArrayList<>()).add(t);
        }
        stages = byStage.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    public AnalyticEstimator(PlanningProblem problem) {
        this(problem, EstimatorOptions.DEFAULT);
    }

    public PlanningProblem problem() {
        return problem;
    }

    /**
     * Lets plans put deployments on another hardware kind: {@code other} estimates the same models and
     * workload (the same tasks and samples, built for its kind), and a deployment naming its kind is costed by
     * it. Returns this estimator.
     *
     * @throws IllegalArgumentException when the other problem's tasks or samples differ
     */
    public AnalyticEstimator withKind(AnalyticEstimator other) {
        PlanningProblem p = other.problem();
        if (!p.tasks().stream().map(t -> t.id()).toList().equals(problem.tasks().stream().map(t -> t.id()).toList())
                || p.workload().samples().size() != problem.workload().samples().size()
                || p.workload().rateRps() != problem.workload().rateRps()) {
            throw new IllegalArgumentException("hardware kind " + p.cluster().hardware() + ": its problem must have the "
                    + "same tasks and workload as " + problem.cluster().hardware() + "'s");
        }
        otherKinds.put(p.cluster().hardware(), other);
        return this;
    }

    /** The estimator of a hardware kind: this one for the problem's kind, else one added by {@link #withKind}. */
    public AnalyticEstimator forKind(String hardware) {
        if (hardware == null || hardware.equals(problem.cluster().hardware())) {
            return this;
        }
        AnalyticEstimator o = otherKinds.get(hardware);
        if (o == null) {
            throw new IllegalArgumentException("no cost models for hardware " + hardware + "; known: "
                    + problem.cluster().hardware() + " " + otherKinds.keySet());
        }
        return o;
    }

    public EstimatorOptions options() {
        return options;
    }

    private static String key(List<String> unitIds, int tp) {
        return String.join("|", unitIds.stream().sorted().toList()) + "@" + tp;
    }

    DeploymentModel model(List<String> unitIds, int tp) {
        return models.computeIfAbsent(key(unitIds, tp), k -> new DeploymentModel(
                unitIds.stream().map(id -> Unit.resolve(problem, id)).toList(), tp, mix, problem.cluster(), options));
    }

    /** Why a replica of these units on {@code tp} devices does not fit, or empty when it does. */
    public Optional<String> misfit(List<String> unitIds, int tp) {
        return Optional.ofNullable(model(unitIds, tp).misfit);
    }

    /** True when some unit of the group shards over all {@code tp} devices (its task allows that degree). */
    public boolean anyUnitShards(List<String> unitIds, int tp) {
        for (String id : unitIds) {
            if (Unit.resolve(problem, id).task().maxTensorParallel() >= tp) {
                return true;
            }
        }
        return false;
    }

    /**
     * Highest request rate one replica sustains: every batch within its engine limit, and, where the
     * replica decodes for more than {@code 1 - target} of the requests, time per output token within the
     * TPOT target. 0 when the replica does not fit. An upper bound of what the replica can serve at the SLO.
     */
    public double replicaCapacityRps(List<String> unitIds, int tp) {
        return replicaCapacity.computeIfAbsent(key(unitIds, tp), k -> {
            DeploymentModel m = model(unitIds, tp);
            if (!m.fits()) {
                return 0.0;
            }
            double lo = 0;
            double hi = 1;
            while (sustains(m, hi)) {
                lo = hi;
                hi *= 2;
                if (hi > 1e9) {
                    return hi;
                }
            }
            for (int i = 0; i < 40 && hi - lo > 1e-9 * hi; i++) {
                double mid = (lo + hi) / 2;
                if (sustains(m, mid)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return lo;
        });
    }

    private boolean sustains(DeploymentModel m, double rate) {
        DeploymentModel.State s = m.solve(rate);
        if (!s.stable()) {
            return false;
        }
        Slo slo = problem.slo();
        boolean tpotBinding = slo.tpotMs() > 0 && m.hasDecode() && m.multiTokenFraction() > 1 - slo.attainmentTarget();
        return !tpotBinding || m.longestDecodeRoundSeconds(s) * 1e3 <= slo.tpotMs();
    }

    /** Compiled view of a plan: deployment models, replicas and where each task's work goes. */
    private final class Compiled {
        final DeploymentModel[] groups;
        final int[] replicas;
        /** Per task: group and unit of the whole task or the prefill half, and of the decode half (-1 when whole). */
        final int[] group;
        final int[] unit;
        final int[] decodeGroup;
        final int[] decodeUnit;

        Compiled(CandidatePlan plan) {
            int n = plan.deployments().size();
            groups = new DeploymentModel[n];
            replicas = new int[n];
            int tasks = mix.tasks.length;
            group = new int[tasks];
            unit = new int[tasks];
            decodeGroup = new int[tasks];
            decodeUnit = new int[tasks];
            java.util.Arrays.fill(group, -1);
            java.util.Arrays.fill(decodeGroup, -1);
            for (int g = 0; g < n; g++) {
                PlannedDeployment d = plan.deployments().get(g);
                groups[g] = forKind(d.hardware()).model(d.units(), d.tensorParallel());
                if (!groups[g].fits()) {
                    throw new IllegalArgumentException("deployment " + d.name() + " does not fit: " + groups[g].misfit);
                }
                replicas[g] = d.replicas();
                for (int u = 0; u < groups[g].units.size(); u++) {
                    Unit un = groups[g].units.get(u);
                    int t = mix.index(un.task().id());
                    if (un.kind() == TaskKind.DECODE) {
                        decodeGroup[t] = g;
                        decodeUnit[t] = u;
                    } else {
                        group[t] = g;
                        unit[t] = u;
                    }
                }
            }
            for (int t = 0; t < tasks; t++) {
                boolean split = decodeGroup[t] >= 0;
                if (group[t] < 0 || (mix.tasks[t].splittable() && split != (groups[group[t]].units.get(unit[t]).kind() == TaskKind.PREFILL))) {
                    throw new IllegalArgumentException("plan does not place every unit task: " + mix.tasks[t].id()
                            + " is missing or half split");
                }
            }
        }

        double stableRps() {
            double min = Double.POSITIVE_INFINITY;
            for (int g = 0; g < groups.length; g++) {
                min = Math.min(min, replicas[g] * replicaCapacityRps(groups[g].units.stream().map(Unit::id).toList(),
                        groups[g].tensorParallel));
            }
            return min;
        }
    }

    /** Attainment and mean latencies at one rate. */
    private record Snapshot(double attainment, double meanTtftSeconds, double meanE2eSeconds, DeploymentModel.State[] states) {}

    private Snapshot at(Compiled c, double rate) {
        int n = c.groups.length;
        DeploymentModel.State[] states = new DeploymentModel.State[n];
        boolean stable = true;
        for (int g = 0; g < n; g++) {
            states[g] = c.groups[g].solve(rate / c.replicas[g]);
            stable &= states[g].stable();
        }
        if (!stable) {
            return new Snapshot(0, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, states);
        }
        Slo slo = problem.slo();
        double[] svc = new double[2];
        double[] dec = new double[2];
        double attained = 0;
        double sumTtft = 0;
        double sumE2e = 0;
        for (int s = 0; s < mix.samples; s++) {
            double e2eSvc = 0;
            double e2eWait = 0;
            double ttftSvc = -1;
            double ttftWait = 0;
            boolean tpotOk = true;
            boolean speech = slo.hasSpeechTarget() && mix.audioSeconds[s] > 0;
            double ttfaSvc = -1;
            double ttfaWait = 0;
            // when a streaming thinker's first chunk is ready (service and wait parts), -1 when none streams
            double chunkSvc = -1;
            double chunkWait = 0;
            for (int[] stage : stages) {
                double bestLatency = 0;
                double bestSvc = 0;
                double bestWait = 0;
                for (int t : stage) {
                    if (mix.items[t][s] == 0 && mix.tokens[t][s] == 0 && mix.outputs[t][s] == 0) {
                        continue;
                    }
                    int g = c.group[t];
                    DeploymentModel m = c.groups[g];
                    m.service(c.unit[t], s, states[g], svc);
                    double w = states[g].meanWaitSeconds(c.unit[t]);
                    double first = svc[0];
                    double all = svc[1];
                    double tpotSeconds = states[g].rounds()[c.unit[t]];
                    if (c.decodeGroup[t] >= 0) {
                        int dg = c.decodeGroup[t];
                        c.groups[dg].service(c.decodeUnit[t], s, states[dg], dec);
                        all += dec[1] + states[dg].meanWaitSeconds(c.decodeUnit[t]);
                        tpotSeconds = states[dg].rounds()[c.decodeUnit[t]];
                    }
                    boolean llm = mix.tasks[t].splittable();
                    if (llm && mix.outputs[t][s] >= 2 && slo.tpotMs() > 0 && tpotSeconds * 1e3 > slo.tpotMs()) {
                        tpotOk = false;
                    }
                    if (llm && mix.streamChunkTokens > 0 && mix.outputs[t][s] >= 1) {
                        // its chunk-th token: the first, then decode rounds (on the decode replica when split)
                        double tokens = Math.min(mix.streamChunkTokens, mix.outputs[t][s]);
                        chunkSvc = e2eSvc + first + (tokens - 1) * tpotSeconds;
                        chunkWait = e2eWait + w + (tokens > 1 && c.decodeGroup[t] >= 0
                                ? states[c.decodeGroup[t]].meanWaitSeconds(c.decodeUnit[t]) : 0);
                    }
                    double startSvc = e2eSvc;
                    double startWait = e2eWait;
                    boolean streamedIn = mix.streamSource[t] >= 0 && chunkSvc >= 0
                            && mix.outputs[mix.streamSource[t]][s] >= 1;
                    if (streamedIn) {
                        startSvc = chunkSvc;
                        startWait = chunkWait;
                    }
                    if (llm && mix.outputs[t][s] >= 1 && ttftSvc < 0) {
                        ttftSvc = e2eSvc + first;
                        ttftWait = e2eWait + w;
                    }
                    if (speech && mix.tasks[t].kind() == TaskKind.TALKER && mix.outputs[t][s] >= 1 && ttfaSvc < 0) {
                        // the first codec frame is the first audio (as the simulator judges it)
                        ttfaSvc = startSvc + first;
                        ttfaWait = startWait + w;
                    }
                    if (streamedIn) {
                        // started on the first chunk: what it adds past the stages before (its thinker's end)
                        double past = Math.max(0, startSvc + all + startWait + w - e2eSvc - e2eWait);
                        double pastSvc = Math.min(past, Math.max(0, startSvc + all - e2eSvc));
                        if (past > bestLatency) {
                            bestLatency = past;
                            bestSvc = pastSvc;
                            bestWait = past - pastSvc;
                        }
                        continue;
                    }
                    if (all + w > bestLatency) {
                        bestLatency = all + w;
                        bestSvc = all;
                        bestWait = w;
                    }
                }
                e2eSvc += bestSvc;
                e2eWait += bestWait;
            }
            if (ttftSvc < 0) {
                ttftSvc = e2eSvc;
                ttftWait = e2eWait;
            }
            sumTtft += ttftSvc + ttftWait;
            sumE2e += e2eSvc + e2eWait;
            if (tpotOk) {
                double p = 1;
                if (slo.ttftMs() > 0) {
                    p = Math.min(p, withinProbability(slo.ttftMs() / 1e3 - ttftSvc, ttftWait));
                }
                if (slo.e2eMs() > 0) {
                    p = Math.min(p, withinProbability(slo.e2eMs() / 1e3 - e2eSvc, e2eWait));
                }
                if (speech && ttfaSvc >= 0) {
                    if (slo.ttfaMs() > 0) {
                        p = Math.min(p, withinProbability(slo.ttfaMs() / 1e3 - ttfaSvc, ttfaWait));
                    }
                    // after the first audio, the rest of the request (mean waits) against the speech's duration
                    double afterFirstAudio = e2eSvc + e2eWait - ttfaSvc - ttfaWait;
                    // time to first audio is judged probabilistically above; here the real-time factor only
                    if (!slo.speechMet(0, afterFirstAudio * 1e3, mix.audioSeconds[s])) {
                        p = 0;
                    }
                }
                attained += p;
            }
        }
        return new Snapshot(attained / mix.samples, sumTtft / mix.samples, sumE2e / mix.samples, states);
    }

    /** P(W <= slack) for W exponential with the given mean (0 mean: no wait). */
    private static double withinProbability(double slackSeconds, double meanWaitSeconds) {
        if (slackSeconds < 0) {
            return 0;
        }
        if (meanWaitSeconds <= 0) {
            return 1;
        }
        return 1 - Math.exp(-slackSeconds / meanWaitSeconds);
    }

    private double capacity(Compiled c, double stable) {
        double target = problem.slo().attainmentTarget();
        if (!(stable > 0) || at(c, stable * 1e-6).attainment() < target) {
            return 0;
        }
        double lo = stable * 1e-6;
        double hi = stable;
        if (at(c, hi).attainment() >= target) {
            return hi;
        }
        for (int i = 0; i < BISECTION_STEPS; i++) {
            double mid = (lo + hi) / 2;
            if (at(c, mid).attainment() >= target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Highest rate at which the plan's estimated SLO attainment reaches the target; 0 if none. */
    public double capacityRps(CandidatePlan plan) {
        Compiled c = new Compiled(plan);
        return capacity(c, c.stableRps());
    }

    /** Highest rate every deployment sustains within its limits: an upper bound of {@link #capacityRps}. */
    public double stableRps(CandidatePlan plan) {
        return new Compiled(plan).stableRps();
    }

    /** Estimated SLO attainment at the given rate. */
    public double attainment(CandidatePlan plan, double rateRps) {
        return at(new Compiled(plan), rateRps).attainment();
    }

    /** The full estimate: capacity, figures at the workload's rate, the bottleneck and per-deployment figures. */
    public PlanEstimate estimate(CandidatePlan plan) {
        Compiled c = new Compiled(plan);
        double stable = c.stableRps();
        double capacity = capacity(c, stable);
        double rate = problem.workload().rateRps();
        Snapshot atRate = at(c, rate);
        Snapshot atCapacity = at(c, capacity > 0 ? capacity : Math.max(stable * 0.999, 1e-9));
        List<PlanEstimate.DeploymentEstimate> per = new ArrayList<>();
        String bottleneck = null;
        double worst = -1;
        for (int g = 0; g < c.groups.length; g++) {
            PlannedDeployment d = plan.deployments().get(g);
            double replica = replicaCapacityRps(d.units(), d.tensorParallel());
            double stressCap = atCapacity.states()[g].stress();
            // Closest to its own bound at the plan's capacity; ties (no load) go to the fuller engine.
            double ratio = Math.max(capacity, 1e-9) / Math.max(replica * d.replicas(), 1e-12) + 1e-6 * stressCap;
            if (ratio > worst) {
                worst = ratio;
                bottleneck = d.name();
            }
            per.add(new PlanEstimate.DeploymentEstimate(d.name(), replica, replica * d.replicas(),
                    atRate.states()[g].stress(), stressCap, atRate.states()[g].longestRoundSeconds() * 1e3));
        }
        return new PlanEstimate(capacity, stable, rate, atRate.attainment(), rate * atRate.attainment(),
                atRate.meanTtftSeconds() * 1e3, atRate.meanE2eSeconds() * 1e3, bottleneck, per);
    }
}
