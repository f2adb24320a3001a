package org.cornserve.cli.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The simulator against three published vLLM runs on one GPU kind, first with the estimated profile (the catalog's
 * A100 efficiencies, fitted to nothing of this card), then calibrated on one run and checked on the other two.
 *
 * <p>Source: cssnoeasy, "vLLM TP1 vs TP2 on two A100 PCIe: formal baseline" (in Chinese), section 8 (three-run means)
 * and section 10 (per-run rows of the short workload): https://github.com/cssnoeasy/a100-vllm-benchmark-blog ,
 * docs/reports/a100-tp1-vs-tp2-formal-baseline.md (commit e4226b0). Settings: Qwen2.5-7B-Instruct, float16, one
 * NVIDIA A100 80GB PCIe (TP=1), vLLM 0.19.0 (v1 engine: chunked prefill; on an A100 {@code vllm serve} defaults to
 * max_num_batched_tokens 2048 and max_num_seqs 256, vllm-project/vllm tests/engine/test_arg_utils.py
 * test_defaults_with_usage_context; async scheduling, vLLM's default since pull request 27614: the plan's
 * async_scheduling), --gpu-memory-utilization 0.75, --max-model-len 4096, --seed 0; client
 * {@code vllm bench serve --backend openai --dataset-name random --random-input-len I --random-output-len O
 * --num-prompts 100 --max-concurrency C --seed 0} (request rate inf). The published token throughputs give exactly
 * I input and O output tokens per request (e.g. 906.60 / 7.08 = 128.05 output tokens). No preemption, KV cache under
 * 10% full. Published per workload: request throughput, TTFT P50/P95/P99, TPOT P99, E2E P99 (no means; the JSON
 * files are not in the repository). The short workload's first run had unexplained 8-second TTFTs (the author's
 * section 10: the first benchmark after warm-up); its numbers here are the mean of runs 2 and 3.
 *
 * <p>The A100 PCIe's efficiencies are estimated, not fitted: the catalog's A100 80GB SXM efficiencies (Vidur's GEMM
 * profiles on the SXM card) times 0.9, NVIDIA's stated real-world performance of the power-limited PCIe A100 relative to
 * the SXM4 one (sources in the hardware file).
 *
 * <p>Qwen2.5-7B is the catalog's Qwen2.5-VL-7B LLM (same decoder: 28 layers, hidden 3584, 4 KV heads,
 * intermediate 18944, vocabulary 152064), served by its LLM alone. The plan and the A100 PCIe hardware file are
 * experiments/vllm-validation/.
 */
class PublishedVllmRunsTest {

    static final Path DIR = Path.of("../experiments/vllm-validation");

    /** Workload long_short_medium: 2048 in, 128 out, concurrency 16 (three-run means). */
    static final BenchRun LONG_SHORT = new BenchRun("long_short_medium C=16", BenchRun.fixed(100, 2048, 128), 16,
            Double.POSITIVE_INFINITY, 1, Map.of("request_throughput", 7.08, "median_ttft_ms", 351.41,
                    "p95_ttft_ms", 649.73, "p99_ttft_ms", 825.18, "p99_tpot_ms", 16.80, "p99_e2el_ms", 2649.36));

    /** Workload long_long_high: 2048 in, 512 out, concurrency 32 (three-run means). */
    static final BenchRun LONG_LONG = new BenchRun("long_long_high C=32", BenchRun.fixed(100, 2048, 512), 32,
            Double.POSITIVE_INFINITY, 1, Map.of("request_throughput", 3.43, "median_ttft_ms", 228.90,
                    "p95_ttft_ms", 572.04, "p99_ttft_ms", 638.80, "p99_tpot_ms", 14.75, "p99_e2el_ms", 8108.90));

    /** Workload short_short_low: 512 in, 256 out, concurrency 8 (mean of runs 2 and 3). */
    static final BenchRun SHORT_SHORT = new BenchRun("short_short_low C=8", BenchRun.fixed(100, 512, 256), 8,
            Double.POSITIVE_INFINITY, 1, Map.of("request_throughput", (2.63 + 2.63) / 2,
                    "median_ttft_ms", (68.74 + 75.91) / 2, "p95_ttft_ms", (108.45 + 105.13) / 2,
                    "p99_ttft_ms", (134.84 + 108.33) / 2, "p99_tpot_ms", (11.33 + 11.34) / 2,
                    "p99_e2el_ms", (2977.45 + 2953.48) / 2));

    static HardwareCatalog catalog() {
        return HardwareCatalog.builtInWith(List.of(DIR.resolve("a100-80gb-pcie.json")));
    }

    static DeploymentPlan plan() {
        return new PlanValidator(ModelCatalog.builtIn(), catalog())
                .readAndValidate(DIR.resolve("qwen2.5-7b-1xa100-pcie.json")).plan();
    }

