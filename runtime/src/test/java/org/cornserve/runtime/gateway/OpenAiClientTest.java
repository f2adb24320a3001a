package org.cornserve.runtime.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat endpoint through the official openai-java client, unchanged: plain, streamed, with an image. */
@Tag("integration")
@Timeout(120)
class OpenAiClientTest {
    static TestServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = new TestServer();
        client = OpenAIOkHttpClient.builder().baseUrl(server.gateway.url() + "/v1").apiKey("unused")
                .timeout(Duration.ofSeconds(60)).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void listsTheModels() {
        List<String> ids = new ArrayList<>();
        client.models().list().data().forEach(m -> ids.add(m.id()));
        assertTrue(ids.contains("tiny-vl") && ids.contains("tiny-omni"), ids.toString());
    }

    @Test
    void plainCompletionWithUsage() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny-vl")
                .addSystemMessage("You are terse.").addUserMessage("Hello there").maxCompletionTokens(10)
                .temperature(0.0).seed(7).build());
        assertEquals(1, c.choices().size());
        String text = c.choices().get(0).message().content().orElse("");
        long completion = c.usage().orElseThrow().completionTokens();
        assertTrue(completion >= 1 && completion <= 10, "completion tokens " + completion);
        String prompt = "system: You are terse.\nuser: Hello there\nassistant:";
        assertEquals(1 + prompt.length(), c.usage().orElseThrow().promptTokens());
        assertEquals(c.usage().orElseThrow().promptTokens() + completion, c.usage().orElseThrow().totalTokens());
        // greedy decoding with the same input gives the same answer
        ChatCompletion again = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("tiny-vl").addSystemMessage("You are terse.").addUserMessage("Hello there")
                .maxCompletionTokens(10).temperature(0.0).seed(7).build());
        assertEquals(text, again.choices().get(0).message().content().orElse(""));
    }

    @Test
    void streamedCompletionMatchesThePlainOne() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("tiny-vl")
                .addUserMessage("Count to five").maxCompletionTokens(16).temperature(0.0)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        StringBuilder streamed = new StringBuilder();
        int chunks = 0;
        long usageTokens = -1;
        String finish = null;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                chunks++;
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.delta().content().ifPresent(streamed::append);
                    if (choice.finishReason().isPresent()) {
                        finish = choice.finishReason().get().asString();
                    }
                }
                if (chunk.usage().isPresent()) {
                    usageTokens = chunk.usage().get().completionTokens();
                }
            }
        }
        ChatCompletion whole = client.chat().completions().create(params.toBuilder().streamOptions(
                java.util.Optional.empty()).build());
        assertEquals(whole.choices().get(0).message().content().orElse(""), streamed.toString());
        assertEquals(whole.usage().orElseThrow().completionTokens(), usageTokens);
        assertTrue(chunks >= 3, "a role chunk, deltas, a finish chunk: " + chunks);
        assertTrue(finish.equals("stop") || finish.equals("length"), finish);
    }

    @Test
    void anImageAsADataUrl() {
        ChatCompletionContentPart text = ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                .text("Describe the picture").build());
        ChatCompletionContentPart image = ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(TestMedia.pngDataUrl(112)).build())
                .build());
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("tiny-vl")
                .addUserMessageOfArrayOfContentParts(List.of(text, image)).maxCompletionTokens(6).temperature(0.0)
                .build());
        String prompt = "user: Describe the picture\nassistant:";
        // 112 px is 4x4 tokens of 28 px
        assertEquals(1 + 16 + prompt.length(), c.usage().orElseThrow().promptTokens());
    }

    @Test
    void anUnknownModelIsA404TheClientUnderstands() {
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("hi").build()));
        assertTrue(e.getMessage().contains("gpt-4o"), e.getMessage());
    }
}
