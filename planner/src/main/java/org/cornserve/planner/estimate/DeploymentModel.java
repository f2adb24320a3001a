package org.cornserve.planner.estimate;

import java.util.List;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.ClusterShape;
import org.cornserve.planner.TaskKind;
import org.cornserve.planner.Unit;

/**
 * One replica of a deployment as a queue on its cost curves.
 *
 * <p>The replica is modelled as a server that runs <em>engine cycles</em>: in each cycle it runs one batch
 * of every colocated unit that has work (an encoder batch, one LLM iteration with its decode sequences
 * and a chunk of prefill tokens, one denoising step of the active diffusion jobs, ...). Work arriving
 * during a cycle joins the next one, so at per-replica rate {@code lambda} a cycle of length {@code C}
 * holds {@code lambda x items x C} encoder items, {@code lambda x prompt x C} prefill tokens and, by
 * Little's law, {@code lambda x output x C} running decode sequences. The cycle length is the least
 * fixed point of {@code C = sum of batch latencies at those sizes}, found by monotone iteration (the
 * right-hand side grows with C). The replica is stable while every batch stays inside its engine limit
 * (items, tokens, sequences, KV-cache room); {@code stress} is the largest fill ratio of those limits.
 * The decode time per output token is the cycle length, so colocated encoder work slows decoding, as it
 * does in a monolithic engine.
 *
 * <p>Waiting: a request arriving at a busy replica waits for the rest of the current cycle, inflated as
 * the limits fill: mean wait {@code busy x C / 2 / (1 - stress)}, taken as exponentially distributed.
 *
 * <p>Cost: {@link #solve} is O(units x iterations), iterations at most {@value #MAX_ITERATIONS}.
 */
final class DeploymentModel {
    static final int MAX_ITERATIONS = 400;

    final List<Unit> units;
    final int tensorParallel;
    final String misfit;
    private final WorkloadMix mix;
    private final EstimatorOptions options;
    private final int[] task;
    private final TaskKind[] kind;
    private final LlmCost[] llm;
    private final BatchCost[] batch;
    private final DiffusionCost[] diffusion;
    /** Most running sequences per LLM-like unit (KV room and the engine's sequence limit). */
    private final double[] maxSeqs;
    /** Seconds of a request's own prefill run alone, per unit and sample (autoregressive units). */
    private final double[][] ownPrefill;
    private final double[] iterationOverhead;
    /** True when some unit runs iteratively (LLM, talker, decode, generator) and has work. */
    private final boolean iterativeGroup;
    /** Tensor-parallel degree each unit shards over (at most its task's limit). */
    private final int[] unitTp;

    /**
     * One solution at a per-replica rate.
     *
     * @param stable every batch within its engine limit
     * @param rounds per unit: the time between two of its batches or iterations while it has work (its own
     *     batch plus the colocated work that runs between): for a decoding unit, its time per output token
     * @param stress fill of the tightest engine limit
     * @param busy share of time the replica is busy
     * @param unitSeconds per unit: latency of its own batch or iteration
     * @param batchSize per unit: items, jobs or running sequences per batch
     */
    record State(boolean stable, double[] rounds, double stress, double busy, double[] unitSeconds, double[] batchSize) {
        double meanWaitSeconds(int unit) {
            return stable ? busy * rounds[unit] / 2 / (1 - stress) : Double.POSITIVE_INFINITY;
        }

        double longestRoundSeconds() {
            double max = 0;
            for (double r : rounds) {
                max = Math.max(max, r);
            }
            return max;
        }
    }

