package org.cornserve.runtime.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    @TempDir
    Path dir;

    @Test
    void byteTokenizerRoundTripsUtf8() {
        ByteTokenizer t = new ByteTokenizer();
        String s = "héllo, wörld ✓";
        int[] ids = t.encode(s);
        assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ids.length);
        assertEquals(s, t.decode(ids));
        assertEquals("ab", t.decode(new int[] {ByteTokenizer.BOS, 'a', ByteTokenizer.IMAGE, 'b', ByteTokenizer.EOS}));
    }

    /** A byte-level BPE vocabulary: the 256 byte symbols, then merges "h e", "l l", "he ll", "Ġ w". */
    private Path writeTokenizer() throws Exception {
        StringBuilder vocab = new StringBuilder("{");
        int id = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            vocab.append(id == 0 ? "" : ",").append('"').append(escape(symbol(b))).append("\":").append(id++);
        }
        for (String merged : new String[] {"he", "ll", "hell", "Ġw"}) {
            vocab.append(",\"").append(merged).append("\":").append(id++);
        }
        vocab.append('}');
        String json = "{\"added_tokens\":[{\"id\":300,\"content\":\"<|end|>\",\"special\":true}],"
                + "\"pre_tokenizer\":{\"type\":\"ByteLevel\"},"
                + "\"model\":{\"type\":\"BPE\",\"vocab\":" + vocab + ",\"merges\":[\"h e\",\"l l\",[\"he\",\"ll\"],\"Ġ w\"]}}";
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, json);
        return f;
    }

    private static String symbol(int b) {
        int n = 0;
        for (int i = 0; i < 256; i++) {
            boolean printable = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
            if (i == b) {
                return String.valueOf(printable ? (char) i : (char) (256 + n));
            }
            if (!printable) {
                n++;
            }
        }
        throw new AssertionError();
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Test
    void bpeMergesByRankAndRoundTrips() throws Exception {
        BpeTokenizer t = BpeTokenizer.load(writeTokenizer());
        // "hello world": "hello" -> hell + o; " world" -> Ġw o r l d
        int[] ids = t.encode("hello world<|end|>");
        assertArrayEquals(new int[] {258, 'o', 259, 'o', 'r', 'l', 'd', 300}, ids);
        assertEquals("hello world", t.decode(ids));
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 20; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < 30; j++) {
                s.appendCodePoint(rnd.nextInt(3) == 0 ? 0x80 + rnd.nextInt(0x700) : 32 + rnd.nextInt(95));
            }
            assertEquals(s.toString(), t.decode(t.encode(s.toString())));
        }
        assertTrue(t.vocabSize() >= 301);
    }

    @Test
    void samplerIsSeededAndRespectsTopP() {
        float[] logits = {0f, 2f, 1f, -1f, 1.5f};
        assertEquals(1, Sampler.argmax(logits));
        assertEquals(1, Sampler.sample(logits, SamplingParams.greedy(), new SplittableRandom(1)));
        assertEquals(1, Sampler.sample(logits, new SamplingParams(1.0, 1e-6, 0), new SplittableRandom(5)));
        SamplingParams p = new SamplingParams(1.0, 1.0, 0);
        SplittableRandom a = new SplittableRandom(9);
        SplittableRandom b = new SplittableRandom(9);
        int[] counts = new int[5];
        int n = 20000;
        for (int i = 0; i < n; i++) {
            int x = Sampler.sample(logits, p, a);
            assertEquals(x, Sampler.sample(logits, p, b));
            counts[x]++;
        }
        double z = 0;
        for (float l : logits) {
            z += Math.exp(l);
        }
        for (int k = 0; k < 5; k++) {
            double prob = Math.exp(logits[k]) / z;
            double se = Math.sqrt(prob * (1 - prob) / n);
            assertEquals(prob, counts[k] / (double) n, 5 * se, "token " + k);
        }
        // top-p 0.6 keeps tokens 1 (0.43) and 4 (0.26) only
        int[] nucleus = new int[5];
        for (int i = 0; i < 2000; i++) {
            nucleus[Sampler.sample(logits, new SamplingParams(1.0, 0.6, 0), a)]++;
        }
        assertEquals(2000, nucleus[1] + nucleus[4]);
    }
}
