package org.cornserve.runtime.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;

/**
 * The replay against a real HTTP server on a loopback port whose delays are known: recorded latencies match the
 * delays, sends keep to the schedule whatever the answers do (open loop), failures and timeouts are recorded.
 * Lower bounds are exact (the server cannot answer sooner than it sleeps); upper bounds allow for a loaded
 * machine.
 */
class ReplayerTest {
    private static final long MS = 1_000_000L;
    private static final ModelSpec TINY_OMNI = ModelCatalog.builtIn().model("tiny-omni");

    private static List<TraceRecord> trace(int n, long gapMs, int textTokens, int outputTokens) {
        List<TraceRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TraceRecord(i * gapMs * MS, "chat", RequestShape.text(textTokens, outputTokens)));
        }
        return out;
    }

    private static List<ReplayRecord> replay(StreamingTestServer server, ReplayApi api, String target,
            List<TraceRecord> trace, double rateScale, Duration timeout) throws InterruptedException {
        try (Replayer r = new Replayer(new ReplaySettings(server.url(), api, target, rateScale, timeout, true),
                new RequestSynthesizer(TINY_OMNI))) {
            List<ReplayRecord> out = r.run(trace);
            ReplayProgress p = r.progress();
            assertEquals(trace.size(), p.sent());
            assertEquals(trace.size(), p.answered() + p.failed());
            return out;
        }
    }

    @Test
    void recordedLatenciesMatchTheServersDelays() throws Exception {
        long header = 40;
        long token = 15;
        int tokens = 8;
        try (StreamingTestServer server = new StreamingTestServer(header, token, 0)) {
            List<ReplayRecord> recs = replay(server, ReplayApi.CHAT, "tiny-omni", trace(6, 100, 50, tokens), 1,
                    Duration.ofSeconds(20));
            for (ReplayRecord r : recs) {
                assertNull(r.failure(), r.message());
                assertEquals(200, r.httpStatus());
                assertEquals(tokens, r.outputTokens(), "usage.completion_tokens");
                assertEquals(50, r.inputTokens());
                double headersMs = (r.firstByteNanos() - r.sentNanos()) / 1e6;
                double ttftMs = (r.firstTokenNanos() - r.sentNanos()) / 1e6;
                double streamMs = (r.lastTokenNanos() - r.firstTokenNanos()) / 1e6;
                assertTrue(headersMs >= header && headersMs < header + 250, "headers after " + headersMs + " ms");
                assertTrue(ttftMs >= header + token && ttftMs < header + token + 250, "TTFT " + ttftMs + " ms");
                double tpot = streamMs / (tokens - 1);
                assertTrue(tpot >= token - 2 && tpot < token + 40, "TPOT " + tpot + " ms");
                assertTrue(r.endNanos() >= r.lastTokenNanos());
            }
            JsonNode body = server.bodies.get(0);
            assertEquals("tiny-omni", body.get("model").asText());
            assertEquals(tokens, body.get("max_tokens").asInt());
            assertTrue(body.get("stream").asBoolean());
            assertEquals(50, body.get("messages").get(0).get("content").asText().length(), "one byte per text token");
        }
    }

    /**
     * A closed loop ({@code maxConcurrency}, as {@code vllm bench serve --max-concurrency}): all twelve due at once,
     * answers taking at least 150 ms, three slots: never more than three in flight, sends in trace order,
     * request {@code i >= 3} sent no sooner than the end of an earlier exchange (the one whose slot it took), so the
     * replay lasts at least four rounds of an answer; latencies count from the send.
     */
    @Test
    void aClosedLoopKeepsAtMostItsSlotsInFlight() throws Exception {
        int slots = 3;
        try (StreamingTestServer server = new StreamingTestServer(150, 1, 0)) {
            List<TraceRecord> trace = trace(12, 0, 10, 2);
            List<ReplayRecord> recs;
            try (Replayer r = new Replayer(new ReplaySettings(server.url(), ReplayApi.CHAT, "tiny-omni", 1,
                    Duration.ofSeconds(20), true, slots), new RequestSynthesizer(TINY_OMNI))) {
                recs = r.run(trace);
            }
            // in flight as the client sees it (the server's own count may overlap an answer's last bytes with the
            // next request): at each send, the exchanges sent and not yet ended
            for (ReplayRecord r : recs) {
                long open = recs.stream().filter(e -> e.sentNanos() <= r.sentNanos() && e.endNanos() > r.sentNanos())
                        .count();
                assertTrue(open <= slots, open + " in flight when request " + r.id() + " was sent");
            }
            List<Long> ends = new ArrayList<>();
            for (int i = 0; i < recs.size(); i++) {
                ReplayRecord r = recs.get(i);
                assertNull(r.failure(), r.message());
                assertTrue((r.firstByteNanos() - r.sentNanos()) / 1e6 >= 150, "headers counted from the send");
                if (i > 0) {
                    assertTrue(r.sentNanos() >= recs.get(i - 1).sentNanos(), "sends in trace order");
                }
                if (i >= slots) {
                    long sent = r.sentNanos();
                    long endedBefore = recs.subList(0, i).stream().filter(e -> e.endNanos() <= sent).count();
                    assertTrue(endedBefore >= i - slots + 1, "request " + i + " sent with only " + endedBefore
                            + " earlier exchanges ended");
                }
                ends.add(r.endNanos());
            }
            long last = ends.stream().mapToLong(Long::longValue).max().orElseThrow();
            assertTrue(last / 1e6 >= 4 * 150, "twelve requests in rounds of three: " + last / 1e6 + " ms");
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ReplaySettings(
                URI.create("http://x:1"), ReplayApi.CHAT, "m", 1, Duration.ofSeconds(1), true, -1));
    }

    @Test
    void sendsKeepToTheScheduleWhileAnswersAreSlow() throws Exception {
        // every answer takes >= 400 ms; arrivals every 25 ms at rate scale 2 (so every 12.5 ms): a closed loop
        // would need 20 x 400 ms, an open loop sends all within ~0.25 s and has many requests open at once
        try (StreamingTestServer server = new StreamingTestServer(400, 1, 0)) {
            List<ReplayRecord> recs = replay(server, ReplayApi.CHAT, "tiny-omni", trace(20, 25, 10, 2), 2,
                    Duration.ofSeconds(20));
            for (ReplayRecord r : recs) {
                assertEquals(r.id() * 12_500_000L, r.scheduledNanos());
                assertTrue(r.sendLagMs() >= 0 && r.sendLagMs() < 150, "request " + r.id() + " sent "
                        + r.sendLagMs() + " ms late");
                assertNull(r.failure(), r.message());
            }
            assertTrue(recs.get(19).sentNanos() < recs.get(0).endNanos(), "the last request went out before the first"
                    + " answer ended");
            assertTrue(server.maxOpen() >= 10, "requests open at once: " + server.maxOpen());
        }
    }

    @Test
    void errorStatusesAndTimeoutsAreRecordedAsFailures() throws Exception {
        try (StreamingTestServer server = new StreamingTestServer(0, 5, 3)) {
            List<TraceRecord> t = trace(6, 20, 10, 3);
            List<ReplayRecord> recs = replay(server, ReplayApi.CHAT, "tiny-omni", t, 1, Duration.ofSeconds(20));
            long failed = recs.stream().filter(r -> !r.completed()).count();
            assertEquals(2, failed, "every third request gets 503");
            for (ReplayRecord r : recs) {
                if (!r.completed()) {
                    assertEquals("503 service unavailable", r.failure());
                    assertEquals(503, r.httpStatus());
                    assertTrue(r.message().contains("overloaded"), r.message());
                }
            }
        }
    }

    @Test
    void aRequestThatNeverEndsTimesOut() throws Exception {
        try (StreamingTestServer server = new StreamingTestServer(0, 5, 0)) {
            long t0 = System.nanoTime();
            List<ReplayRecord> recs = replayPrompts(server, List.of("ok fine", "hang on"), Duration.ofMillis(1500));
            assertNull(recs.get(0).failure(), recs.get(0).message());
            assertEquals(3, recs.get(0).outputTokens(), "NDJSON text lines count as tokens");
            assertEquals("timeout", recs.get(1).failure());
            double ms = (recs.get(1).endNanos() - recs.get(1).sentNanos()) / 1e6;
            assertTrue(ms >= 1490 && ms < 4000, "timed out after " + ms + " ms");
            assertTrue((System.nanoTime() - t0) / 1e9 < 10, "the replay does not wait for the hanging answer");
        }
    }

    /** Replays text requests with the given prompts through the invoke endpoint (NDJSON answers). */
    private static List<ReplayRecord> replayPrompts(StreamingTestServer server, List<String> prompts, Duration timeout)
            throws InterruptedException {
        List<TraceRecord> t = trace(prompts.size(), 10, 8, 3);
        RequestSynthesizer real = new RequestSynthesizer(TINY_OMNI);
        InputSynthesizer fixed = (shape, seed) -> {
            SynthesizedRequest s = real.synthesize(shape, seed);
            return new SynthesizedRequest(prompts.get((int) seed), s.pngs(), s.wavs(), s.maxTokens(), s.outputs(),
                    s.inputTokens());
        };
        try (Replayer r = new Replayer(new ReplaySettings(server.url(), ReplayApi.INVOKE, "echo", 1, timeout, true),
                fixed)) {
            List<ReplayRecord> out = r.run(t);
            assertEquals(2, server.paths.get("/apps/echo/invoke"));
            return out;
        }
    }

    @Test
    void imagesAndAudioGoOutAtTheTracedSizes() throws Exception {
        try (StreamingTestServer server = new StreamingTestServer(0, 1, 0)) {
            RequestShape shape = new RequestShape(20, List.of(MediaItem.imageTokens(120), MediaItem.audioSeconds(2.5)),
                    4, Set.of(Modality.TEXT));
            List<ReplayRecord> recs = replay(server, ReplayApi.CHAT, "tiny-omni",
                    List.of(new TraceRecord(0, "chat", shape)), 1, Duration.ofSeconds(20));
            assertNull(recs.get(0).failure(), recs.get(0).message());
            JsonNode content = server.bodies.get(0).get("messages").get(0).get("content");
            String url = content.get(1).get("image_url").get("url").asText();
            assertTrue(url.startsWith("data:image/png;base64,"));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(url.substring(22))));
            assertEquals(120, TINY_OMNI.visionEncoder().orElseThrow().imageTokens(img.getWidth(), img.getHeight()));
            byte[] wav = Base64.getDecoder().decode(content.get(2).get("input_audio").get("data").asText());
            assertEquals(44 + 2 * 40_000, wav.length, "2.5 s of 16 kHz 16-bit mono");
            assertEquals(20 + 120 + TINY_OMNI.audioEncoder().orElseThrow().tokensForSeconds(2.5),
                    recs.get(0).inputTokens());
        }
    }

    @Test
    void speechAnswersRecordTheirTimeToFirstAudio() throws Exception {
        long header = 30;
        long token = 10;
        int tokens = 4;
        RequestShape speech = new RequestShape(12, List.of(), tokens, Set.of(Modality.TEXT, Modality.AUDIO));
        List<TraceRecord> t = List.of(new TraceRecord(0, "voice", speech), new TraceRecord(50 * MS, "voice", speech),
                new TraceRecord(100 * MS, "voice", RequestShape.text(12, tokens)));
        try (StreamingTestServer server = new StreamingTestServer(header, token, 0, 1.5)) {
            List<ReplayRecord> recs = replay(server, ReplayApi.CHAT, "tiny-omni", t, 1, Duration.ofSeconds(20));
            for (ReplayRecord r : recs.subList(0, 2)) {
                assertNull(r.failure(), r.message());
                assertEquals(1.5, r.audioSeconds(), 1e-9, "the WAV's duration");
                assertTrue(r.firstAudioNanos() > r.firstTokenNanos() && r.firstAudioNanos() <= r.endNanos(),
                        "audio after the text: " + r);
                double ttfa = r.ttfaMs();
                // exact below (the server cannot send sooner); above, room for a loaded machine
                assertTrue(ttfa >= header + (tokens + 1) * token && ttfa < header + (tokens + 1) * token + 1000,
                        "TTFA " + ttfa + " ms");
            }
            assertEquals("[\"text\",\"audio\"]", server.bodies.get(0).get("modalities").toString());
            assertEquals(-1, recs.get(2).firstAudioNanos(), "a text answer has no audio");
            assertEquals(0, recs.get(2).audioSeconds());
        }
        try (StreamingTestServer mute = new StreamingTestServer(0, 1, 0)) {
            ReplayRecord r = replay(mute, ReplayApi.CHAT, "tiny-omni", t.subList(0, 1), 1, Duration.ofSeconds(20))
                    .get(0);
            assertEquals("no audio", r.failure(), "asked for speech, got only text");
            assertEquals(-1, r.firstAudioNanos());
            assertTrue(r.audioSeconds() > 0, "the speech the trace asked for, by tiny-omni's composite task: " + r);
        }
    }

    @Test
    void settingsRefuseNonsense() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ReplaySettings(
                URI.create("ftp://x"), ReplayApi.CHAT, "m", 1, Duration.ofSeconds(1), true));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ReplaySettings(
                URI.create("http://x"), ReplayApi.CHAT, "m", 0, Duration.ofSeconds(1), true));
        assertEquals(URI.create("http://x:1/apps/a/invoke"), new ReplaySettings(URI.create("http://x:1/"),
                ReplayApi.INVOKE, "a", 1, Duration.ofSeconds(1), true).endpoint());
    }
}
