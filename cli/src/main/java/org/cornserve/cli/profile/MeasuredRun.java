package org.cornserve.cli.profile;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cornserve.model.json.Json;

/**
 * Per-request timestamps of a measured serving run, the input of {@code cornserve profile calibrate}: a CSV with a
 * header row, or JSON Lines with one object per request. Times are seconds on any one clock (only differences
 * are used); tokens are counts.
 *
 * <table>
 *   <caption>fields (any of the names in a row; the later names are vLLM's own)</caption>
 *   <tr><td>request id (optional)</td><td>{@code request_id}, {@code id}</td></tr>
 *   <tr><td>arrival</td><td>{@code arrival_time}, {@code arrival}</td></tr>
 *   <tr><td>queued (optional)</td><td>{@code queued_time}, {@code queued_ts}</td></tr>
 *   <tr><td>scheduled (optional)</td><td>{@code scheduled_time}, {@code scheduled_ts}, {@code first_scheduled_time}</td></tr>
 *   <tr><td>first token</td><td>{@code first_token_time}, {@code first_token_ts}</td></tr>
 *   <tr><td>last token</td><td>{@code last_token_time}, {@code last_token_ts}, {@code finished_time}</td></tr>
 *   <tr><td>input tokens</td><td>{@code input_tokens}, {@code prompt_tokens}, {@code num_prompt_tokens}</td></tr>
 *   <tr><td>output tokens</td><td>{@code output_tokens}, {@code completion_tokens}, {@code num_generation_tokens}</td></tr>
 * </table>
 * vLLM's v1 {@code RequestStateStats} names its timestamps {@code queued_ts}, {@code scheduled_ts},
 * {@code first_token_ts}, {@code last_token_ts} (monotonic clock) and its output count
 * {@code num_generation_tokens}; v0's {@code RequestMetrics} used {@code arrival_time}, {@code first_scheduled_time},
 * {@code first_token_time}, {@code last_token_time}, {@code finished_time}. Mixing clocks is the user's to avoid: a
 * row whose times go backwards (arrival, queued, scheduled, first token, last token) is refused.
 */
public final class MeasuredRun {
    private MeasuredRun() {}

    /**
     * One measured request; {@code queued} and {@code scheduled} are NaN when the file does not give them.
     */
    public record Request(String id, double arrival, double queued, double scheduled, double firstToken,
            double lastToken, long inputTokens, long outputTokens) {

        public double ttftSeconds() {
            return firstToken - arrival;
        }

        public double e2eSeconds() {
            return lastToken - arrival;
        }

        /** Mean time per output token after the first; NaN with fewer than two. */
        public double tpotSeconds() {
            return outputTokens < 2 ? Double.NaN : (lastToken - firstToken) / (outputTokens - 1);
        }
    }

    private static final Map<String, List<String>> NAMES = Map.of(
            "id", List.of("request_id", "id"),
            "arrival", List.of("arrival_time", "arrival"),
            "queued", List.of("queued_time", "queued_ts"),
            "scheduled", List.of("scheduled_time", "scheduled_ts", "first_scheduled_time"),
            "first", List.of("first_token_time", "first_token_ts"),
            "last", List.of("last_token_time", "last_token_ts", "finished_time"),
            "input", List.of("input_tokens", "prompt_tokens", "num_prompt_tokens"),
            "output", List.of("output_tokens", "completion_tokens", "num_generation_tokens"));

    /** Reads a CSV ({@code .csv}) or JSON Lines file; errors name the file, line and field. */
    public static List<Request> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("requests file " + file + " does not exist");
        }
        List<Request> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
            String[] header = null;
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                Map<String, String> fields = new HashMap<>();
                if (csv) {
                    String[] cells = line.split(",", -1);
                    if (header == null) {
                        header = cells;
                        continue;
                    }
                    if (cells.length != header.length) {
                        throw new IllegalArgumentException(file + ":" + lineNo + ": " + cells.length + " cells, the header has "
                                + header.length);
                    }
                    for (int i = 0; i < cells.length; i++) {
                        fields.put(header[i].trim(), cells[i].trim());
                    }
                } else {
                    JsonNode node;
                    try {
                        node = Json.mapper().readTree(line);
                    } catch (IOException e) {
                        throw new IllegalArgumentException(file + ":" + lineNo + ": not a JSON object: " + e.getMessage().lines().findFirst().orElse(""));
                    }
                    node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().asText()));
                }
                out.add(request(fields, file + ":" + lineNo));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no requests");
        }
        return out;
    }

    static Request request(Map<String, String> fields, String where) {
        String id = text(fields, "id");
        double arrival = number(fields, "arrival", where, true);
        double queued = number(fields, "queued", where, false);
        double scheduled = number(fields, "scheduled", where, false);
        double first = number(fields, "first", where, true);
        double last = number(fields, "last", where, true);
        long input = (long) number(fields, "input", where, true);
        long output = (long) number(fields, "output", where, true);
        double[] order = {arrival, queued, scheduled, first, last};
        String[] names = {"arrival", "queued", "scheduled", "first token", "last token"};
        double previous = Double.NEGATIVE_INFINITY;
        String previousName = "";
        for (int i = 0; i < order.length; i++) {
            if (Double.isNaN(order[i])) {
                continue;
            }
            if (order[i] < previous) {
                throw new IllegalArgumentException(where + ": " + names[i] + " time " + order[i] + " is before the "
                        + previousName + " time " + previous + " (mixed clocks?)");
            }
            previous = order[i];
            previousName = names[i];
        }
        if (input < 1 || output < 1) {
            throw new IllegalArgumentException(where + ": input and output tokens must be >= 1, got " + input + ", " + output);
        }
        return new Request(id, arrival, queued, scheduled, first, last, input, output);
    }

    private static String text(Map<String, String> fields, String key) {
        for (String name : NAMES.get(key)) {
            String v = fields.get(name);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private static double number(Map<String, String> fields, String key, String where, boolean required) {
        for (String name : NAMES.get(key)) {
            String v = fields.get(name);
            if (v != null && !v.isBlank()) {
                try {
                    double d = Double.parseDouble(v);
                    if (!Double.isFinite(d)) {
                        throw new NumberFormatException();
                    }
                    return d;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": field " + name + " is not a finite number: '" + v + "'");
                }
            }
        }
        if (required) {
            throw new IllegalArgumentException(where + ": missing field " + String.join(" / ", NAMES.get(key)));
        }
        return Double.NaN;
    }
}
