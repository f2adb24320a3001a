package org.cornserve.runtime.serve.local;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a byte-level tokenizer's tokens (0-255 are bytes, the rest special) into text deltas as they are generated:
 * a multi-byte character comes out once its last byte arrives; malformed bytes become U+FFFD. Not thread-safe.
 */
public final class Utf8Deltas {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer in = ByteBuffer.allocate(8);
    private final CharBuffer out = CharBuffer.allocate(16);

    /** The text that token {@code token} completes ("" while a character is incomplete or for special tokens). */
    public String feed(int token) {
        if (token < 0 || token > 255) {
            return "";
        }
        in.put((byte) token);
        in.flip();
        decoder.decode(in, out, false);
        in.compact();
        return drain();
    }

    /** Whatever incomplete character is left, as U+FFFD ("" when nothing is pending). */
    public String finish() {
        in.flip();
        decoder.decode(in, out, true);
        decoder.flush(out);
        in.clear();
        decoder.reset();
        return drain();
    }

    private String drain() {
        out.flip();
        String s = out.toString();
        out.clear();
        return s;
    }
}
