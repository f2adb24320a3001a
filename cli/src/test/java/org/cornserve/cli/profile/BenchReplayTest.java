package org.cornserve.cli.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cornserve.model.hardware.HardwareCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The closed-loop replay against closed forms: with one slot the client sends each request when the previous one
 * answers, so the run lasts exactly the sum of the latencies; with as many slots as requests it is the open-loop
 * simulation of all requests at once; in between, identical requests go in waves of {@code C}.
 */
class BenchReplayTest {
    static final HardwareCatalog CATALOG = HardwareCatalog.builtIn();

    static BenchRun run(int n, int concurrency, int input, int output) {
        return new BenchRun("test", BenchRun.fixed(n, input, output), concurrency, Double.POSITIVE_INFINITY, 1,
                Map.of("mean_e2el_ms", 1.0));
    }

    @ParameterizedTest(name = "{0} requests of {1} + {2} tokens")
    @CsvSource({"5, 1024, 128", "3, 64, 16", "4, 3000, 2"})
    void oneSlotRunsRequestsBackToBack(int n, int input, int output) {
        BenchReplay.Replayed r = new BenchReplay(CalibrationTest.PLAN, 1).replay(run(n, 1, input, output), CATALOG);
        double sumSeconds = java.util.Arrays.stream(r.e2eMs()).sum() / 1e3;
        assertEquals(sumSeconds, r.durationSeconds(), 1e-6 * sumSeconds);
        for (double e2e : r.e2eMs()) {
            assertEquals(r.e2eMs()[0], e2e, 1e-6, "alone on the engine, identical requests take the same time");
        }
        assertEquals(n / sumSeconds, r.statistics(List.of("request_throughput")).get("request_throughput"), 1e-9 * n);
    }

