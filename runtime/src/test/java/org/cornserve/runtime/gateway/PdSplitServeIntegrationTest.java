package org.cornserve.runtime.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.control.ControlPlane;
import org.cornserve.runtime.control.DeviceSlots;
import org.cornserve.runtime.control.RuntimeOptions;
import org.cornserve.runtime.control.Runtimes;
import org.cornserve.runtime.control.TensorTransport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prefill/decode split served for real: the gateway on port 0 over the plan that runs tiny-omni's LLM as a prefill
 * deployment (with the encoders) and a decode deployment (with the talker and vocoder), the KV cache handed between
 * the two executor processes through shared memory (and once more over the cross-host socket path, forced). Text, image and voice requests, plain and streamed (the chat
 * endpoint through openai-java; voice over plain HTTP with {@code input_audio}), give at temperature 0 the texts the
 * WHOLE plan (the embedded default, the LLM in one executor; same weights seed) gives: the reference; the spoken
 * answer's WAV is the same bytes on every plan, sent again, three at once and streamed. A client that
 * leaves mid-stream frees the KV blocks on both deployments; nothing (child process, shared-memory file) is left.
 */
@Tag("integration")
class PdSplitServeIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path shm;

    @Test
    @Timeout(600)
    void aSplitPlanAnswersAsTheWholePlanAndCleansUp() throws Exception {
        ResolvedPlan split = PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-omni-pd-split-cpu.json"));
        List<byte[]> splitWavs = new ArrayList<>();
        List<byte[]> acrossWavs = new ArrayList<>();
        List<byte[]> wholeWavs = new ArrayList<>();
        List<String> splitTexts = serve(split, TensorTransport.Mode.SHM, true, splitWavs);
        List<String> acrossHosts = serve(split, TensorTransport.Mode.SOCKET, false, acrossWavs);
        List<String> wholeTexts = serve(Runtimes.defaultPlan(), TensorTransport.Mode.SHM, false, wholeWavs);
        assertTrue(splitTexts.stream().allMatch(t -> !t.isEmpty()), "every answer has text: " + splitTexts);
        assertEquals(wholeTexts, splitTexts, "texts of the split plan against the whole plan's, at temperature 0");
        assertEquals(wholeTexts, acrossHosts, "the KV cache handed over the cross-host (socket) path");
        // the spoken answer: the talker's codes depend only on the thinker's states, however they streamed in, so
        // every WAV (plain, streamed, sent twice, sent together under load; whole, split, across hosts) is the same
        byte[] reference = wholeWavs.get(0);
        List<String> differ = new ArrayList<>();
        for (List<byte[]> wavs : List.of(wholeWavs, splitWavs, acrossWavs)) {
            assertEquals(VOICE_WAVS, wavs.size());
            for (int i = 0; i < wavs.size(); i++) {
                if (!Arrays.equals(reference, wavs.get(i))) {
                    differ.add((wavs == wholeWavs ? "whole" : wavs == splitWavs ? "split" : "across hosts")
                            + " plan, spoken answer " + i + " (" + SPOKEN.get(i) + ")");
                }
            }
        }
        assertEquals(List.of(), differ, "spoken answers whose WAV is not the whole plan's first, byte for byte");
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "no process is left");
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
    }

    /** Serves {@code plan} on port 0 and returns the texts of the requests in order; cancels one mid-stream. */
    private List<String> serve(ResolvedPlan plan, TensorTransport.Mode transport, boolean cancelMidStream,
            List<byte[]> wavs) throws Exception {
        RuntimeOptions options = RuntimeOptions.defaults().withShmDir(shm).withRequestTimeoutMillis(120_000)
                .withTensorTransport(transport);
        List<String> texts = new ArrayList<>();
        try (ControlPlane runtime = Runtimes.start(plan, DeviceSlots.parse("cpu:2"), options);
                Gateway gateway = Gateway.start(new GatewaySettings("127.0.0.1", 0,
                        GatewaySettings.DEFAULT_MAX_BODY_BYTES, GatewaySettings.newAdminToken()), runtime)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.url() + "/v1").apiKey("unused")
                    .timeout(Duration.ofSeconds(120)).maxRetries(0).build();
            try {
                ChatCompletionCreateParams text = ChatCompletionCreateParams.builder().model("tiny-omni")
                        .addUserMessage("Hello there, how are you?").maxCompletionTokens(12).temperature(0.0).seed(3)
                        .build();
                ChatCompletion plain = client.chat().completions().create(text);
                texts.add(plain.choices().get(0).message().content().orElse(""));
                assertEquals(12, plain.usage().orElseThrow().completionTokens(), "the first token counts too");
                texts.add(streamed(client, text));

                ChatCompletionContentPart ask = ChatCompletionContentPart.ofText(ChatCompletionContentPartText
                        .builder().text("What is in the picture?").build());
                ChatCompletionContentPart image = ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage
                        .builder().imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                .url(TestMedia.pngDataUrl(112)).build()).build());
                ChatCompletionCreateParams withImage = ChatCompletionCreateParams.builder().model("tiny-omni")
                        .addUserMessageOfArrayOfContentParts(List.of(ask, image)).maxCompletionTokens(10)
                        .temperature(0.0).build();
                texts.add(client.chat().completions().create(withImage).choices().get(0).message().content()
                        .orElse(""));
                texts.add(streamed(client, withImage));

                // voice: audio in, text and a spoken answer out (encoders, prefill, decode, talker, vocoder)
                String voice = JSON.writeValueAsString(JSON.createObjectNode().put("model", "tiny-omni")
                        .put("max_tokens", 8).put("temperature", 0)
                        .<com.fasterxml.jackson.databind.node.ObjectNode>set("modalities",
                                JSON.createArrayNode().add("text").add("audio"))
                        .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user")
                                .set("content", JSON.createArrayNode()
                                        .add(JSON.createObjectNode().put("type", "text").put("text", "Answer me"))
                                        .add(JSON.createObjectNode().put("type", "input_audio").set("input_audio",
                                                JSON.createObjectNode().put("format", "wav").put("data", Base64
                                                        .getEncoder().encodeToString(TestMedia.wav(1.0)))))))));
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                HttpResponse<String> spoken = http.send(post(gateway, voice), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, spoken.statusCode(), spoken.body());
                JsonNode message = JSON.readTree(spoken.body()).path("choices").path(0).path("message");
                texts.add(message.path("content").asText());
                byte[] wav = Base64.getDecoder().decode(message.path("audio").path("data").asText());
                assertTrue(wav.length > 44 && new String(wav, 0, 4).equals("RIFF"), "a WAV comes back");
                wavs.add(wav);
                wavs.add(spokenWav(http, gateway, voice)); // the same request again
                // under load: the same request three times at once (the talkers share batches)
                List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> together = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    together.add(http.sendAsync(post(gateway, voice), HttpResponse.BodyHandlers.ofString()));
                }
                for (var f : together) {
                    HttpResponse<String> r = f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode(), r.body());
                    wavs.add(wavOf(r.body()));
                }
                HttpResponse<Stream<String>> spokenStream = http.send(post(gateway, voice.replaceFirst("\\{",
                        "{\"stream\":true,")), HttpResponse.BodyHandlers.ofLines());
                assertEquals(200, spokenStream.statusCode());
                StringBuilder deltas = new StringBuilder();
                boolean[] audio = {false};
                spokenStream.body().filter(l -> l.startsWith("data: {")).forEach(l -> {
                    try {
                        JsonNode delta = JSON.readTree(l.substring(6)).path("choices").path(0).path("delta");
                        deltas.append(delta.path("content").asText(""));
                        audio[0] |= delta.has("audio");
                        if (delta.has("audio")) {
                            wavs.add(Base64.getDecoder().decode(delta.path("audio").path("data").asText()));
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertTrue(audio[0], "the streamed answer carries the audio");
                texts.add(deltas.toString());

                if (cancelMidStream) {
                    cancelMidStream(client, runtime);
                }
            } finally {
                client.close();
            }
        }
        return texts;
    }

    /** Spoken answers each {@link #serve} collects: plain, again, three at once, streamed. */
    private static final int VOICE_WAVS = 6;
    private static final List<String> SPOKEN = List.of("plain", "again", "together 1", "together 2", "together 3",
            "streamed");

    private static byte[] spokenWav(HttpClient http, Gateway gateway, String voice) throws Exception {
        HttpResponse<String> r = http.send(post(gateway, voice), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return wavOf(r.body());
    }

    private static byte[] wavOf(String body) throws java.io.IOException {
        return Base64.getDecoder().decode(JSON.readTree(body).path("choices").path(0).path("message").path("audio")
                .path("data").asText());
    }

    private static HttpRequest post(Gateway gateway, String body) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String streamed(OpenAIClient client, ChatCompletionCreateParams params) {
        StringBuilder out = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(out::append)));
        }
        return out.toString();
    }

    /**
     * A long answer streamed until its decode deployment holds KV blocks for it, then the client leaves: the KV
     * reservations of both deployments (prefill and decode) go back to none.
     */
    private static void cancelMidStream(OpenAIClient client, ControlPlane runtime) throws InterruptedException {
        ChatCompletionCreateParams longAnswer = ChatCompletionCreateParams.builder().model("tiny-omni")
                .addUserMessage("Talk for a long time").maxCompletionTokens(1500).temperature(0.0).build();
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(longAnswer)) {
            Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
            while (chunks.hasNext() && runtime.kvUsedTokens(1) == 0 && System.nanoTime() < deadline) {
                chunks.next();
            }
            assertTrue(runtime.kvUsedTokens(1) > 0, "the decode deployment holds the sequence's KV blocks");
        }
        long freeDeadline = System.nanoTime() + 15_000_000_000L;
        while ((runtime.kvUsedTokens(0) > 0 || runtime.kvUsedTokens(1) > 0) && System.nanoTime() < freeDeadline) {
            Thread.sleep(20);
        }
        assertEquals(0, runtime.kvUsedTokens(0), "the prefill deployment's KV blocks are free");
        assertEquals(0, runtime.kvUsedTokens(1), "the decode deployment's KV blocks are free");
        assertFalse(runtime.stats().deployments().isEmpty());
    }
}
