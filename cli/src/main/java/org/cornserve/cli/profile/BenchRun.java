package org.cornserve.cli.profile;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A serving benchmark run as a client states it: the requests it sent (prompt and output tokens, in send order), how
 * it sent them (vLLM {@code bench serve}'s {@code --max-concurrency}, {@code --request-rate} and
 * {@code --burstiness}) and the latency statistics it measured, named as vLLM names them
 * ({@code mean_ttft_ms}, {@code median_tpot_ms}, {@code p99_e2el_ms}, ..., and {@code request_throughput} in
 * requests per second). This is all {@link BenchReplay} needs to replay the run in the simulator.
 *
 * @param source where the run comes from (a file, or a published page), for messages
 * @param requests the requests in the order the client sent them
 * @param maxConcurrency the client's concurrency limit, 0 for none
 * @param requestRate requests per second the client issued, {@code Double.POSITIVE_INFINITY} for all at once
 * @param burstiness the gamma shape of the inter-arrival times (1 = Poisson), as vLLM's {@code --burstiness}
 * @param statistics measured statistics, by vLLM's key
 */
public record BenchRun(String source, List<Shape> requests, int maxConcurrency, double requestRate, double burstiness,
        Map<String, Double> statistics) {

    /** One request's prompt and output tokens. */
    public record Shape(int inputTokens, int outputTokens) {
        public Shape {
            if (inputTokens < 1 || outputTokens < 1) {
                throw new IllegalArgumentException("a request needs >= 1 input and output token, got " + inputTokens
                        + " and " + outputTokens);
            }
        }
    }

    public BenchRun {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException(source + ": no requests");
        }
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException(source + ": max_concurrency must be >= 0 (0 = none), got " + maxConcurrency);
        }
        if (!(requestRate > 0)) {
            throw new IllegalArgumentException(source + ": request_rate must be > 0 or inf, got " + requestRate);
        }
        if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
            throw new IllegalArgumentException(source + ": burstiness must be > 0, got " + burstiness);
        }
        statistics.forEach((k, v) -> {
            if (!BenchStatistics.known(k)) {
                throw new IllegalArgumentException(source + ": unknown statistic " + k + " (known: "
                        + BenchStatistics.KNOWN + ")");
            }
            if (!(v > 0) || v.isInfinite()) {
                throw new IllegalArgumentException(source + ": statistic " + k + " must be > 0, got " + v);
            }
        });
        requests = List.copyOf(requests);
        statistics = java.util.Collections.unmodifiableMap(new TreeMap<>(statistics));
    }

    /** {@code n} identical requests, as {@code vllm bench serve --dataset-name random} sends with a range ratio of 0. */
    public static List<Shape> fixed(int n, int inputTokens, int outputTokens) {
        return java.util.Collections.nCopies(n, new Shape(inputTokens, outputTokens));
    }
}
