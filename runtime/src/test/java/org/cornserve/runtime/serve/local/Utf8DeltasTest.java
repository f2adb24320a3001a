package org.cornserve.runtime.serve.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Streaming byte tokens as text equals decoding all the bytes at once (the JDK's String decoding). */
class Utf8DeltasTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void deltasConcatenateToTheWholeDecoding(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String text = "héllo wörld — 数据 🌽 ";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Utf8Deltas deltas = new Utf8Deltas();
        StringBuilder streamed = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            int token;
            int kind = rnd.nextInt(10);
            if (kind < 6) {
                byte[] valid = text.substring(rnd.nextInt(text.length() - 3)).substring(0, 1)
                        .getBytes(StandardCharsets.UTF_8);
                for (byte b : valid) {
                    bytes.write(b);
                    streamed.append(deltas.feed(b & 0xff));
                }
                continue;
            } else if (kind < 9) {
                token = rnd.nextInt(256);
            } else {
                token = 256 + rnd.nextInt(256);
            }
            if (token < 256) {
                bytes.write(token);
            }
            streamed.append(deltas.feed(token));
        }
        streamed.append(deltas.finish());
        assertEquals(bytes.toString(StandardCharsets.UTF_8), streamed.toString());
    }
}
