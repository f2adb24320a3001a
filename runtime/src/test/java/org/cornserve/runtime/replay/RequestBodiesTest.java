package org.cornserve.runtime.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.junit.jupiter.api.Test;

/** Invoke bodies in the invoked app's own fields, when the server lists them. */
class RequestBodiesTest {
    private static final byte[] PNG = {1, 2, 3};
    private static final byte[] WAV = {4, 5, 6, 7};

    private static JsonNode invoke(SynthesizedRequest r, Set<String> fields) throws Exception {
        return new ObjectMapper().readTree(RequestBodies.body(ReplayApi.INVOKE, "app", r, 0, true, fields));
    }

    @Test
    void theVoiceAppGetsOneImageAndItsAudioAsBase64() throws Exception {
        SynthesizedRequest r = new SynthesizedRequest("hi", List.of(PNG), List.of(WAV), 5, Set.of(Modality.AUDIO), 9);
        JsonNode body = invoke(r, Set.of("prompt", "audio", "image", "max_tokens", "seed"));
        assertEquals("data:image/png;base64," + Base64.getEncoder().encodeToString(PNG), body.get("image").asText());
        assertEquals(Base64.getEncoder().encodeToString(WAV), body.get("audio").asText());
        assertEquals(5, body.get("max_tokens").asInt());
        assertFalse(body.has("images"));
    }

    @Test
    void theChatAppGetsAListOfImagesAndNoAudioField() throws Exception {
        SynthesizedRequest text = new SynthesizedRequest("hi", List.of(PNG, PNG), List.of(), 3, Set.of(), 2);
        Set<String> chat = Set.of("prompt", "images", "max_tokens", "temperature", "seed");
        JsonNode body = invoke(text, chat);
        assertEquals(2, body.get("images").size());
        assertFalse(body.has("audio"));
        SynthesizedRequest spoken = new SynthesizedRequest("hi", List.of(), List.of(WAV), 3, Set.of(), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> invoke(spoken, chat));
        assertTrue(e.getMessage().contains("takes no audio") && e.getMessage().contains("images"), e.getMessage());
        SynthesizedRequest two = new SynthesizedRequest("hi", List.of(PNG, PNG), List.of(), 3, Set.of(), 2);
        assertThrows(IllegalArgumentException.class, () -> invoke(two, Set.of("prompt", "image")));
    }

    @Test
    void withoutTheAppsFieldsTheBodyIsTheGenericOne() throws Exception {
        SynthesizedRequest r = new SynthesizedRequest("hi", List.of(), List.of(), 3, Set.of(), 2);
        JsonNode body = invoke(r, null);
        assertTrue(body.get("images").isArray() && body.get("audio").isArray(), body.toString());
    }
}