    DeploymentModel(List<Unit> units, int tensorParallel, WorkloadMix mix, ClusterShape cluster,
            EstimatorOptions options) {
        this.units = List.copyOf(units);
        this.tensorParallel = tensorParallel;
        this.mix = mix;
        this.options = options;
        int n = units.size();
        task = new int[n];
        kind = new TaskKind[n];
        llm = new LlmCost[n];
        batch = new BatchCost[n];
        diffusion = new DiffusionCost[n];
        maxSeqs = new double[n];
        ownPrefill = new double[n][];
        iterationOverhead = new double[n];
        unitTp = new int[n];
        String why = null;
        double memory = options.memoryFraction() * tensorParallel * (double) cluster.deviceMemoryBytes();
        double used = 0;
        int kvUnits = 0;
        for (int u = 0; u < n; u++) {
            Unit unit = units.get(u);
            task[u] = mix.index(unit.task().id());
            kind[u] = unit.kind();
            unitTp[u] = unitTensorParallel(unit, tensorParallel);
            // A unit that shards over fewer devices than the replica has is replicated across the rest.
            used += (double) unit.task().weightBytes() * (tensorParallel / unitTp[u]) + unit.task().activationBytes();
            if (kind[u].autoregressive()) {
                kvUnits++;
            }
        }
        if (why == null && used > memory) {
            why = String.format("weights and activations need %.1f GB, %d device(s) give %.1f GB", used / 1e9,
                    tensorParallel, memory / 1e9);
        }
        double kvShare = kvUnits == 0 ? 0 : (memory - used) / kvUnits;
        for (int u = 0; u < n && why == null; u++) {
            int t = task[u];
            if (kind[u].autoregressive()) {
                llm[u] = units.get(u).task().costs().llm(unitTp[u]);
                double kvPerToken = Math.max(1, llm[u].kvBytesPerToken());
                double needTokens = kind[u] == TaskKind.PREFILL || kind[u] == TaskKind.TEXT_ENCODER
                        ? Math.max(mix.maxContext[t], options.maxBatchedTokens())
                        : Math.max(1, mix.maxContext[t]);
                if (kvShare < needTokens * kvPerToken) {
                    why = String.format("%s: KV cache room %.2f GB is short of one longest request (%.2f GB)",
                            units.get(u).id(), Math.max(0, kvShare) / 1e9, needTokens * kvPerToken / 1e9);
                    break;
                }
                double context = Math.max(1, mix.decodeContext[t]);
                maxSeqs[u] = Math.min(options.maxNumSeqs(), kvShare / (kvPerToken * context));
                iterationOverhead[u] = llm[u].iterationSeconds(1, 1, 0, 0);
                ownPrefill[u] = new double[mix.samples];
                for (int s = 0; s < mix.samples; s++) {
                    long p = Math.round(mix.tokens[t][s]);
                    ownPrefill[u][s] = p == 0 ? 0 : llm[u].iterationSeconds(p, p * (p + 1) / 2, 0, 0);
                }
            } else if (kind[u] == TaskKind.GENERATOR) {
                diffusion[u] = units.get(u).task().costs().diffusion(unitTp[u]);
            } else {
                batch[u] = units.get(u).task().costs().batch(unitTp[u]);
            }
        }
        misfit = why;
        boolean iterative = false;
        for (int u = 0; u < n; u++) {
            int t = task[u];
            boolean hasWork = mix.meanItems[t] > 0 || mix.meanTokens[t] > 0 || mix.meanOutputs[t] > 0;
            iterative |= hasWork && (kind[u] == TaskKind.LLM || kind[u] == TaskKind.TALKER
                    || kind[u] == TaskKind.DECODE || kind[u] == TaskKind.GENERATOR);
        }
        iterativeGroup = iterative;
    }

    /** The largest power of two within both the replica's degree and the unit's own limit. */
    static int unitTensorParallel(Unit unit, int tensorParallel) {
        int tp = 1;
        while (tp * 2 <= Math.min(tensorParallel, unit.task().maxTensorParallel())) {
            tp *= 2;
        }
        return tp;
    }

    boolean fits() {
        return misfit == null;
    }

    /**
     * Solves the rounds at {@code ratePerReplica} requests per second. Alone on a replica (no iterative unit)
     * the units share one cycle, each running a batch per cycle. Beside an iterative unit each unit has its
     * own round: its batch or iteration plus, for every other unit, that unit's batch times the share of
     * rounds it has work in (its arrivals, or running sequences, per round, at most 1). Each round is the
     * least fixed point of its equation, found by monotone iteration.
     */
    State solve(double ratePerReplica) {
        int n = units.size();
        double[] rounds = new double[n];
        double[] unitSeconds = new double[n];
        double[] batchSize = new double[n];
        double stress = 0;
        boolean stable = true;
        double[] seconds = new double[n];
        double[] occupancy = new double[n];
        double[] size = new double[n];
        double[] unitStress = new double[n];
        for (int u = 0; u < n && stable; u++) {
            if (iterativeGroup || u == 0) {
                int self = iterativeGroup ? u : -1;
                double round = roundSeconds(ratePerReplica, 0, self, seconds, occupancy, size, unitStress);
                for (int i = 0; i < MAX_ITERATIONS; i++) {
                    double next = roundSeconds(ratePerReplica, round, self, seconds, occupancy, size, unitStress);
                    if ((self < 0 ? maxOf(unitStress) : unitStress[self]) >= 1) {
                        stable = false;
                        break;
                    }
                    boolean done = Math.abs(next - round) <= 1e-9 + 1e-7 * next;
                    round = next;
                    if (done) {
                        break;
                    }
                }
                if (iterativeGroup) {
                    rounds[u] = round;
                    unitSeconds[u] = seconds[u];
                    batchSize[u] = size[u];
                    stress = Math.max(stress, unitStress[u]);
                } else {
                    java.util.Arrays.fill(rounds, round);
                    System.arraycopy(seconds, 0, unitSeconds, 0, n);
                    System.arraycopy(size, 0, batchSize, 0, n);
                    stress = maxOf(unitStress);
                }
            }
        }
        stable &= stress < 1;
        double busy = 0;
        for (int u = 0; u < n; u++) {
            double perRound = ratePerReplica * rounds[u] * Math.max(mix.touchFraction[task[u]],
                    kind[u] == TaskKind.LLM || kind[u] == TaskKind.DECODE || kind[u] == TaskKind.TALKER
                            ? mix.meanOutputs[task[u]] : 0);
            busy = Math.max(busy, Math.min(1, perRound));
        }
        return new State(stable, rounds, Math.min(stress, 1), busy, unitSeconds, batchSize);
    }