    /**
     * This directory's plan with {@code edit} applied to its text, validated from a temporary file that is removed
     * again (each CI run used to leave three in /tmp).
     */
    static DeploymentPlan edited(HardwareCatalog catalog, java.util.function.UnaryOperator<String> edit)
            throws java.io.IOException {
        Path tmp = java.nio.file.Files.createTempFile("plan-edited", ".json");
        try {
            java.nio.file.Files.writeString(tmp, edit.apply(java.nio.file.Files.readString(
                    DIR.resolve("qwen2.5-7b-1xa100-pcie.json"))));
            return new PlanValidator(ModelCatalog.builtIn(), catalog).readAndValidate(tmp).plan();
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }

    static DeploymentPlan plan(boolean prefixCaching) {
        if (prefixCaching) {
            return plan();
        }
        try {
            return edited(catalog(), text -> text.replace("\"enable_prefix_caching\": true",
                    "\"enable_prefix_caching\": false"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The author's sequence on one server: short, long-short, long-long, three rounds, one {@code --seed} (so
     * request {@code i} sends the same prompt in every run, and a 512-token prompt is the start of the 2048-token one).
     */
    static List<BenchRun> session() {
        List<BenchRun> runs = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (BenchRun w : List.of(SHORT_SHORT, LONG_SHORT, LONG_LONG)) {
                runs.add(w.withRandomDatasetPrompts());
            }
        }
        return runs;
    }

    /** Simulated statistics of each workload, averaged over the rounds the published numbers average. */
    static Map<String, Map<String, Double>> simulated(HardwareCatalog catalog) {
        return simulated(catalog, true);
    }

    static Map<String, Map<String, Double>> simulated(HardwareCatalog catalog, boolean prefixCaching) {
        return simulated(catalog, prefixCaching, BenchReplay.FrontEnd.NONE);
    }

    static Map<String, Map<String, Double>> simulated(HardwareCatalog catalog, boolean prefixCaching,
            BenchReplay.FrontEnd frontEnd) {
        List<BenchRun> runs = session();
        List<BenchReplay.Replayed> replayed = new BenchReplay(plan(prefixCaching), 1, frontEnd).replay(runs, catalog);
        Map<String, Map<String, Double>> out = new java.util.LinkedHashMap<>();
        for (int w = 0; w < 3; w++) {
            BenchRun workload = runs.get(w);
            Map<String, Double> mean = new java.util.TreeMap<>();
            int firstRound = workload.source().equals(SHORT_SHORT.source()) ? 1 : 0;
            for (int round = firstRound; round < 3; round++) {
                replayed.get(round * 3 + w).statistics(workload.statistics().keySet())
                        .forEach((k, v) -> mean.merge(k, v / (3 - firstRound), Double::sum));
            }
            out.put(workload.source(), mean);
        }
        return out;
    }

    /** Statistics the model gets right or wrong for a structural reason apart: TTFT is reported, not fitted. */
    static boolean ttft(String key) {
        return key.contains("ttft");
    }

    static void print(String title, Map<String, Map<String, Double>> sim) {
        System.out.println(title);
        for (BenchRun run : List.of(SHORT_SHORT, LONG_SHORT, LONG_LONG)) {
            run.statistics().forEach((k, v) -> System.out.printf(java.util.Locale.ROOT,
                    "| %s | %s | %.2f | %.2f | %+.1f%% |%n", run.source(), k, v, sim.get(run.source()).get(k),
                    100 * (sim.get(run.source()).get(k) / v - 1)));
        }
    }

    /**
     * Estimated profile, two readings of the server's prefix cache. Without it (every prompt computed in full) the
     * long-prompt runs cannot reach their published throughput: 7.08 requests/s of 2048 prompt tokens is 62% of the
     * card's 312 TFLOP/s in prefill alone, and the decode steps the 906 output tokens/s need do not fit in the rest of
     * the second. With vLLM v1's default prefix caching and the random dataset's prompts (the same 100 prompts in all
     * nine runs, the short ones the start of the long ones) and the PCIe card's efficiencies (the SXM card's scaled by
     * NVIDIA's stated 90% relative performance of the PCIe A100; nothing fitted to these runs), throughput, TPOT P99 and
     * E2E P99 come within 10% but TTFT is far too low (see experiments/vllm-validation.md).
     */
    @Tag("slow")
    @Test
    void estimatedProfile() {
        Map<String, Map<String, Double>> off = simulated(catalog(), false);
        Map<String, Map<String, Double>> on = simulated(catalog(), true);
        print("estimated, prefix caching off", off);
        print("estimated, prefix caching on (vLLM v1 default)", on);
        assertTrue(off.get(LONG_SHORT.source()).get("request_throughput") < 0.8 * 7.08,
                "without cache hits the long-prompt run is compute-bound below its published throughput: " + off);
        for (BenchRun run : List.of(SHORT_SHORT, LONG_SHORT, LONG_LONG)) {
            run.statistics().forEach((k, v) -> {
                if (!ttft(k)) {
                    assertEquals(v, on.get(run.source()).get(k), 0.1 * v, run.source() + " " + k);
                }
            });
        }
    }

    /**
     * The estimated profile with vLLM's front end as published measurements give it ({@link
     * BenchReplay.FrontEnd#VLLM_ESTIMATE}: 2.5 us per prompt token to tokenise and prime the detokenizer; nothing
     * fitted to these runs). It lengthens the TTFT tails of the long-prompt runs, whose first C requests arrive
     * together, by at most C x 2048 x 2.5 us (82 ms at C=16, 164 ms at C=32), a small part of what the published tails
     * show; throughput, TPOT P99 and E2E P99 stay within 10%.
     */
    @Tag("slow")
    @Test
    void estimatedProfileWithVllmsFrontEnd() {
        Map<String, Map<String, Double>> none = simulated(catalog(), true);
        Map<String, Map<String, Double>> fronted = simulated(catalog(), true, BenchReplay.FrontEnd.VLLM_ESTIMATE);
        print("estimated, vLLM's front end from published measurements (2.5 us per prompt token)", fronted);
        for (BenchRun run : List.of(SHORT_SHORT, LONG_SHORT, LONG_LONG)) {
            run.statistics().forEach((k, v) -> {
                if (!ttft(k)) {
                    assertEquals(v, fronted.get(run.source()).get(k), 0.1 * v, run.source() + " " + k);
                }
            });
        }
        for (BenchRun run : List.of(LONG_SHORT, LONG_LONG)) {
            double before = none.get(run.source()).get("p99_ttft_ms");
            double after = fronted.get(run.source()).get("p99_ttft_ms");
            double bound = run.maxConcurrency() * 2048 * 2.5e-3;
            assertTrue(after > before && after <= before + bound + 1, run.source() + ": " + before + " -> " + after);
        }
    }

    /**
     * Calibrated on the long-prompt, short-answer run (its request throughput, TPOT P99 and E2E P99; prefix caching on),
     * checked on the two runs it did not see: those statistics come within 8% each and 5% on average; adding the serial
     * front end fitted to the same run's TTFT P95 and P99, within 10% each.
     */
    @Tag("slow")
    @Test
    void calibratedOnLongShortReproducesTheOtherRuns() {
        HardwareCatalog catalog = catalog();
        EfficiencySearch.Result fit = fitTo(catalog, List.of(LONG_SHORT), 60);
        HardwareCatalog fitted = catalog.overriddenBy(HardwareCatalog.of(List.of(fit.hardware())));
        Map<String, Map<String, Double>> sim = simulated(fitted);
        print("calibrated on long_short_medium: " + fit.hardware().efficiency(), sim);
        BenchReplay.FrontEnd frontEnd = fitFrontEnd(fitted, LONG_SHORT);
        Map<String, Map<String, Double>> fronted = simulated(fitted, true, frontEnd);
        print("calibrated on long_short_medium, front end " + frontEnd + " fitted to its TTFT P95/P99", fronted);
        double sumAbs = 0;
        int n = 0;
        for (BenchRun run : List.of(SHORT_SHORT, LONG_LONG)) {
            for (var e : run.statistics().entrySet()) {
                if (!ttft(e.getKey())) {
                    double err = Math.abs(sim.get(run.source()).get(e.getKey()) / e.getValue() - 1);
                    assertTrue(err < 0.08, run.source() + " " + e.getKey() + " off by " + err + ": " + sim);
                    sumAbs += err;
                    n++;
                }
            }
        }
        assertTrue(sumAbs / n < 0.05, "mean abs error on the held-out runs " + sumAbs / n);
        // with the serial front end fitted to long-short's TTFT tails (15 us per prompt token, six times what published
        // measurements of vLLM's tokeniser and detokenizer give, FrontEnd.VLLM_ESTIMATE), the first requests of each run
        // queue behind each other: every held-out statistic but TTFT within 10% (long-long's E2E P99 +9.4%: the fitted
        // front end overshoots that run's TTFT tails by half, see experiments/vllm-validation.md)
        for (BenchRun run : List.of(SHORT_SHORT, LONG_LONG)) {
            for (var e : run.statistics().entrySet()) {
                if (!ttft(e.getKey())) {
                    double err = Math.abs(fronted.get(run.source()).get(e.getKey()) / e.getValue() - 1);
                    assertTrue(err < 0.10, "with " + frontEnd + ": " + run.source() + " " + e.getKey() + " off by " + err);
                }
            }
        }
    }

    /**
     * Mean over {@code workloads}' statistics other than TTFT (request throughput, TPOT P99, E2E P99) of the squared log
     * ratio of simulated ({@code sim}, by workload) to published: what the calibration here minimises.
     */
    static double nonTtftLogError(Map<String, Map<String, Double>> sim, List<BenchRun> workloads) {
        double sum = 0;
        int n = 0;
        for (BenchRun run : workloads) {
            for (var e : run.statistics().entrySet()) {
                if (!ttft(e.getKey())) {
                    double r = Math.log(sim.get(run.source()).get(e.getKey()) / e.getValue());
                    sum += r * r;
                    n++;
                }
            }
        }
        return sum / n;
    }

    /**
     * The PCIe card's efficiencies and overhead fitted to {@code workloads} at once ({@link EfficiencySearch}, each
     * evaluation a replay of the nine-run session, the workloads' round means against their published statistics).
     */
    static EfficiencySearch.Result fitTo(HardwareCatalog catalog, List<BenchRun> workloads, int maxEvaluations) {
        return new EfficiencySearch(catalog.get("a100-80gb-pcie"), maxEvaluations).minimise(hw -> nonTtftLogError(
                SESSIONS.computeIfAbsent(fittedValues(hw), k -> simulated(catalog.overriddenBy(HardwareCatalog.of(
                        List.of(hw))))), workloads));
    }

    /**
     * The simulated session by the three values a fit varies (compute, bandwidth, overhead): every fit here starts with
     * the same 65-point grid and the replay is deterministic, so the six leave-one-out fits and the long-short fit share
     * those replays instead of repeating them (the fits' results are unchanged; 425 replays instead of 875 when both tests run). Every caller
     * passes {@link #catalog()}, so the three values are the whole difference between two replays.
     */
    private static final Map<List<Double>, Map<String, Map<String, Double>>> SESSIONS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static List<Double> fittedValues(org.cornserve.model.hardware.Hardware hw) {
        var e = hw.efficiency();
        return List.of(e.compute(), e.memoryBandwidth(), e.iterationOverheadMs());
    }

    /**
     * Joint calibration against single-run calibration, with fair splits: fitted on two of the three workloads and
     * judged on the third, for each of the three choices (leave one out), and fitted on each one alone and judged on
     * the other two; every fit also judged on D. Lee's run (a different server, never fitted). Prints the table of
     * experiments/vllm-validation.md ("Table 2"); holds what it found (see there).
     */
    @Tag("slow")
    @Test
    void jointCalibrationLeaveOneOut() throws Exception {
        HardwareCatalog catalog = catalog();
        List<BenchRun> workloads = List.of(SHORT_SHORT, LONG_SHORT, LONG_LONG);
        DeploymentPlan lee = leePlan("a100-80gb-pcie");
        List<List<BenchRun>> splits = new java.util.ArrayList<>();
        for (BenchRun out : workloads) {
            splits.add(workloads.stream().filter(w -> w != out).toList());
        }
        for (BenchRun only : workloads) {
            splits.add(List.of(only));
        }
        Map<String, double[]> heldOutByFit = new java.util.LinkedHashMap<>();
        // the six fits are independent: side by side (in order of the splits), then judged one by one
        long t0 = System.nanoTime();
        List<EfficiencySearch.Result> fits = splits.parallelStream().map(s -> fitTo(catalog, s, 60)).toList();
        System.out.printf(java.util.Locale.ROOT, "six fits in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        for (int i = 0; i < splits.size(); i++) {
            List<BenchRun> fittedOn = splits.get(i);
            EfficiencySearch.Result fit = fits.get(i);
            HardwareCatalog fitted = catalog.overriddenBy(HardwareCatalog.of(List.of(fit.hardware())));
            Map<String, Map<String, Double>> sim = simulated(fitted);
            String name = fittedOn.stream().map(BenchRun::source).collect(java.util.stream.Collectors.joining(" + "));
            var e = fit.hardware().efficiency();
            System.out.printf(java.util.Locale.ROOT, "fitted on %s: compute %.3f, bandwidth %.3f, overhead %.2f ms,"
                    + " objective %.2e, %d evaluations%n", name, e.compute(), e.memoryBandwidth(),
                    e.iterationOverheadMs(), fit.objective(), fit.evaluations());
            List<Double> heldOut = new java.util.ArrayList<>();
            for (BenchRun run : workloads) {
                boolean seen = fittedOn.contains(run);
                for (var st : run.statistics().entrySet()) {
                    double v = sim.get(run.source()).get(st.getKey());
                    double err = 100 * (v / st.getValue() - 1);
                    System.out.printf(java.util.Locale.ROOT, "| %s | %s%s | %s | %.2f | %.2f | %+.1f%% |%n", name,
                            run.source(), seen ? " (fitted)" : " (held out)", st.getKey(), st.getValue(), v, err);
                    if (!seen && !ttft(st.getKey())) {
                        heldOut.add(Math.abs(err));
                    }
                    if (seen && !ttft(st.getKey())) {
                        assertTrue(Math.abs(err) < 8, name + ": fitted " + run.source() + " " + st.getKey() + " " + err);
                    }
                }
            }
            Map<String, Double> onLee = new BenchReplay(lee, 1).replay(LEE_TEST5, fitted)
                    .statistics(LEE_TEST5.statistics().keySet());
            double leeSum = 0;
            for (var st : LEE_TEST5.statistics().entrySet()) {
                double err = 100 * (onLee.get(st.getKey()) / st.getValue() - 1);
                leeSum += Math.abs(err);
                System.out.printf(java.util.Locale.ROOT, "| %s | Lee (held out) | %s | %.2f | %.2f | %+.1f%% |%n", name,
                        st.getKey(), st.getValue(), onLee.get(st.getKey()), err);
            }
            double mean = heldOut.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double max = heldOut.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            heldOutByFit.put(name, new double[] {mean, max, leeSum / LEE_TEST5.statistics().size()});
            System.out.printf(java.util.Locale.ROOT, "held out (throughput, TPOT P99, E2E P99) after fitting on %s:"
                    + " mean %.1f%%, largest %.1f%%; Lee mean %.1f%%%n", name, mean, max, leeSum / LEE_TEST5.statistics().size());
        }
        heldOutByFit.forEach((k, v) -> System.out.printf(java.util.Locale.ROOT, "| %s | %.1f%% | %.1f%% | %.1f%% |%n",
                k, v[0], v[1], v[2]));
        // fitted on two, every held-out statistic within 5% for each of the three splits (largest 4.6%); the worst
        // joint split's largest held-out error below the best single-run fit's (7.5%, long-short alone): one run leaves
        // the bandwidth-overhead valley open, two close it
        List<double[]> joint = heldOutByFit.values().stream().limit(3).toList();
        List<double[]> single = heldOutByFit.values().stream().skip(3).toList();
        for (var e : heldOutByFit.entrySet()) {
            if (joint.contains(e.getValue())) {
                assertTrue(e.getValue()[1] < 5, "fitted on " + e.getKey() + ": largest held-out " + e.getValue()[1]);
            }
        }
        double worstJoint = joint.stream().mapToDouble(v -> v[1]).max().orElseThrow();
        double bestSingle = single.stream().mapToDouble(v -> v[1]).min().orElseThrow();
        assertTrue(worstJoint < bestSingle, "joint " + worstJoint + "% vs single " + bestSingle + "%");
    }

    /**
     * D. Lee's plan: this directory's plan with its {@code --gpu-memory-utilization 0.5}, on {@code card}, and
     * scheduled synchronously, as vLLM was by default when it ran.
     */
    static DeploymentPlan leePlan(String card) throws java.io.IOException {
        DeploymentPlan lee = edited(catalog(), text -> text.replace("\"gpu_memory_utilization\": 0.75",
                "\"gpu_memory_utilization\": 0.5").replace("a100-80gb-pcie", card));
        // September 2025 logs: before async scheduling became vLLM's default (pull request 27614, merged October 2025)
        return lee.withAsyncScheduling(false);
    }

    /**
     * TTFT's tails as a serial front end (vLLM's single API-server process tokenising each prompt, building its
     * request and priming its detokenizer before the engine sees it; see experiments/vllm-validation.md): with the
     * estimated profile, a cost per prompt token fitted to long-long's TTFT P95 and P99 (grid 0, 1, ..., 30 us) gives
     * long-short's TTFT P95 and P99 within 15%: the first C requests of a run, sent at once, queue behind each other's
     * front-end work. The medians and the short prompts' TTFTs stay far too low (printed, not held): what keeps most
     * requests' TTFT at 4 to 6 engine steps in the measured runs is not this queue.
     */
    @Tag("slow")
    @Test
    void serialFrontEndFittedOnLongLongGivesLongShortTtftTails() {
        HardwareCatalog catalog = catalog();
        BenchReplay.FrontEnd frontEnd = fitFrontEnd(catalog, LONG_LONG);
        Map<String, Map<String, Double>> sim = simulated(catalog, true, frontEnd);
        print("estimated, serial front end of " + frontEnd.usPerPromptToken()
                + " us per prompt token (fitted on long_long_high TTFT P95/P99)", sim);
        for (String k : List.of("p95_ttft_ms", "p99_ttft_ms")) {
            double published = LONG_SHORT.statistics().get(k);
            assertEquals(published, sim.get(LONG_SHORT.source()).get(k), 0.15 * published, "long_short " + k + ": " + sim);
        }
    }

    /**
     * The causes of the TTFT gap that vLLM's source allows, replayed (experiments/vllm-validation.md, "TTFT, found").
     * None of them reaches the published medians:
     * <ul>
     * <li>the prefix cache missing short's prompts in every round (the replay with short's prompts unique): in the
     * published rounds 2 and 3 TPOT P99 is 11.34 ms, as the cached replay gives it, where recomputing the 512-token
     * prompts in the running batch costs the decodes several percent more, so the prompts were cached, as the random
     * dataset's source says they are;</li>
     * <li>async scheduling (vLLM v1's default, in this directory's plan: the step after the running one is decided while
     * the running one computes, so a request that arrives during step N joins step N + 2), against the same replay
     * scheduled synchronously;</li>
     * <li>the API server's sourced per-token work ({@link BenchReplay.FrontEnd#VLLM_ESTIMATE}), one request's worth
     * (its queue only lengthens the first C requests, the tails; replayed, it lowers the medians a little, since the
     * staggered requests no longer move in waves).</li>
     * </ul>
     * Together they stay under 60% of each workload's published median TTFT.
     */
    @Tag("slow")
    @Test
    void ttftCausesFromVllmsSourceStayUnderThePublishedMedians() {
        HardwareCatalog catalog = catalog();
        List<String> keys = List.of("median_ttft_ms", "p95_ttft_ms", "p99_ttft_ms", "p99_tpot_ms");
        assertTrue(plan().asyncSchedulingOrDefault(), "vLLM 0.19 schedules asynchronously by default");
        Map<String, Map<String, Double>> async = roundMeans(plan(), session(), catalog, keys);
        Map<String, Map<String, Double>> sync = roundMeans(plan().withAsyncScheduling(false), session(), catalog, keys);
        List<BenchRun> shortUnique = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            shortUnique.add(SHORT_SHORT);
            shortUnique.add(LONG_SHORT.withRandomDatasetPrompts());
            shortUnique.add(LONG_LONG.withRandomDatasetPrompts());
        }
        Map<String, Double> uncachedShort = roundMeans(plan(), shortUnique, catalog, keys).get(SHORT_SHORT.source());
        System.out.println("| workload | published TTFT P50 / P95 / P99 | replay, synchronous | replay, async scheduling"
                + " | + sourced front end (P50) | published TPOT P99 | replay |");
        for (BenchRun run : List.of(SHORT_SHORT, LONG_SHORT, LONG_LONG)) {
            Map<String, Double> a = async.get(run.source());
            Map<String, Double> y = sync.get(run.source());
            double all = a.get("median_ttft_ms")
                    + BenchReplay.FrontEnd.VLLM_ESTIMATE.serviceNanos(run.requests().get(0).inputTokens()) / 1e6;
            double published = run.statistics().get("median_ttft_ms");
            System.out.printf(java.util.Locale.ROOT, "| %s | %s | %s | %s | %.2f | %.2f | %.2f |%n", run.source(),
                    ttfts(run.statistics()), ttfts(y), ttfts(a), all, run.statistics().get("p99_tpot_ms"),
                    a.get("p99_tpot_ms"));
            for (String k : List.of("median_ttft_ms", "p95_ttft_ms", "p99_ttft_ms")) {
                assertTrue(a.get(k) >= y.get(k) - 1e-6, run.source() + " " + k + ": async " + a + ", sync " + y);
            }
            assertTrue(all < 0.6 * published, run.source() + ": " + all + " ms of " + published);
        }
        System.out.printf(java.util.Locale.ROOT, "short, prompts never cached: TTFT %s, TPOT P99 %.2f%n",
                ttfts(uncachedShort), uncachedShort.get("p99_tpot_ms"));
        double tpot = SHORT_SHORT.statistics().get("p99_tpot_ms");
        assertEquals(tpot, async.get(SHORT_SHORT.source()).get("p99_tpot_ms"), 0.02 * tpot, "cached: " + async);
        assertTrue(uncachedShort.get("p99_tpot_ms") > 1.05 * tpot, "uncached: " + uncachedShort);
    }

    /** The same session on the report's TP=2 server (two A100 PCIe, no NVLink; section 8 means, short: section 10's
     * rounds 2 and 3). */
    static final List<BenchRun> TP2 = List.of(
            new BenchRun("short_short_low C=8", BenchRun.fixed(100, 512, 256), 8, Double.POSITIVE_INFINITY, 1,
                    Map.of("request_throughput", (3.65 + 3.66) / 2, "median_ttft_ms", (53.87 + 54.43) / 2,
                            "p95_ttft_ms", (98.17 + 75.11) / 2, "p99_ttft_ms", (112.19 + 92.21) / 2,
                            "p99_tpot_ms", (8.10 + 8.09) / 2, "p99_e2el_ms", (2165.34 + 2147.62) / 2)),
            new BenchRun("long_short_medium C=16", BenchRun.fixed(100, 2048, 128), 16, Double.POSITIVE_INFINITY, 1,
                    Map.of("request_throughput", 9.45, "median_ttft_ms", 370.51, "p95_ttft_ms", 684.10,
                            "p99_ttft_ms", 814.59, "p99_tpot_ms", 13.20, "p99_e2el_ms", 2133.88)),
            new BenchRun("long_long_high C=32", BenchRun.fixed(100, 2048, 512), 32, Double.POSITIVE_INFINITY, 1,
                    Map.of("request_throughput", 4.97, "median_ttft_ms", 183.36, "p95_ttft_ms", 569.11,
                            "p99_ttft_ms", 644.39, "p99_tpot_ms", 10.16, "p99_e2el_ms", 5808.30)));

    /**
     * The report's TP=2 runs (experiments/vllm-validation.md, "TTFT, found"): the published long-prompt TTFT tails are
     * those of TP=1 although the steps are 21% to 31% shorter, and the serial front end fitted to TP=1's long-long
     * tails gives TP=2's long-long P95 and P99 within 5%, as a cost of the API server, not of the GPU, would. The
     * replayed TP=2 engine itself is too fast (tensor parallelism over PCIe without NVLink is costed low; printed).
     */
    @Tag("slow")
    @Test
    void theFrontEndFittedAtTp1GivesTheTp2Tails() throws java.io.IOException {
        HardwareCatalog catalog = catalog();
        BenchReplay.FrontEnd frontEnd = fitFrontEnd(catalog, LONG_LONG);
        DeploymentPlan tp2 = edited(catalog, text -> text.replace("\"devices_per_node\": 1", "\"devices_per_node\": 2")
                .replace("\"devices_per_replica\": 1", "\"devices_per_replica\": 2")
                .replace("\"tensor_parallel\": 1", "\"tensor_parallel\": 2"));
        List<BenchRun> runs = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (BenchRun w : TP2) {
                runs.add(w.withRandomDatasetPrompts());
            }
        }
        List<BenchReplay.Replayed> replayed = new BenchReplay(tp2, 1, frontEnd).replay(runs, catalog);
        Map<String, Map<String, Double>> sim = new java.util.LinkedHashMap<>();
        for (int w = 0; w < 3; w++) {
            int firstRound = w == 0 ? 1 : 0;
            Map<String, Double> mean = new java.util.TreeMap<>();
            for (int round = firstRound; round < 3; round++) {
                replayed.get(round * 3 + w).statistics(TP2.get(w).statistics().keySet())
                        .forEach((k, v) -> mean.merge(k, v / (3 - firstRound), Double::sum));
            }
            sim.put(TP2.get(w).source(), mean);
        }
        System.out.println("TP=2, serial front end of " + frontEnd.usPerPromptToken()
                + " us per prompt token (fitted on TP=1 long_long_high TTFT P95/P99)");
        for (BenchRun run : TP2) {
            run.statistics().forEach((k, v) -> System.out.printf(java.util.Locale.ROOT, "| %s | %s | %.2f | %.2f | %+.1f%% |%n",
                    run.source(), k, v, sim.get(run.source()).get(k), 100 * (sim.get(run.source()).get(k) / v - 1)));
        }
        BenchRun longLong = TP2.get(2);
        for (String k : List.of("p95_ttft_ms", "p99_ttft_ms")) {
            double published = longLong.statistics().get(k);
            assertEquals(published, sim.get(longLong.source()).get(k), 0.05 * published, "TP=2 long_long " + k);
        }
    }

    static String ttfts(Map<String, Double> st) {
        return String.format(java.util.Locale.ROOT, "%.2f / %.2f / %.2f", st.get("median_ttft_ms"), st.get("p95_ttft_ms"),
                st.get("p99_ttft_ms"));
    }

    /**
     * {@code keys} of each workload of the nine-run {@code runs} replayed on {@code plan}, averaged over the rounds the
     * published ones average.
     */
    static Map<String, Map<String, Double>> roundMeans(DeploymentPlan plan, List<BenchRun> runs,
            HardwareCatalog catalog, List<String> keys) {
        List<BenchReplay.Replayed> replayed = new BenchReplay(plan, 1).replay(runs, catalog);
        Map<String, Map<String, Double>> out = new java.util.LinkedHashMap<>();
        for (int w = 0; w < 3; w++) {
            String source = runs.get(w).source();
            int firstRound = source.equals(SHORT_SHORT.source()) ? 1 : 0;
            Map<String, Double> mean = new java.util.TreeMap<>();
            for (int round = firstRound; round < 3; round++) {
                replayed.get(round * 3 + w).statistics(keys).forEach((k, v) -> mean.merge(k, v / (3 - firstRound),
                        Double::sum));
            }
            out.put(source, mean);
        }
        return out;
    }

    /** The front end's cost per prompt token (0, 1, ..., 30 us) that best gives {@code run}'s TTFT P95 and P99. */
    static BenchReplay.FrontEnd fitFrontEnd(HardwareCatalog catalog, BenchRun run) {
        BenchReplay.FrontEnd best = BenchReplay.FrontEnd.NONE;
        double bestError = Double.POSITIVE_INFINITY;
        // the 31 sessions side by side, judged in order (the first of equal errors wins, as one by one)
        List<Map<String, Double>> sims = java.util.stream.IntStream.rangeClosed(0, 30).parallel()
                .mapToObj(us -> simulated(catalog, true, new BenchReplay.FrontEnd(0, us)).get(run.source())).toList();
        for (int us = 0; us <= 30; us++) {
            BenchReplay.FrontEnd candidate = new BenchReplay.FrontEnd(0, us);
            Map<String, Double> sim = sims.get(us);
            double error = 0;
            for (String k : List.of("p95_ttft_ms", "p99_ttft_ms")) {
                double r = Math.log(sim.get(k) / run.statistics().get(k));
                error += r * r;
            }
            if (error < bestError) {
                bestError = error;
                best = candidate;
            }
        }
        return best;
    }

    /**
     * The nine simulated runs one by one (estimated profile, no front end): only long-short's first round computes its
     * prompts (their first 512 tokens come from short's), so it is much slower than rounds 2 and 3; long-long finds
     * every prompt cached by long-short and is the same in every round.
     */
    @Tag("slow")
    @Test
    void roundsOfTheSession() {
        List<BenchRun> runs = session();
        List<BenchReplay.Replayed> replayed = new BenchReplay(plan(), 1).replay(runs, catalog());
        List<String> keys = List.of("request_throughput", "median_ttft_ms", "p95_ttft_ms", "p99_ttft_ms", "p99_tpot_ms");
        List<Map<String, Double>> stats = new java.util.ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Map<String, Double> st = replayed.get(i).statistics(keys);
            stats.add(st);
            System.out.printf(java.util.Locale.ROOT, "| %s, round %d | %.2f | %.0f / %.0f / %.0f | %.2f |%n",
                    runs.get(i).source(), i / 3 + 1, st.get("request_throughput"), st.get("median_ttft_ms"),
                    st.get("p95_ttft_ms"), st.get("p99_ttft_ms"), st.get("p99_tpot_ms"));
        }
        assertTrue(stats.get(1).get("request_throughput") < 0.7 * stats.get(4).get("request_throughput"),
                "long-short's first round computes its prompts: " + stats);
        assertEquals(stats.get(4), stats.get(7), "long-short rounds 2 and 3");
        assertEquals(stats.get(2), stats.get(5), "long-long rounds 1 and 2");
        assertEquals(stats.get(2), stats.get(8), "long-long rounds 1 and 3");
    }

