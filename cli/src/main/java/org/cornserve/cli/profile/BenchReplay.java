package org.cornserve.cli.profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.cornserve.model.Modality;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.evaluate.ClosedLoopClient;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.LongList;
import org.cornserve.traces.TraceRecord;

/**
 * Replays a {@link BenchRun} in the simulator the way {@code vllm bench serve} sends it, and measures what its
 * client measures.
 *
 * <p>The client issues request {@code i} at time {@code t_i} (all at 0 for {@code --request-rate inf}; otherwise
 * gamma-distributed gaps of mean {@code 1 / rate} and shape {@code burstiness}, drawn from this replay's seed: the
 * same process as vLLM's, not the same draws) and, with {@code --max-concurrency C}, sends it only when one of
 * {@code C} slots is free (an asyncio semaphore: waiters in issue order). A closed loop makes arrivals depend on
 * completions; the replay is one simulation with the client in it ({@link ClosedLoopClient}): request {@code i} goes
 * at {@code max(t_i, the time a slot frees)}, the slot then busy until its response. (It used to iterate open-loop
 * simulations to that fixed point, 41 of them for the nine runs of {@code PublishedVllmRunsTest}; the test keeps that
 * iteration as its reference.)
 *
 * <p>A request whose prompt is named ({@link BenchRun.Shape#prompt()}) carries the ids of its prompt's pieces, so
 * with {@code enable_prefix_caching} in the plan (vLLM v1's default) a prompt the server has seen before, in this run
 * or an earlier one replayed on the same server, is served from its cached blocks.
 */
public final class BenchReplay {

    private static final Slo UNCHECKED = new Slo(0, 0, 0, 1);

    /** Idle time between two runs replayed on one server: 1 s, longer than any engine step. */
    public static final long GAP_NANOS = 1_000_000_000L;

    /** Tokens per piece of a named prompt's content handed to the simulator (as Mooncake's {@code hash_ids}). */
    static final int PIECE_TOKENS = 512;

    /**
     * What the client measured in the replay: per-request send times (seconds from the run's first send) and
     * latencies, in send order, and the run's duration.
     */
    public record Replayed(double[] sendSeconds, double[] ttftMs, double[] tpotMs, double[] e2eMs, double durationSeconds) {
        /** The statistics of {@code keys}, computed as vLLM does. */
        public Map<String, Double> statistics(Iterable<String> keys) {
            return BenchStatistics.compute(keys, ttftMs, tpotMs, e2eMs, durationSeconds);
        }
    }

    /**
     * The server's front end (vLLM's API server process) as one first-come first-served queue in front of the engine:
     * each request holds it for {@code msPerRequest + usPerPromptToken x prompt tokens} (parsing, tokenising the
     * prompt, building the engine request, priming the detokenizer) before the engine sees it. The client's clock
     * starts when it sends, so a request's TTFT includes its wait here and the service of every request sent just
     * before it. {@link #NONE} hands requests to the engine the moment they are sent; {@link #VLLM_ESTIMATE} is vLLM's
     * per-token front-end work from published measurements; {@code cornserve profile calibrate --fit-front-end} fits
     * the cost per token to a run's TTFTs instead.
     */
    public record FrontEnd(double msPerRequest, double usPerPromptToken) {
        public static final FrontEnd NONE = new FrontEnd(0, 0);

        /**
         * vLLM's API server, per prompt token, from published measurements (nothing fitted to a run): 1.5 us to
         * tokenise (Hugging Face tokenizers from Python, 0.21.4, encodes 2.5 to 2.7 MiB/s on one core of a 5.4 GHz AMD
         * EPYC, GPT-2 vocabulary: B. Vanik, "iree/tokenizer perf", 2026-02-21,
         * https://gist.github.com/benvanik/9090b155a3102b333896c1d92c451cbc ; at 4 bytes a token that is 1.5 us; C. Xu,
         * "3.3x Faster HuggingFace Tokenizers for Single Sequence", https://charlesxu.io/parallel-tokenizer , gives 1.1 s
         * for 4 MB, about 1M tokens, 1.1 us) plus 1.0 us to prime the request's incremental detokenizer with the whole
         * prompt ({@code FastIncrementalDetokenizer}, "0.5-1.5 us/token: ~3 ms 5K ids, ~9 ms 15K, ~12 ms 20K",
         * tokenizers 0.22.2, on the API server's event loop: vllm-project/vllm pull request 51281). ASSUMPTION: both run
         * one request at a time on the API server, ahead of the engine; no per-request figure was found (0).
         */
        public static final FrontEnd VLLM_ESTIMATE = new FrontEnd(0, 2.5);

        public FrontEnd {
            if (!(msPerRequest >= 0) || !(usPerPromptToken >= 0) || Double.isInfinite(msPerRequest)
                    || Double.isInfinite(usPerPromptToken)) {
                throw new IllegalArgumentException("front-end costs must be finite and >= 0, got " + msPerRequest
                        + " ms per request and " + usPerPromptToken + " us per prompt token");
            }
        }