    private static double maxOf(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, v);
        }
        return max;
    }

    /**
     * One evaluation of a round's right-hand side: {@code self}'s own batch (every unit's when {@code self}
     * is -1) plus the others' batches times their occupancy, when the previous round lasted {@code round}.
     */
    private double roundSeconds(double rate, double round, int self, double[] seconds, double[] occupancy,
            double[] size, double[] stress) {
        cycleSeconds(rate, round, seconds, size, stress, occupancy);
        double total = 0;
        for (int u = 0; u < units.size(); u++) {
            total += self < 0 || u == self ? seconds[u] : occupancy[u] * seconds[u];
        }
        return total;
    }

    /**
     * Every unit's batch at the sizes a round of {@code cycle} seconds gathers: its latency, size, the fill
     * of its engine limit and its occupancy (share of rounds it has work in).
     */
    private void cycleSeconds(double rate, double cycle, double[] unitSeconds, double[] batchSize, double[] unitStress,
            double[] occupancy) {
        for (int u = 0; u < units.size(); u++) {
            int t = task[u];
            double seconds = 0;
            double size = 0;
            double stress = 0;
            double occupied = 0;
            switch (kind[u]) {
                case ENCODER, OUTPUT_DECODER -> {
                    double items = mix.meanItems[t];
                    if (items > 0) {
                        double perItem = mix.meanTokens[t] / items;
                        double arriving = rate * items * cycle;
                        size = Math.max(1, arriving);
                        // A batch holds at least one item, whatever its tokens.
                        double itemCap = Math.min(options.maxBatchItems(),
                                Math.max(1, Math.floor(options.maxBatchTokens() / Math.max(1, perItem))));
                        stress = Math.max(stress, arriving / itemCap);
                        BatchCost bc = batch[u];
                        occupied = Math.min(1, arriving);
                        seconds = interpolate(size, k -> bc.batchSeconds(k, Math.round(k * perItem)));
                    }
                }
                case GENERATOR -> {
                    double jobSteps = mix.meanJobSteps[t];
                    if (jobSteps > 0) {
                        double perJob = mix.meanTokens[t] / mix.meanItems[t];
                        double active = rate * jobSteps * cycle;
                        size = Math.max(1, active);
                        stress = Math.max(stress, active / options.maxDiffusionJobs());
                        DiffusionCost dc = diffusion[u];
                        occupied = Math.min(1, active);
                        seconds = interpolate(size, k -> dc.stepSeconds(k, Math.round(k * perJob)));
                    }
                }
                case TEXT_ENCODER, PREFILL -> {
                    double prompt = mix.meanTokens[t];
                    if (prompt > 0) {
                        double arriving = rate * prompt * cycle;
                        stress = Math.max(stress, arriving / options.maxBatchedTokens());
                        double perRequest = prompt / mix.touchFraction[t];
                        size = Math.min(options.maxBatchedTokens(), Math.max(perRequest, arriving));
                        occupied = Math.min(1, rate * mix.touchFraction[t] * cycle);
                        seconds = llm[u].iterationSeconds(Math.round(size),
                                Math.round(size * (mix.promptSquareOverMean[t] + 1) / 2), 0, 0);
                    }
                }
                case LLM, TALKER, DECODE -> {
                    double prompt = kind[u] == TaskKind.DECODE ? 0 : mix.meanTokens[t];
                    double out = mix.meanOutputs[t];
                    if (prompt > 0 || out > 0) {
                        double prefillTokens = rate * prompt * cycle;
                        double running = rate * out * cycle;
                        double seqs = out > 0 ? Math.max(1, running) : 0;
                        size = seqs;
                        occupied = Math.min(1, Math.max(running, rate * mix.touchFraction[t] * cycle));
                        stress = Math.max(stress, Math.max(prefillTokens / options.maxBatchedTokens(), running / maxSeqs[u]));
                        long prefill = Math.round(prefillTokens);
                        long prefillContext = Math.round(prefillTokens * (mix.promptSquareOverMean[t] + 1) / 2);
                        double context = mix.decodeContext[t];
                        LlmCost cost = llm[u];
                        seconds = out > 0
                                ? interpolate(seqs, k -> cost.iterationSeconds(prefill, prefillContext, k, Math.round(k * context)))
                                : cost.iterationSeconds(prefill, prefillContext, 0, 0);
                    }
                }
            }
            unitSeconds[u] = seconds;
            batchSize[u] = size;
            unitStress[u] = stress;
            occupancy[u] = occupied;
        }
    }

    /**
     * A batch latency at a fractional batch size: linear between the whole sizes around it (a batcher whose
     * size varies between them), so that the fixed point moves smoothly with the rate. Size at least 1.
     */
    private static double interpolate(double size, java.util.function.IntToDoubleFunction latency) {
        int lo = (int) Math.floor(size);
        double frac = size - lo;
        double low = latency.applyAsDouble(Math.max(1, lo));
        return frac < 1e-12 ? low : (1 - frac) * low + frac * latency.applyAsDouble(lo + 1);
    }

    /** True when the unit's work goes through decode iterations of this deployment (TPOT applies). */
    boolean decodes(int u) {
        return kind[u] == TaskKind.LLM || kind[u] == TaskKind.DECODE;
    }

    int unitIndex(String unitId) {
        for (int u = 0; u < units.size(); u++) {
            if (units.get(u).id().equals(unitId)) {
                return u;
            }
        }
        throw new IllegalArgumentException("unit " + unitId + " not in deployment");
    }

    /** Fraction of all requests whose TPOT this deployment decides. */
    double multiTokenFraction() {
        double f = 0;
        for (int u = 0; u < units.size(); u++) {
            if (decodes(u)) {
                f = Math.max(f, mix.multiTokenFraction[task[u]]);
            }
        }
        return f;
    }

    /** The longest round of a unit that decodes (its time per output token). */
    double longestDecodeRoundSeconds(State state) {
        double max = 0;
        for (int u = 0; u < units.size(); u++) {
            if (decodes(u)) {
                max = Math.max(max, state.rounds()[u]);
            }
        }
        return max;
    }

    boolean hasDecode() {
        for (int u = 0; u < units.size(); u++) {
            if (decodes(u)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Service seconds of sample {@code s}'s work in unit {@code u}: {@code [0]} up to its first output token
     * (prefill), {@code [1]} in all. Zero when the request skips the unit.
     */
    void service(int u, int s, State state, double[] out) {
        int t = task[u];
        double cycle = state.rounds()[u];
        double others = (cycle - state.unitSeconds()[u]) / 2;
        double first;
        double all;
        switch (kind[u]) {
            case ENCODER, OUTPUT_DECODER -> {
                double items = mix.items[t][s];
                if (items == 0) {
                    first = 0;
                    all = 0;
                } else {
                    double b = state.batchSize()[u];
                    double perItem = mix.meanTokens[t] / mix.meanItems[t];
                    double own = batch[u].batchSeconds((int) Math.max(Math.round(b), items),
                            Math.round(Math.max(0, b - items) * perItem + mix.tokens[t][s]));
                    all = own + others;
                    first = all;
                }
            }
            case GENERATOR -> {
                all = mix.steps[t][s] * cycle;
                first = all;
            }
            case TEXT_ENCODER, PREFILL -> {
                if (mix.tokens[t][s] == 0) {
                    first = 0;
                    all = 0;
                } else {
                    double transfer = kind[u] == TaskKind.PREFILL
                            ? mix.tokens[t][s] * llm[u].kvBytesPerToken() / options.kvTransferBytesPerSecond() : 0;
                    first = Math.max(state.unitSeconds()[u], ownPrefill[u][s]) + others;
                    all = first + transfer;
                }
            }
            case LLM, TALKER -> {
                double prefill = mix.tokens[t][s] == 0 ? 0 : cycle + ownPrefill[u][s] - iterationOverhead[u];
                double outputs = mix.outputs[t][s];
                first = prefill;
                all = prefill + (kind[u] == TaskKind.TALKER ? outputs : Math.max(0, outputs - 1)) * cycle;
            }
            case DECODE -> {
                first = 0;
                all = Math.max(0, mix.outputs[t][s] - 1) * cycle;
            }
            default -> throw new IllegalStateException("unknown kind " + kind[u]);
        }
        out[0] = first;
        out[1] = all;
    }
}
