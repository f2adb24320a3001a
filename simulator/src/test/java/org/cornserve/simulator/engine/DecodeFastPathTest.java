package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.PromptBlocks;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.workload.PoissonWorkload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decode fast path (many decode iterations per event, cut short when work arrives) against stepping one
 * iteration per event, on the same workload: every request's first output and completion must agree to the
 * nanosecond. The cost model's latencies are whole nanoseconds, so summing per iteration and summing a run
 * give the same integers.
 */
class DecodeFastPathTest {

    static List<SimRequest> workload(long seed, int count, double rate) {
        List<SimRequest> out = new ArrayList<>();
        new PoissonWorkload(count, rate, seed, "chat", (SplittableRandom r) ->
                Fixtures.textRequest(1 + r.nextInt(3000), 1 + r.nextInt(400))).forEachRemaining(out::add);
        return out;
    }

    /**
     * Requests that end by the engine's end fact: no cap, or a cap above the trace length, and some truncated by a
     * cap below it.
     */
    static List<SimRequest> endFactWorkload(long seed, int count, double rate) {
        List<SimRequest> out = new ArrayList<>();
        new PoissonWorkload(count, rate, seed, "chat", (SplittableRandom r) -> {
            long output = 1 + r.nextInt(400);
            long cap = switch (r.nextInt(3)) {
                case 0 -> Work.UNCAPPED;
                case 1 -> output + r.nextInt(300);
                default -> 1 + r.nextInt(400);
            };
            return Fixtures.textRequest(1 + r.nextInt(3000), cap, output);
        }).forEachRemaining(out::add);
        return out;
    }

    /** Requests whose prompts share leading 512-token pieces with one of a few documents (prefix caching). */
    static List<SimRequest> sharedPrefixWorkload(long seed, int count, double rate) {
        List<SimRequest> out = new ArrayList<>();
        new PoissonWorkload(count, rate, seed, "chat", (SplittableRandom r) -> {
            long prompt = 1 + r.nextInt(3000);
            long output = 1 + r.nextInt(400);
            long[] ids = new long[(int) ((prompt + 511) / 512)];
            int doc = r.nextInt(3);
            int shared = r.nextInt(ids.length + 1);
            for (int k = 0; k < ids.length; k++) {
                ids[k] = k < shared ? doc * 1000L + k : r.nextLong();
            }
            Work w = Work.llm(prompt, r.nextBoolean() ? Work.UNCAPPED : output + r.nextInt(100))
                    .withPromptBlocks(PromptBlocks.of(512, ids));
            return InvocationGraph.single(new Invocation("m/llm", w, true), output);
        }).forEachRemaining(out::add);
        return out;
    }

    static long preemptions;
    static long hitTokens;
    static String router = "least-outstanding";

    static SimResult run(List<SimRequest> requests, LlmBatching batching, boolean closedForm) {
        Simulator sim = new Simulator(Fixtures.llmOnly(2, batching, new Fixtures.LinearLlm(closedForm), router));
        SimResult result = sim.run(requests.iterator());
        preemptions = 0;
        hitTokens = 0;
        for (int r = 0; r < 2; r++) {
            preemptions += ((LlmBatcher) sim.core().replica(0, r).batcher(0)).preemptions();
            hitTokens += ((LlmBatcher) sim.core().replica(0, r).batcher(0)).prefixHitTokens();
        }
        return result;
    }

    @ParameterizedTest(name = "seed {0}, {1}, KV {2} tokens, closed form {3}")
    @CsvSource({
        "1, recompute, 1000000, true",
        "2, recompute, 8000, true",
        "3, recompute, 12000, false",
        "4, none, 30000, true",
        "5, none, 1000000, false",
        "6, swap, 12000, true",
    })
    void fastPathMatchesSteppingEveryIteration(long seed, String preemption, long kvTokens, boolean closedForm) {
        compare(workload(seed, 1500, 12), seed, preemption, kvTokens, closedForm);
    }

    @ParameterizedTest(name = "end facts, seed {0}, {1}, KV {2} tokens, closed form {3}")
    @CsvSource({
        "11, recompute, 1000000, true",
        "12, recompute, 8000, true",
        "13, recompute, 12000, false",
        "14, none, 200000, true",
        "15, swap, 12000, true",
    })
    void withEndFactsTheFastPathMatchesSteppingEveryIteration(long seed, String preemption, long kvTokens,
            boolean closedForm) {
        compare(endFactWorkload(seed, 1500, preemption.equals("none") ? 4 : 12), seed, preemption, kvTokens, closedForm);
    }

    /**
     * With prefix caching, including preemption and eviction. The prefix-aware router runs only where nothing is
     * evicted: it reads the caches as of the last step boundary, and a decode run pops its growth blocks (evicting)
     * when it ends, so where the cache is full a request arriving mid-run may be routed differently than when
     * stepping every iteration (seed 22 with prefix-aware routing: 62 against 65 preemptions).
     */
    @ParameterizedTest(name = "prefix caching, seed {0}, {1}, KV {2} tokens, block {3}, {4}")
    @CsvSource({
        "21, recompute, 1000000, 16, prefix-aware",
        "22, recompute, 12000, 16, least-outstanding",
        "23, recompute, 8000, 8, least-outstanding",
        "24, none, 200000, 16, prefix-aware",
        "25, swap, 12000, 32, round-robin",
    })
    void withPrefixCachingTheFastPathMatchesSteppingEveryIteration(long seed, String preemption, long kvTokens,
            int block, String routerName) {
        router = routerName;
        try {
            LlmBatching batching = Fixtures.llmBatching(kvTokens, Preemption.parse(preemption)).withPrefixCaching(true, block);
            compare(sharedPrefixWorkload(seed, 1500, preemption.equals("none") ? 4 : 12), seed, batching, true);
            assertTrue(hitTokens > 0, "shared prefixes hit the cache");
        } finally {
            router = "least-outstanding";
        }
    }

    private static void compare(List<SimRequest> requests, long seed, String preemption, long kvTokens,
            boolean closedForm) {
        compare(requests, seed, Fixtures.llmBatching(kvTokens, Preemption.parse(preemption)), closedForm);
    }

    private static void compare(List<SimRequest> requests, long seed, LlmBatching fast, boolean closedForm) {
        long kvTokens = fast.kvCapacityTokens();
        SimResult a = run(requests, fast, closedForm);
        long fastPreemptions = preemptions;
        long fastHits = hitTokens;
        SimResult b = run(requests, fast.withMaxRunIterations(1), closedForm);
        assertEquals(preemptions, fastPreemptions, "same preemptions");
        assertEquals(hitTokens, fastHits, "same prefix-cache hits");
        if (kvTokens <= 30_000 && fast.preemption() != Preemption.NONE) {
            assertTrue(preemptions > 0, "a small cache preempts");
        }
        assertEquals(requests.size(), a.completed());
        assertEquals(requests.size(), b.completed());
        for (int i = 0; i < requests.size(); i++) {
            RequestRecord x = a.records().get(i);
            RequestRecord y = b.records().get(i);
            assertEquals(y.firstOutputNanos(), x.firstOutputNanos(), "first output of request " + i);
            assertEquals(y.completionNanos(), x.completionNanos(), "completion of request " + i);
            assertEquals(y.startedNanos(0), x.startedNanos(0), "start of request " + i);
        }
        assertTrue(a.events() < b.events(), "the fast path handles fewer events: " + a.events() + " vs " + b.events());
        System.out.printf("seed %d: fast path %d events (+%d superseded), stepping %d events, %d preemptions%n", seed,
                a.events(), a.staleEvents(), b.events(), preemptions);
    }
}
