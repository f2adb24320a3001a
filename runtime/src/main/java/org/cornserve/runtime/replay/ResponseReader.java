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
 * tokens unless a {@code usage.completion_tokens} figure comes, which wins. The output starts at the first chunk with
 * output or with the assistant's role ({@code choices[0].delta.role}), as vLLM's benchmark times it: vLLM and this
 * server send the role with the first token, which may make no text of its own (a byte of a character, a special
 * token), so time to first token is the engine's and not the first printable character's. The output ends at the last such chunk
 * or, when later, at the chunk that ends the choice ({@code choices[0].finish_reason}): it comes with the last token,
 * whose bytes may have made no text of their own, so TPOT spans every token after the first. A chunk with an {@code error} member
 * fails the request. Audio ({@code delta.audio.data} or {@code message.audio.data} as OpenAI sends it, or a
 * top-level {@code audio} string as the voice app does: a base64 WAV) is timed on its own ({@link #firstAudioNanos},
 * time to first audio) and its duration read from the WAV's header; audio that is not a WAV fails the request.
 */
final class ResponseReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LongSupplier clock;
    long firstOutputNanos = -1;
    long lastOutputNanos = -1;
    long textChunks;
    long usageTokens = -1;
    long firstAudioNanos = -1;
    double audioSeconds;
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
            audio(message.isMissingNode() ? doc.get("audio") : message.get("audio"), now);
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
        boolean role = delta.hasNonNull("role");
        audio(delta.isMissingNode() ? c.get("audio") : delta.get("audio"), now);
        if (!text.isEmpty()) {
            textChunks++;
        }
        if (!text.isEmpty() || media) {
            if (firstOutputNanos < 0) {
                firstOutputNanos = now;
            }
            lastOutputNanos = now;
        } else if (role && firstOutputNanos < 0) {
            firstOutputNanos = now;
            lastOutputNanos = now;
        } else if (firstOutputNanos >= 0 && c.path("choices").path(0).path("finish_reason").isTextual()) {
            // the chunk that ends the choice comes with the server's last token, which may have given no text of its
            // own (a byte-level model's incomplete character): the token stream ends here, as vLLM's benchmark ends it
            lastOutputNanos = now;
        }
    }

    /** Times and measures an audio part arrived at {@code now}: a base64 WAV, or an object with one in {@code data}. */
    private void audio(JsonNode part, long now) {
        if (part == null || part.isNull() || streamError != null) {
            return;
        }
        String base64 = part.isTextual() ? part.asText() : part.path("data").asText("");
        if (base64.isEmpty()) {
            return; // a transcript or an id without sound
        }
        try {
            audioSeconds += wavSeconds(java.util.Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            streamError = "the answer's audio is not a base64 WAV: " + e.getMessage();
            return;
        }
        if (firstAudioNanos < 0) {
            firstAudioNanos = now;
        }
    }

    /** A WAV's duration from its header (frames over frame rate), without decoding its samples. */
    static double wavSeconds(byte[] wav) {
        try (javax.sound.sampled.AudioInputStream in = javax.sound.sampled.AudioSystem.getAudioInputStream(
                new java.io.ByteArrayInputStream(wav))) {
            long frames = in.getFrameLength();
            float rate = in.getFormat().getFrameRate();
            if (frames < 0 || !(rate > 0)) {
                throw new IllegalArgumentException("its header gives " + frames + " frames at " + rate + " Hz");
            }
            return frames / (double) rate;
        } catch (javax.sound.sampled.UnsupportedAudioFileException | IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
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
