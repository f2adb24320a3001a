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

    /**
     * One request's prompt and output tokens, and which prompt it is: {@code prompt >= 0} names a prompt whose
     * tokens are the same wherever the same number appears (the {@code prompt}-th request of
     * {@code vllm bench serve --dataset-name random} with one {@code --seed}: its tokens are
     * {@code (offset_i + i + j) mod vocabulary} with the offsets drawn from that seed, so a shorter prompt of index
     * {@code i} is a prefix of a longer one); {@link #UNIQUE} when nothing is known of its content.
     */
    public record Shape(int inputTokens, int outputTokens, long prompt) {
        public static final long UNIQUE = -1;

        public Shape {
            if (inputTokens < 1 || outputTokens < 1) {
                throw new IllegalArgumentException("a request needs >= 1 input and output token, got " + inputTokens
                        + " and " + outputTokens);
            }
            if (prompt < UNIQUE) {
                throw new IllegalArgumentException("prompt index must be >= 0 or UNIQUE, got " + prompt);
            }
        }

        public Shape(int inputTokens, int outputTokens) {
            this(inputTokens, outputTokens, UNIQUE);
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

    /** {@code n} requests of equal lengths whose prompts are unknown (each taken as unique). */
    public static List<Shape> fixed(int n, int inputTokens, int outputTokens) {
        return java.util.Collections.nCopies(n, new Shape(inputTokens, outputTokens));
    }

    /**
     * {@code n} requests of {@code vllm bench serve --dataset-name random --random-input-len I --random-output-len O}
     * with a range ratio of 0: prompt {@code i} is the dataset's {@code i}-th (see {@link Shape}).
     */
    public static List<Shape> randomDataset(int n, int inputTokens, int outputTokens) {
        List<Shape> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Shape(inputTokens, outputTokens, i));
        }
        return out;
    }

    /** This run with its prompts named as {@code vllm bench serve --dataset-name random}'s (see {@link Shape}). */
    public BenchRun withRandomDatasetPrompts() {
        List<Shape> named = new java.util.ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            named.add(new Shape(requests.get(i).inputTokens(), requests.get(i).outputTokens(), i));
        }
        return new BenchRun(source, named, maxConcurrency, requestRate, burstiness, statistics);
    }
}