        /** Nanoseconds request of {@code promptTokens} holds the front end. */
        long serviceNanos(int promptTokens) {
            return Math.round(msPerRequest * 1e6 + usPerPromptToken * 1e3 * promptTokens);
        }

        /**
         * When a request of {@code promptTokens} sent at {@code sentAt} reaches the engine, the front end busy until
         * {@code freeAt} with the requests sent before it (first come, first served): also when it is next free.
         */
        long reaches(long freeAt, long sentAt, int promptTokens) {
            return Math.max(freeAt, sentAt) + serviceNanos(promptTokens);
        }

        /** Whether requests reach the engine the moment they are sent ({@link #NONE}'s costs). */
        boolean isNone() {
            return msPerRequest == 0 && usPerPromptToken == 0;
        }

        /**
         * When each request sent at {@code sent} reaches the engine: FIFO in send order (ties by index). The whole
         * run at once, as the closed-loop reference in {@code BenchReplayTest} needs it; the replay's client applies
         * {@link #reaches} send by send.
         */
        long[] engineArrivals(long[] sent, List<BenchRun.Shape> shapes) {
            if (isNone()) {
                return sent;
            }
            Integer[] order = new Integer[sent.length];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, Comparator.comparingLong(i -> sent[i]));
            long[] out = new long[sent.length];
            long free = Long.MIN_VALUE;
            for (int i : order) {
                free = reaches(free, sent[i], shapes.get(i).inputTokens());
                out[i] = free;
            }
            return out;
        }
    }

    private final DeploymentPlan plan;
    private final long seed;
    private final FrontEnd frontEnd;

    /**
     * @param plan the plan the run was served by (its requests go to the plan's first model)
     * @param seed seed of the simulator's routers and of the issue times of a finite request rate
     */
    public BenchReplay(DeploymentPlan plan, long seed) {
        this(plan, seed, FrontEnd.NONE);
    }

    /**
     * @param plan the plan the run was served by (its requests go to the plan's first model)
     * @param seed seed of the simulator's routers and of the issue times of a finite request rate
     * @param frontEnd the server's front end ahead of the engine
     */
    public BenchReplay(DeploymentPlan plan, long seed, FrontEnd frontEnd) {
        this.plan = plan;
        this.seed = seed;
        this.frontEnd = java.util.Objects.requireNonNull(frontEnd, "frontEnd");
    }

    /** The server's front end this replay puts ahead of the engine. */
    FrontEnd frontEnd() {
        return frontEnd;
    }

    /** Replays {@code run} on {@code catalog}'s hardware, on a fresh server. */
    public Replayed replay(BenchRun run, HardwareCatalog catalog) {
        return replay(List.of(run), catalog).get(0);
    }

    /**
     * Replays {@code runs} one after another on one server, as a benchmark script runs them against one
     * {@code vllm serve}: each run's client starts {@link #GAP_NANOS} after the previous run's last response, and the
     * server keeps its state (its prefix cache) from run to run.
     */
    public List<Replayed> replay(List<BenchRun> runs, HardwareCatalog catalog) {
        Client client = new Client(runs, plan.models().get(0));
        SimResult result = new SimulatorPlanRunner(seed, catalog).simulate(plan, client, UNCHECKED);
        String source = runs.get(0).source() + (runs.size() > 1 ? " and the runs after it" : "");
        int total = client.shapes.size();
        long[] first = new long[total];
        long[] completion = new long[total];
        int seen = 0;
        for (RequestRecord rec : result.records()) {
            int i = client.sentIndex[Math.toIntExact(rec.request().id())];
            if (!rec.completed()) {
                throw new IllegalArgumentException(source + ": request " + i + " (" + client.shapes.get(i).inputTokens()
                        + " prompt tokens) was not served by plan " + plan.name()
                        + (rec.rejected() ? ": " + rec.rejectReason() : ""));
            }
            first[i] = rec.firstOutputNanos();
            completion[i] = rec.completionNanos();
            seen++;
        }
        if (seen != total) {
            throw new IllegalStateException(source + ": " + (total - seen) + " of " + total + " requests were never sent");
        }
        List<Replayed> out = new ArrayList<>(runs.size());
        for (int r = 0; r < runs.size(); r++) {
            out.add(measured(client.shapes, client.sent, first, completion, client.runStart[r], client.runStart[r + 1]));
        }
        return out;
    }

    /**
     * The benchmark client as a {@link ClosedLoopClient}: run after run, each request {@code i} of a run sent at
     * {@code base + t_i} or, when all {@code C} slots are taken, when the next one frees (waiters in issue order: the
     * k-th response of a run frees the slot of its request {@code C + k}); the front end between client and engine.
     */
    private final class Client implements ClosedLoopClient {
        final List<BenchRun> runs;
        final String app;
        final List<BenchRun.Shape> shapes = new ArrayList<>();
        final int[] runStart;
        final long[][] issue;
        /** Client send time of each request, by index over all runs. */
        final long[] sent;
        /** The request index of each send, by the simulator's request id (the order of sending). */
        final int[] sentIndex;
        int sends;
        int run;
        long base;
        /** The run's next request to send, and how many of its requests have ended. */
        int nextInRun;
        int endedInRun;
        /** When the front end is next free. */
        long frontFree = Long.MIN_VALUE;

        Client(List<BenchRun> runs, String app) {
            this.runs = runs;
            this.app = app;
            runStart = new int[runs.size() + 1];
            issue = new long[runs.size()][];
            for (int r = 0; r < runs.size(); r++) {
                runStart[r] = shapes.size();
                shapes.addAll(runs.get(r).requests());
                issue[r] = issueTimes(runs.get(r));
            }
            runStart[runs.size()] = shapes.size();
            sent = new long[shapes.size()];
            sentIndex = new int[shapes.size()];
        }

        private int slots(int r) {
            int n = runStart[r + 1] - runStart[r];
            return runs.get(r).maxConcurrency() == 0 ? n : Math.min(n, runs.get(r).maxConcurrency());
        }

        @Override
        public List<TraceRecord> start() {
            return startRun(0, 0);
        }

        /** Run {@code r}'s first requests, one per slot, from {@code base}; none past the last run. */
        private List<TraceRecord> startRun(int r, long base) {
            List<TraceRecord> out = new ArrayList<>();
            run = r;
            this.base = base;
            nextInRun = 0;
            endedInRun = 0;
            if (r < runs.size()) {
                for (int k = 0; k < slots(r); k++) {
                    out.add(send(base + issue[r][nextInRun]));
                }
            }
            return out;
        }

        /** Sends the run's next request at {@code at}: it reaches the engine after the front end. */
        private TraceRecord send(long at) {
            int i = runStart[run] + nextInRun++;
            sent[i] = at;
            sentIndex[sends++] = i;
            long arrival = at;
            if (!frontEnd.isNone()) {
                frontFree = frontEnd.reaches(frontFree, at, shapes.get(i).inputTokens());
                arrival = frontFree;
            }
            BenchRun.Shape s = shapes.get(i);
            return new TraceRecord(arrival, app, new RequestShape(s.inputTokens(), List.of(), s.outputTokens(),
                    Set.of(Modality.TEXT)), Integer.toString(i), pieces(s));
        }

        @Override
        public List<TraceRecord> ended(RequestRecord record, long nowNanos) {
            int n = runStart[run + 1] - runStart[run];
            if (++endedInRun == n) {
                return startRun(run + 1, nowNanos + GAP_NANOS);
            }
            if (nextInRun < n) {
                return List.of(send(Math.max(base + issue[run][nextInRun], nowNanos)));
            }
            return List.of();
        }
    }

    long[] issueTimes(BenchRun run) {
        long[] t = new long[run.requests().size()];
        if (Double.isInfinite(run.requestRate())) {
            return t;
        }
        GammaDistribution gaps = new GammaDistribution(new Well19937c(seed), run.burstiness(),
                1 / (run.requestRate() * run.burstiness()));
        double now = 0;
        for (int i = 0; i < t.length; i++) {
            t[i] = Math.round(now * 1e9);
            now += gaps.sample();
        }
        return t;
    }

    /**
     * The ids of a named prompt's 512-token pieces (the last one partial): equal for the same prompt index at the
     * same position, so the simulated engine's prefix cache finds what a real one would; none for a unique prompt.
     */
    static LongList pieces(BenchRun.Shape s) {
        if (s.prompt() == BenchRun.Shape.UNIQUE) {
            return null;
        }
        long[] ids = new long[(s.inputTokens() + PIECE_TOKENS - 1) / PIECE_TOKENS];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = s.prompt() * (1L << 24) + k;
        }
        return LongList.of(ids);
    }

    static Replayed measured(List<BenchRun.Shape> shapes, long[] arrival, long[] first, long[] completion,
            int from, int to) {
        int n = to - from;
        double[] send = new double[n];
        double[] ttft = new double[n];
        double[] tpot = new double[n];
        double[] e2e = new double[n];
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (int j = 0; j < n; j++) {
            int i = from + j;
            ttft[j] = (first[i] - arrival[i]) / 1e6;
            e2e[j] = (completion[i] - arrival[i]) / 1e6;
            int out = shapes.get(i).outputTokens();
            tpot[j] = out > 1 ? (completion[i] - first[i]) / 1e6 / (out - 1) : Double.NaN;
            start = Math.min(start, arrival[i]);
            end = Math.max(end, completion[i]);
        }
        for (int j = 0; j < n; j++) {
            send[j] = (arrival[from + j] - start) / 1e9;
        }
        return new Replayed(send, ttft, tpot, e2e, (end - start) / 1e9);
    }
}