    /**
     * A second public run, on a fresh server: D. Lee, "vLLM Benchmarking" (https://github.com/dennislee22/vLLM-benchmarking
     * , README.md, "Test 5: 1 GPU pod (Available KV cache memory: 24.83 GiB)", first run of that server, startup log
     * vllm-7B-1gpuA10080GB-0.5GRAM.log): Qwen2-7B-Instruct (the same decoder dimensions as Qwen2.5-7B) on one A100
     * 80GB (form factor not stated), vLLM v1 engine (September 2025 logs), {@code --gpu-memory-utilization 0.5};
     * {@code benchmark_serving.py --dataset-name random --num-prompts 100 --random-input-len 1024
     * --random-output-len 1024}, request rate inf, no concurrency limit. Published: 102,140 input and 101,590 output
     * tokens (1,021 and 1,016 a request), 3.30 requests/s, TTFT mean / median / P99 3983.10 / 3896.62 / 7664.70 ms,
     * TPOT 25.26 / 25.36 / 28.23 ms; the server logged a prefix-cache hit rate of 1%, so the prompts are unique.
     */
    static final BenchRun LEE_TEST5 = new BenchRun("Lee test 5 (A100 80GB, 100 x 1024/1024, all at once)",
            BenchRun.fixed(100, 1021, 1016), 0, Double.POSITIVE_INFINITY, 1, Map.of("request_throughput", 3.30,
                    "mean_ttft_ms", 3983.10, "median_ttft_ms", 3896.62, "p99_ttft_ms", 7664.70, "mean_tpot_ms", 25.26,
                    "median_tpot_ms", 25.36, "p99_tpot_ms", 28.23));

