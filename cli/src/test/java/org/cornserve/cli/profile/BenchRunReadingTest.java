package org.cornserve.cli.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link VllmBenchResult} and {@link BenchStatistics} against hand-worked values (numpy's for percentiles). */
class BenchRunReadingTest {
    @TempDir
    Path dir;

    @Test
    void percentilesAreNumpysLinearInterpolation() {
        double[] v = {1, 2, 3, 4};
        // numpy: percentile([1,2,3,4], 99) = 3.97, median = 2.5, percentile(.., 0) = 1
        assertEquals(3.97, BenchStatistics.percentile(v, 99), 1e-12);
        assertEquals(2.5, BenchStatistics.percentile(v, 50), 1e-12);
        assertEquals(1, BenchStatistics.percentile(v, 0), 1e-12);
        assertEquals(5, BenchStatistics.percentile(new double[] {5}, 99), 1e-12);
        double[] none = {Double.NaN};
        assertEquals(2.5, BenchStatistics.compute("median_tpot_ms", v, new double[] {1, 2, 3, 4}, v, 1), 1e-12);
        assertTrue(Double.isNaN(BenchStatistics.compute("mean_tpot_ms", v, none, v, 1)));
        assertEquals(2, BenchStatistics.compute("request_throughput", v, v, v, 2), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> BenchStatistics.compute("std_ttft_ms", v, v, v, 1));
        assertTrue(e.getMessage().contains("unknown statistic std_ttft_ms"), e.getMessage());
    }

    @Test
    void summaryOnlyResultGivesFixedLengthsAndItsStatistics() throws Exception {
        Path f = dir.resolve("c16.json");
        Files.writeString(f, """
                {"backend": "vllm", "completed": 4, "max_concurrency": null, "request_rate": "inf", "burstiness": 1.0,
                 "total_input_tokens": 4096, "total_output_tokens": 512, "request_throughput": 2.5,
                 "mean_ttft_ms": 120.5, "median_ttft_ms": 100.0, "std_ttft_ms": 3.0, "p99_ttft_ms": 300.0,
                 "mean_tpot_ms": 12.0, "mean_itl_ms": 11.0, "p99_e2el_ms": 2000.0}
                """);
        BenchRun run = VllmBenchResult.read(f);
        assertEquals(4, run.requests().size());
        assertEquals(new BenchRun.Shape(1024, 128), run.requests().get(3));
        assertEquals(0, run.maxConcurrency());
        assertTrue(Double.isInfinite(run.requestRate()));
        assertEquals(java.util.Set.of("request_throughput", "mean_ttft_ms", "median_ttft_ms", "p99_ttft_ms",
                "mean_tpot_ms", "p99_e2el_ms"), run.statistics().keySet(), "std_ and itl keys are not used");
    }

    @Test
    void detailedResultGivesPerRequestShapesAndComputesMissingStatistics() throws Exception {
        Path f = dir.resolve("detailed.json");
        Files.writeString(f, """
                {"completed": 2, "max_concurrency": 2, "request_rate": 4, "mean_ttft_ms": 150.0,
                 "input_lens": [100, 200, 300], "output_lens": [3, 0, 2],
                 "ttfts": [0.1, 0.0, 0.2], "itls": [[0.01, 0.03], [], [0.05]], "errors": ["", "timeout", ""]}
                """);
        BenchRun run = VllmBenchResult.read(f);
        assertEquals(java.util.List.of(new BenchRun.Shape(100, 3), new BenchRun.Shape(300, 2)), run.requests(),
                "the failed request is left out");
        assertEquals(2, run.maxConcurrency());
        assertEquals(4, run.requestRate());
        assertEquals(150.0, run.statistics().get("mean_ttft_ms"), 1e-9, "the summary's own value is kept");
        // e2e: 100 + 40 = 140 ms and 200 + 50 = 250 ms; tpot: 40 / 2 = 20 ms and 50 / 1 = 50 ms
        assertEquals(195, run.statistics().get("mean_e2el_ms"), 1e-9);
        assertEquals(140 + 0.99 * 110, run.statistics().get("p99_e2el_ms"), 1e-9);
        assertEquals(35, run.statistics().get("mean_tpot_ms"), 1e-9);
    }

    @Test
    void errorsNameTheFileAndTheField() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"completed\": 4, \"total_input_tokens\": 10, \"total_output_tokens\": 10, \"mean_ttft_ms\": 1}");
        var e = assertThrows(IllegalArgumentException.class, () -> VllmBenchResult.read(f));
        assertEquals(f + ": missing field request_rate (a number, or \"inf\")", e.getMessage());
        Files.writeString(f, "{\"request_rate\": \"inf\", \"max_concurrency\": \"x\", \"mean_ttft_ms\": 1}");
        e = assertThrows(IllegalArgumentException.class, () -> VllmBenchResult.read(f));
        assertTrue(e.getMessage().startsWith(f + ": field max_concurrency is not a number"), e.getMessage());
        Files.writeString(f, "{\"request_rate\": 1, \"input_lens\": [1, 2], \"output_lens\": [1], \"ttfts\": [0.1, 0.1],"
                + " \"itls\": [[], []], \"mean_ttft_ms\": 1}");
        e = assertThrows(IllegalArgumentException.class, () -> VllmBenchResult.read(f));
        assertEquals(f + ": field output_lens has 1 entries, input_lens has 2", e.getMessage());
        Files.writeString(f, "{\"request_rate\": 1, \"completed\": 1, \"total_input_tokens\": 1, \"total_output_tokens\": 1}");
        e = assertThrows(IllegalArgumentException.class, () -> VllmBenchResult.read(f));
        assertTrue(e.getMessage().contains("no latency statistics"), e.getMessage());
        Files.writeString(f, "[1, 2]");
        e = assertThrows(IllegalArgumentException.class, () -> VllmBenchResult.read(f));
        assertTrue(e.getMessage().contains("expected a JSON object"), e.getMessage());
    }
}
