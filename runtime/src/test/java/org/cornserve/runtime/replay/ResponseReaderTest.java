package org.cornserve.runtime.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How a streamed answer's outputs are timed: each SSE chunk is read at the next tick of a fake clock. */
class ResponseReaderTest {

    private static ResponseReader read(String... chunks) throws Exception {
        AtomicLong clock = new AtomicLong();
        ResponseReader reader = new ResponseReader(() -> clock.addAndGet(10));
        StringBuilder body = new StringBuilder();
        for (String c : chunks) {
            body.append("data: ").append(c).append("\n\n");
        }
        body.append("data: [DONE]\n\n");
        reader.read(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)), "text/event-stream");
        return reader;
    }

    private static String delta(String content, String finish) {
        return "{\"choices\":[{\"index\":0,\"delta\":" + (content == null ? "{}" : "{\"content\":\"" + content + "\"}")
                + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    @Test
    void theTokenStreamEndsAtTheChunkThatEndsTheChoice() throws Exception {
        // role chunk (t=10), text (20), text (30), an empty delta (40: no output), the finish chunk (50), usage (60)
        ResponseReader r = read(delta("", null), delta("ab", null), delta("c", null), delta(null, null),
                delta(null, "length"), "{\"choices\":[],\"usage\":{\"completion_tokens\":9}}");
        assertEquals(20, r.firstOutputNanos);
        assertEquals(50, r.lastOutputNanos, "the last token came with the finish chunk, though it made no text");
        assertEquals(9, r.outputTokens());
        assertEquals(2, r.textChunks);
    }

    @Test
    void theRoleChunkComesWithTheFirstTokenThoughItHasNoText() throws Exception {
        // the role (t=10: the first token, a byte of a character), the character's rest (20), an empty delta (30),
        // more text (40), the finish chunk (50)
        String role = "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"finish_reason\":null}]}";
        ResponseReader r = read(role, delta("é", null), delta(null, null), delta("x", null), delta(null, "length"));
        assertEquals(10, r.firstOutputNanos);
        assertEquals(50, r.lastOutputNanos);
        assertEquals(2, r.textChunks);
    }

    @Test
    void withoutAFinishChunkTheLastTextEndsIt() throws Exception {
        ResponseReader r = read(delta("a", null), delta("b", null), delta(null, null));
        assertEquals(10, r.firstOutputNanos);
        assertEquals(20, r.lastOutputNanos);
    }

    @Test
    void aFinishBeforeAnyOutputIsNoOutput() throws Exception {
        ResponseReader r = read(delta("", null), delta(null, "stop"));
        assertEquals(-1, r.firstOutputNanos);
        assertEquals(-1, r.lastOutputNanos);
    }
}