    /**
     * The second run with the estimated profile, on the catalog's A100 80GB SXM and on the PCIe card of this directory
     * (the run does not say which): TTFT, set by the queue of 100 x 1,021 prompt tokens through 2,048-token prefill
     * chunks, comes within 20% on both. On the PCIe card every statistic comes within 10% (TPOT -2%, throughput +4%):
     * with the hard roofline TPOT at 100 decoding sequences was 17% too fast, because matrix multiplies of about 100
     * tokens sit at the ridge point where measured GEMMs are slower than max(weights, FLOPs) (the GEMM roofline,
     * fitted to Vidur's A100 kernel profile, not to this run; see experiments/vllm-validation.md). The SXM card stays
     * 14% to 18% fast (printed).
     */
    @Tag("slow")
    @Test
    void secondRunAllAtOnce() throws Exception {
        for (String card : List.of("a100-80gb", "a100-80gb-pcie")) {
            DeploymentPlan p = leePlan(card);
            Map<String, Double> sim = new BenchReplay(p, 1).replay(LEE_TEST5, catalog()).statistics(LEE_TEST5.statistics().keySet());
            System.out.println(card);
            LEE_TEST5.statistics().forEach((k, v) -> System.out.printf(java.util.Locale.ROOT, "| %s | %s | %.2f | %.2f | %+.1f%% |%n",
                    card, k, v, sim.get(k), 100 * (sim.get(k) / v - 1)));
            for (String k : List.of("mean_ttft_ms", "median_ttft_ms", "p99_ttft_ms")) {
                double published = LEE_TEST5.statistics().get(k);
                assertEquals(published, sim.get(k), 0.2 * published, card + " " + k);
            }
            if (card.equals("a100-80gb-pcie")) {
                LEE_TEST5.statistics().forEach((k, v) -> assertEquals(v, sim.get(k), 0.1 * v, card + " " + k));
            }
        }
        // the PCIe card as calibrated on long-short (Table 2 of experiments/vllm-validation.md: 0.70, 0.70, 1.0 ms)
        HardwareCatalog calibrated = catalog().overriddenBy(HardwareCatalog.of(List.of(
                new EfficiencySearch(catalog().get("a100-80gb-pcie"), 1).hardware(new double[] {0.70, 0.70, 0.1}))));
        DeploymentPlan pcie = leePlan("a100-80gb-pcie");
        Map<String, Double> sim = new BenchReplay(pcie, 1).replay(LEE_TEST5, calibrated).statistics(LEE_TEST5.statistics().keySet());
        LEE_TEST5.statistics().forEach((k, v) -> System.out.printf(java.util.Locale.ROOT, "| pcie calibrated | %s | %.2f | %.2f | %+.1f%% |%n",
                k, v, sim.get(k), 100 * (sim.get(k) / v - 1)));
        // the PCIe card (estimated) with vLLM's front end from published measurements
        Map<String, Double> fronted = new BenchReplay(pcie, 1, BenchReplay.FrontEnd.VLLM_ESTIMATE).replay(LEE_TEST5, catalog())
                .statistics(LEE_TEST5.statistics().keySet());
        LEE_TEST5.statistics().forEach((k, v) -> System.out.printf(java.util.Locale.ROOT,
                "| pcie + vLLM front end | %s | %.2f | %.2f | %+.1f%% |%n", k, v, fronted.get(k), 100 * (fronted.get(k) / v - 1)));
    }
}