    /**
     * The semaphore of {@code vllm bench serve --max-concurrency C}, checked on the replay's own times: the first C
     * requests go at once, request {@code i >= C} goes exactly when the {@code (i - C)}-th response (in time order)
     * has come back, and never more than C are in flight.
     */
    @ParameterizedTest(name = "{0} requests, concurrency {1}, seed {2}")
    @CsvSource({"8, 4, 1", "9, 3, 2", "20, 6, 3", "7, 1, 4"})
    void sendsFollowTheSemaphore(int n, int concurrency, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        List<BenchRun.Shape> shapes = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            shapes.add(new BenchRun.Shape(1 + random.nextInt(4000), 1 + random.nextInt(200)));
        }
        BenchReplay.Replayed r = new BenchReplay(CalibrationTest.PLAN, seed).replay(
                new BenchRun("t", shapes, concurrency, Double.POSITIVE_INFINITY, 1, Map.of("mean_e2el_ms", 1.0)), CATALOG);
        double[] done = new double[n];
        for (int i = 0; i < n; i++) {
            done[i] = r.sendSeconds()[i] + r.e2eMs()[i] / 1e3;
        }
        double[] sorted = done.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < n; i++) {
            double expected = i < concurrency ? 0 : sorted[i - concurrency];
            assertEquals(expected, r.sendSeconds()[i], 2e-6, "send of request " + i);
            int inFlight = 0;
            for (int k = 0; k < n; k++) {
                if (r.sendSeconds()[k] <= r.sendSeconds()[i] && done[k] > r.sendSeconds()[i] + 2e-6) {
                    inFlight++;
                }
            }
            assertTrue(inFlight <= concurrency, inFlight + " in flight when request " + i + " is sent");
        }
        assertEquals(sorted[n - 1], r.durationSeconds(), 2e-6);
    }

    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"1", "2", "3"})
    void asManySlotsAsRequestsIsAllAtOnce(long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        List<BenchRun.Shape> shapes = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            shapes.add(new BenchRun.Shape(1 + random.nextInt(3000), 1 + random.nextInt(300)));
        }
        BenchReplay replay = new BenchReplay(CalibrationTest.PLAN, seed);
        var limited = replay.replay(new BenchRun("a", shapes, 12, Double.POSITIVE_INFINITY, 1, Map.of("mean_e2el_ms", 1.0)), CATALOG);
        var unlimited = replay.replay(new BenchRun("b", shapes, 0, Double.POSITIVE_INFINITY, 1, Map.of("mean_e2el_ms", 1.0)), CATALOG);
        assertArrayEquals(unlimited.e2eMs(), limited.e2eMs(), 1e-9);
        assertTrue(limited.durationSeconds() > 0);
    }

    /**
     * The replay against the way it used to be computed, the simple reference: open-loop simulations iterated to the
     * closed loop's fixed point (each request sent at {@code max(base + t_i, the earliest slot the previous
     * simulation's completions free)}, until no send moves by more than a microsecond). Sessions of several runs on
     * one server, with named prompts (the prefix cache carries over), finite and infinite rates, with and without a
     * front end.
     */
    @ParameterizedTest(name = "seed {0}, rate {1}, front end {2} us per token, prefix caching {3}")
    @CsvSource({"1, Infinity, 0, true", "2, 3.0, 0, true", "3, Infinity, 15, true", "4, 8.0, 5, false",
            "5, Infinity, 0, false"})
    void oneSimulationGivesTheIteratedFixedPoint(long seed, double rate, double usPerToken, boolean prefixCaching)
            throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        List<BenchRun> runs = new java.util.ArrayList<>();
        for (int r = 0; r < 3; r++) {
            List<BenchRun.Shape> shapes = new java.util.ArrayList<>();
            int n = 10 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                shapes.add(new BenchRun.Shape(1 + random.nextInt(3000), 1 + random.nextInt(200), random.nextInt(8)));
            }
            runs.add(new BenchRun("run " + r, shapes, 1 + random.nextInt(8), rate, 1, Map.of("mean_e2el_ms", 1.0)));
        }
        HardwareCatalog catalog = PublishedVllmRunsTest.catalog();
        org.cornserve.model.plan.DeploymentPlan plan = PublishedVllmRunsTest.edited(catalog,
                text -> text.replace("\"enable_prefix_caching\": true", "\"enable_prefix_caching\": " + prefixCaching));
        BenchReplay replay = new BenchReplay(plan, seed, new BenchReplay.FrontEnd(0, usPerToken));
        List<BenchReplay.Replayed> got = replay.replay(runs, catalog);
        List<BenchReplay.Replayed> want = fixedPoint(replay, seed, plan, runs, catalog);
        for (int r = 0; r < runs.size(); r++) {
            assertArrayEquals(want.get(r).sendSeconds(), got.get(r).sendSeconds(), 2e-6, "sends of run " + r);
            assertArrayEquals(want.get(r).ttftMs(), got.get(r).ttftMs(), 2e-3, "TTFTs of run " + r);
            assertArrayEquals(want.get(r).e2eMs(), got.get(r).e2eMs(), 2e-3, "E2Es of run " + r);
            assertEquals(want.get(r).durationSeconds(), got.get(r).durationSeconds(), 2e-6, "duration of run " + r);
        }
    }

    /** The fixed-point iteration over open-loop simulations (the replay before it simulated the client itself). */
    static List<BenchReplay.Replayed> fixedPoint(BenchReplay replay, long seed,
            org.cornserve.model.plan.DeploymentPlan plan, List<BenchRun> runs, HardwareCatalog catalog) {
        List<BenchRun.Shape> shapes = new java.util.ArrayList<>();
        int[] runStart = new int[runs.size() + 1];
        long[][] issue = new long[runs.size()][];
        for (int r = 0; r < runs.size(); r++) {
            runStart[r] = shapes.size();
            shapes.addAll(runs.get(r).requests());
            issue[r] = replay.issueTimes(runs.get(r));
        }
        int total = shapes.size();
        runStart[runs.size()] = total;
        long[] arrival = new long[total];
        long offset = 0;
        for (int r = 0; r < runs.size(); r++) {
            for (int i = 0; i < issue[r].length; i++) {
                arrival[runStart[r] + i] = offset + issue[r][i];
            }
            offset = arrival[runStart[r + 1] - 1] + BenchReplay.GAP_NANOS;
        }
        var runner = new org.cornserve.simulator.evaluate.SimulatorPlanRunner(seed, catalog);
        for (int iteration = 1; iteration <= 500; iteration++) {
            long[] engine = replay.frontEnd().engineArrivals(arrival, shapes);
            Integer[] order = new Integer[total];
            java.util.Arrays.setAll(order, i -> i);
            java.util.Arrays.sort(order, java.util.Comparator.comparingLong(i -> engine[i]));
            List<org.cornserve.traces.TraceRecord> trace = new java.util.ArrayList<>();
            for (int i : order) {
                BenchRun.Shape s = shapes.get(i);
                trace.add(new org.cornserve.traces.TraceRecord(engine[i], plan.models().get(0),
                        new org.cornserve.model.request.RequestShape(s.inputTokens(), List.of(), s.outputTokens(),
                                java.util.Set.of(org.cornserve.model.Modality.TEXT)), Integer.toString(i),
                        BenchReplay.pieces(s)));
            }
            long[] first = new long[total];
            long[] completion = new long[total];
            for (var rec : runner.simulate(plan, trace, new org.cornserve.planner.Slo(0, 0, 0, 1)).records()) {
                int i = order[Math.toIntExact(rec.request().id())];
                assertTrue(rec.completed(), "request " + i);
                first[i] = rec.firstOutputNanos();
                completion[i] = rec.completionNanos();
            }
            long[] next = new long[total];
            long previousEnd = -BenchReplay.GAP_NANOS;
            for (int r = 0; r < runs.size(); r++) {
                int from = runStart[r];
                int n = runStart[r + 1] - from;
                int slots = runs.get(r).maxConcurrency() == 0 ? n : Math.min(n, runs.get(r).maxConcurrency());
                long base = previousEnd + BenchReplay.GAP_NANOS;
                java.util.PriorityQueue<Long> free = new java.util.PriorityQueue<>();
                for (int k = 0; k < slots; k++) {
                    free.add(base);
                }
                long end = base;
                for (int i = 0; i < n; i++) {
                    int g = from + i;
                    next[g] = Math.max(base + issue[r][i], free.poll());
                    long done = completion[g] - arrival[g] + next[g];
                    free.add(done);
                    end = Math.max(end, done);
                }
                previousEnd = end;
            }
            long moved = 0;
            for (int i = 0; i < total; i++) {
                moved = Math.max(moved, Math.abs(next[i] - arrival[i]));
            }
            if (moved <= 1_000) {
                List<BenchReplay.Replayed> out = new java.util.ArrayList<>();
                for (int r = 0; r < runs.size(); r++) {
                    out.add(BenchReplay.measured(shapes, arrival, first, completion, runStart[r], runStart[r + 1]));
                }
                return out;
            }
            arrival = next;
        }
        throw new AssertionError("the fixed point did not settle in 500 simulations");
    }

    /**
     * The front end against a naive reference: a FIFO queue in send order, each request holding it for
     * {@code ms + us x prompt tokens}; a request sent to an idle front end reaches the engine after its own service.
     */
    @ParameterizedTest(name = "seed {0}, {1} ms + {2} us per token")
    @CsvSource({"1, 0, 10", "2, 5, 0", "3, 2.5, 7.5", "4, 0, 0"})
    void frontEndIsAFifoQueueInSendOrder(long seed, double ms, double us) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int n = 40;
        List<BenchRun.Shape> shapes = new java.util.ArrayList<>();
        long[] sent = new long[n];
        for (int i = 0; i < n; i++) {
            shapes.add(new BenchRun.Shape(1 + random.nextInt(4000), 1));
            sent[i] = random.nextInt(5) == 0 ? 0 : random.nextLong(200_000_000L); // ties at 0: index order
        }
        long[] got = new BenchReplay.FrontEnd(ms, us).engineArrivals(sent, shapes);
        // reference: repeatedly serve the earliest-sent waiting request (lowest index among ties)
        boolean[] done = new boolean[n];
        long free = Long.MIN_VALUE;
        for (int served = 0; served < n; served++) {
            int next = -1;
            for (int i = 0; i < n; i++) {
                if (!done[i] && (next < 0 || sent[i] < sent[next])) {
                    next = i;
                }
            }
            done[next] = true;
            free = Math.max(free, sent[next]) + Math.round(ms * 1e6 + us * 1e3 * shapes.get(next).inputTokens());
            assertEquals(free, got[next], "engine arrival of request " + next);
        }
    }

    /** One request at a time: the front end adds exactly its service time to TTFT and E2E, nothing to TPOT. */
    @ParameterizedTest(name = "{0} ms + {1} us per token")
    @CsvSource({"3, 0", "0, 20", "1.5, 4"})
    void frontEndDelaysALoneRequestByItsService(double ms, double us) {
        BenchRun one = run(3, 1, 1000, 50);
        BenchReplay.Replayed plain = new BenchReplay(CalibrationTest.PLAN, 1).replay(one, CATALOG);
        BenchReplay.Replayed fronted = new BenchReplay(CalibrationTest.PLAN, 1, new BenchReplay.FrontEnd(ms, us))
                .replay(one, CATALOG);
        double serviceMs = ms + us * 1000 / 1e3;
        for (int i = 0; i < 3; i++) {
            assertEquals(plain.ttftMs()[i] + serviceMs, fronted.ttftMs()[i], 1e-6);
            assertEquals(plain.e2eMs()[i] + serviceMs, fronted.e2eMs()[i], 1e-6);
            assertEquals(plain.tpotMs()[i], fronted.tpotMs()[i], 1e-9);
        }
    }

    /**
     * vLLM's async scheduling (the plan's {@code async_scheduling}; vLLM v1's default since vllm-project/vllm pull
     * request 27614): the engine decides step N+1 while step N computes, so a request that arrives once step N has
     * started joins step N+2. By hand: two requests sent together, the first starts a step of its own prefill (the
     * engine was idle); synchronously the second joins the next step, with the first one's first decode; under async
     * scheduling that next step was decided with the first request alone, so the second request's first token comes
     * exactly one lone decode step later (the decode step a single request of the same prompt takes after its prefill:
     * its E2E minus its TTFT with two output tokens), and the first request's does not move.
     */
    @ParameterizedTest(name = "{0} + {1} tokens")
    @CsvSource({"512, 8", "2048, 4", "100, 16"})
    void asyncSchedulingPutsTheSecondOfTwoRequestsSentTogetherOneDecodeStepLater(int input, int output) {
        BenchReplay.Replayed lone = new BenchReplay(CalibrationTest.PLAN.withAsyncScheduling(false), 1)
                .replay(run(1, 1, input, 2), CATALOG);
        double loneDecodeMs = lone.e2eMs()[0] - lone.ttftMs()[0];
        BenchReplay.Replayed sync = new BenchReplay(CalibrationTest.PLAN.withAsyncScheduling(false), 1)
                .replay(run(2, 2, input, output), CATALOG);
        BenchReplay.Replayed async = new BenchReplay(CalibrationTest.PLAN.withAsyncScheduling(true), 1)
                .replay(run(2, 2, input, output), CATALOG);
        assertEquals(sync.ttftMs()[0], async.ttftMs()[0], 1e-6, "the first request starts the idle engine either way");
        assertEquals(sync.ttftMs()[1] + loneDecodeMs, async.ttftMs()[1], 1e-3 * loneDecodeMs,
                "one lone decode step of " + loneDecodeMs + " ms");
    }

    @org.junit.jupiter.api.Test
    void frontEndRejectsNegativeOrInfiniteCosts() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new BenchReplay.FrontEnd(-1, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new BenchReplay.FrontEnd(0, Double.POSITIVE_INFINITY));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new BenchReplay.FrontEnd(Double.NaN, 0));
    }
}
