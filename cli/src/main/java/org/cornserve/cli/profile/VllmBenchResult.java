package org.cornserve.cli.profile;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.json.Json;

/**
 * Reads the JSON that vLLM's {@code vllm bench serve --save-result} (earlier {@code benchmarks/benchmark_serving.py})
 * writes, as a {@link BenchRun}.
 *
 * <ul>
 *   <li>How requests were sent: {@code max_concurrency} (null or absent: no limit), {@code request_rate} (a number or
 *       {@code "inf"}), {@code burstiness} (absent: 1).</li>
 *   <li>Statistics: every {@code mean_/median_/pNN_} {@code ttft/tpot/e2el} {@code _ms} key present, and
 *       {@code request_throughput}. ({@code std_} and {@code itl} keys are not used.)</li>
 *   <li>Requests: with {@code --save-detailed}, the per-request arrays {@code input_lens}, {@code output_lens},
 *       {@code ttfts} (seconds), {@code itls} (seconds, one list per request) and {@code errors}; a request with an
 *       error or no output is left out. The statistics the summary lacks (E2EL, when {@code --percentile-metrics}
 *       left it out) are then computed from the arrays. Without them, {@code completed} requests of
 *       {@code total_input_tokens / completed} and {@code total_output_tokens / completed} tokens, which is exact for
 *       the fixed lengths of {@code --dataset-name random} with a range ratio of 0 (the default since vLLM 0.9) and
 *       {@code --ignore-eos}, and only a mean otherwise.</li>
 * </ul>
 * Errors name the file and the field.
 */
public final class VllmBenchResult {
    private VllmBenchResult() {}

    /** Reads one result file. */
    public static BenchRun read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("benchmark result " + file + " does not exist");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object (vllm bench serve --save-result)");
        }
        String where = file.toString();
        int maxConcurrency = 0;
        JsonNode mc = root.get("max_concurrency");
        if (mc != null && !mc.isNull()) {
            maxConcurrency = (int) positiveNumber(mc, where, "max_concurrency");
        }
        JsonNode rate = root.get("request_rate");
        if (rate == null || rate.isNull()) {
            throw new IllegalArgumentException(where + ": missing field request_rate (a number, or \"inf\")");
        }
        double requestRate = rate.isTextual() && rate.asText().trim().equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY
                : positiveNumber(rate, where, "request_rate");
        JsonNode b = root.get("burstiness");
        double burstiness = b == null || b.isNull() ? 1 : positiveNumber(b, where, "burstiness");

        Map<String, Double> statistics = new LinkedHashMap<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (BenchStatistics.known(key) && !root.get(key).isNull()) {
                double v = number(root.get(key), where, key);
                if (v > 0) {
                    statistics.put(key, v);
                }
            }
        }
        List<BenchRun.Shape> shapes = new ArrayList<>();
        if (root.has("input_lens")) {
            detailed(root, where, shapes, statistics);
        } else {
            int completed = (int) positiveNumber(required(root, where, "completed"), where, "completed");
            long input = Math.round(positiveNumber(required(root, where, "total_input_tokens"), where, "total_input_tokens")
                    / completed);
            long output = Math.round(positiveNumber(required(root, where, "total_output_tokens"), where, "total_output_tokens")
                    / completed);
            shapes.addAll(BenchRun.fixed(completed, Math.toIntExact(input), Math.toIntExact(output)));
        }
        if (statistics.isEmpty()) {
            throw new IllegalArgumentException(where + ": no latency statistics (mean_ttft_ms, median_tpot_ms, ...,"
                    + " request_throughput) to compare with");
        }
        return new BenchRun(where, shapes, maxConcurrency, requestRate, burstiness, statistics);
    }

    /** Per-request arrays: the shapes, and the statistics the summary lacks. */
    private static void detailed(JsonNode root, String where, List<BenchRun.Shape> shapes, Map<String, Double> statistics) {
        JsonNode inputs = array(root, where, "input_lens");
        JsonNode outputs = array(root, where, "output_lens");
        JsonNode ttfts = array(root, where, "ttfts");
        JsonNode itls = array(root, where, "itls");
        JsonNode errors = root.get("errors");
        int n = inputs.size();
        for (String f : List.of("output_lens", "ttfts", "itls")) {
            if (root.get(f).size() != n) {
                throw new IllegalArgumentException(where + ": field " + f + " has " + root.get(f).size()
                        + " entries, input_lens has " + n);
            }
        }
        List<double[]> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean failed = errors != null && errors.isArray() && i < errors.size() && !errors.get(i).asText("").isEmpty();
            int out = (int) number(outputs.get(i), where, "output_lens[" + i + "]");
            if (failed || out < 1) {
                continue;
            }
            int in = (int) number(inputs.get(i), where, "input_lens[" + i + "]");
            if (in < 1) {
                throw new IllegalArgumentException(where + ": field input_lens[" + i + "] must be >= 1, got " + in);
            }
            double ttft = number(ttfts.get(i), where, "ttfts[" + i + "]");
            JsonNode gaps = itls.get(i);
            if (!gaps.isArray()) {
                throw new IllegalArgumentException(where + ": field itls[" + i + "] must be a list of seconds");
            }
            double decode = 0;
            for (int k = 0; k < gaps.size(); k++) {
                decode += number(gaps.get(k), where, "itls[" + i + "][" + k + "]");
            }
            shapes.add(new BenchRun.Shape(in, out));
            kept.add(new double[] {ttft * 1e3, out > 1 ? decode * 1e3 / (out - 1) : Double.NaN, (ttft + decode) * 1e3});
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(where + ": no request succeeded (all have errors or no output)");
        }
        double[] ttft = kept.stream().mapToDouble(r -> r[0]).toArray();
        double[] tpot = kept.stream().mapToDouble(r -> r[1]).toArray();
        double[] e2e = kept.stream().mapToDouble(r -> r[2]).toArray();
        for (String metric : List.of("ttft", "tpot", "e2el")) {
            for (String stat : List.of("mean", "median", "p99")) {
                String key = stat + "_" + metric + "_ms";
                if (!statistics.containsKey(key)) {
                    double v = BenchStatistics.compute(key, ttft, tpot, e2e, Double.NaN);
                    if (v > 0) {
                        statistics.put(key, v);
                    }
                }
            }
        }
    }

    private static JsonNode required(JsonNode root, String where, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + ": missing field " + field);
        }
        return v;
    }

    private static JsonNode array(JsonNode root, String where, String field) {
        JsonNode v = required(root, where, field);
        if (!v.isArray()) {
            throw new IllegalArgumentException(where + ": field " + field + " must be a list");
        }
        return v;
    }

    private static double number(JsonNode v, String where, String field) {
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException(where + ": field " + field + " is not a number: " + v);
        }
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(where + ": field " + field + " is not finite: " + v);
        }
        return d;
    }

    private static double positiveNumber(JsonNode v, String where, String field) {
        double d = number(v, where, field);
        if (!(d > 0)) {
            throw new IllegalArgumentException(where + ": field " + field + " must be > 0, got " + v);
        }
        return d;
    }
}
