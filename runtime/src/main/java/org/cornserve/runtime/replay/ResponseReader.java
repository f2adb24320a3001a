package org.cornserve.runtime.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Reads one response body as it arrives and times its outputs: server-sent events ({@code data: {...}} chunks,
 * {@code data: [DONE]}), NDJSON (one JSON object a line) or one JSON document. A chunk carries output when it has
 * text ({@code choices[0].delta.content}, or a top-level {@code text}, {@code delta}, {@code content} or
 * {@code token} string) or other media ({@code delta.audio}, {@code audio}, {@code image}); text chunks count as
 * tokens unless a {@code usage.completion_tokens} figure comes, which wins. A chunk with an {@code error} member
 * fails the request.
 */
final class ResponseReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LongSupplier clock;
    long firstOutputNanos = -1;
    long lastOutputNanos = -1;
    long textChunks;
    long usageTokens = -1;
    String streamError;

    ResponseReader(LongSupplier clock) {
        this.clock = clock;
    }

    /** Reads the whole body; {@code contentType} picks the framing. */
    void read(InputStream body, String contentType) throws IOException {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        if (type.startsWith("text/event-stream")) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data:")) {
                    continue; // event names, ids, comments and blank separators
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    break;
                }
                chunk(data);
            }
        } else if (type.startsWith("application/x-ndjson") || type.startsWith("application/jsonl")) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) {
                    chunk(line);
                }
            }
        } else {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                sb.append(buf, 0, n);
            }
            long now = clock.getAsLong();
            JsonNode doc = parse(sb.toString());
            if (doc.has("error")) {
                streamError = errorText(doc.get("error"));
                return;
            }
            firstOutputNanos = now;
            lastOutputNanos = now;
            JsonNode message = doc.path("choices").path(0).path("message");
            String text = message.isMissingNode() ? textOf(doc) : message.path("content").asText("");
            textChunks = text.isEmpty() ? 0 : 1;
            usage(doc);
        }
    }

    private void chunk(String json) {
        long now = clock.getAsLong();
        JsonNode c = parse(json);
        if (c.has("error")) {
            streamError = errorText(c.get("error"));
            return;
        }
        usage(c);
        JsonNode delta = c.path("choices").path(0).path("delta");
        String text = delta.isMissingNode() ? textOf(c) : delta.path("content").asText("");
        boolean media = delta.hasNonNull("audio") || c.hasNonNull("audio") || c.hasNonNull("image");
        if (!text.isEmpty()) {
            textChunks++;
        }
        if (!text.isEmpty() || media) {
            if (firstOutputNanos < 0) {
                firstOutputNanos = now;
            }
            lastOutputNanos = now;
        }
    }

    private static String textOf(JsonNode c) {
        for (String field : new String[] {"text", "delta", "content", "token"}) {
            if (c.path(field).isTextual()) {
                return c.get(field).asText();
            }
        }
        return "";
    }

    private void usage(JsonNode c) {
        JsonNode u = c.path("usage").path("completion_tokens");
        if (u.canConvertToLong()) {
            usageTokens = u.asLong();
        }
    }

    private static String errorText(JsonNode error) {
        return error.isTextual() ? error.asText() : error.path("message").asText(error.toString());
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("response chunk is not JSON: " + abbreviate(json));
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Output tokens: the server's usage figure when it gave one, else the text chunks. */
    long outputTokens() {
        return usageTokens >= 0 ? usageTokens : textChunks;
    }
}
