package org.cornserve.runtime.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChatRequestTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static ChatRequest parse(String json) throws Exception {
        return ChatRequest.parse(JSON.readTree(json));
    }

    @Test
    void messagesBecomeOnePromptAndMediaIsCollectedInOrder() throws Exception {
        ChatRequest r = parse("{\"model\": \"m\", \"stream\": true, \"stream_options\": {\"include_usage\": true}, "
                + "\"max_completion_tokens\": 9, \"temperature\": 0.5, \"seed\": 4, \"messages\": ["
                + "{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + "{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Look: \"},"
                + "{\"type\": \"image_url\", \"image_url\": {\"url\": \"data:image/png;base64,aGk=\"}},"
                + "{\"type\": \"input_audio\", \"input_audio\": {\"data\": \"aGVsbG8=\", \"format\": \"wav\"}}]}]}");
        assertEquals("system: Be brief.\nuser: Look: \nassistant:", r.prompt());
        assertEquals(1, r.images().size());
        assertEquals("hi", new String(r.images().get(0)));
        assertEquals("hello", new String(r.audio().get(0)));
        assertTrue(r.stream() && r.includeUsage());
        assertEquals(9, r.maxTokens());
        assertEquals(0.5, r.temperature());
        assertEquals(4, r.seed());
        ChatRequest d = parse("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}");
        assertEquals(ChatRequest.DEFAULT_MAX_TOKENS, d.maxTokens());
        assertEquals(1.0, d.temperature());
    }

    /** The markup a simulation adds to a replayed prompt is the markup the endpoint builds around one message. */
    @Test
    void oneUserMessagesPromptIsItsTextInTheChatMarkup() throws Exception {
        ChatRequest r = parse("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"abc d\"}]}");
        assertEquals(ChatPrompts.singleMessage("user", "abc d"), r.prompt());
        // the byte tokenizer: BOS, "user: " (6), the text, "\n" (1), "assistant:" (10)
        assertEquals(1 + 6 + 5 + 1 + 10, org.cornserve.runtime.control.RequestBuilder.textPromptTokens(r.prompt()));
        assertEquals(18, org.cornserve.runtime.control.RequestBuilder.textPromptTokens(
                ChatPrompts.singleMessage("user", "")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}                          | 'model' is required",
        "{\"model\": \"m\", \"messages\": []}                                                  | non-empty array",
        "{\"model\": \"m\", \"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}         | messages[0].role 'robot'",
        "{\"model\": \"m\", \"messages\": [{\"role\": \"user\"}]}                              | messages[0].content is required",
        "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"video\"}]}]} | messages[0].content[0].type 'video'",
        "{\"model\": \"m\", \"max_tokens\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]} | max_tokens must be in 1..4096",
        "{\"model\": \"m\", \"temperature\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]} | temperature must be",
        "{\"model\": \"m\", \"n\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}  | n must be 1",
        "{\"model\": \"m\", \"tools\": [], \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]} | unknown field 'tools'",
        "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"input_audio\", \"input_audio\": {\"data\": \"aGk=\", \"format\": \"mp3\"}}]}]} | format 'mp3'",
        "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {}}]}]} | 'messages[0].content[0].image_url.url' is required",
        "{\"model\": 7, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]} | 'model' must be a string"})
    void badRequestsSayWhatIsWrong(String json, String expected) {
        ApiError e = assertThrows(ApiError.class, () -> parse(json));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void modalitiesAskForASpokenAnswerAndBadOnesAreNamed() throws Exception {
        String base = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
        org.junit.jupiter.api.Assertions.assertFalse(parse(base + "}").audioOut());
        org.junit.jupiter.api.Assertions.assertFalse(parse(base + ", \"modalities\": [\"text\"]}").audioOut());
        org.junit.jupiter.api.Assertions.assertTrue(parse(base + ", \"modalities\": [\"text\", \"audio\"],"
                + " \"audio\": {\"format\": \"wav\", \"voice\": \"alloy\"}}").audioOut());
        for (String[] bad : new String[][] {
                {", \"modalities\": [\"audio\"]}", "must include"},
                {", \"modalities\": [\"text\", \"video\"]}", "not one of text, audio"},
                {", \"modalities\": \"text\"}", "non-empty array"},
                {", \"modalities\": [\"text\", \"audio\"], \"audio\": {\"format\": \"mp3\"}}", "mp3"},
                {", \"audio\": {\"format\": \"wav\"}}", "need"}}) {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> parse(base + bad[0]));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }
}
