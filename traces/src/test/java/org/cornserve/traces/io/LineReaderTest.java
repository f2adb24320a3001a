package org.cornserve.traces.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineReaderTest {

    /** Hands out at most a few bytes per read, as a slow pipe would. */
    static final class Trickle extends FilterInputStream {
        private final SplittableRandom random;

        Trickle(InputStream in, long seed) {
            super(in);
            random = new SplittableRandom(seed);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
        }
    }

    /** Random lines (empty, long, CRLF or LF, UTF-8) split like BufferedReader.readLine, for any buffer size. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void splitsLikeBufferedReader(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder();
        int lines = 200;
        for (int i = 0; i < lines; i++) {
            int len = random.nextInt(5) == 0 ? random.nextInt(300) : random.nextInt(20);
            for (int k = 0; k < len; k++) {
                text.append(random.nextInt(10) == 0 ? 'é' : (char) ('a' + random.nextInt(26)));
            }
            if (i < lines - 1 || random.nextBoolean()) {
                text.append(random.nextBoolean() ? "\r\n" : "\n");
            }
        }
        List<String> expected = new BufferedReader(new StringReader(text.toString())).lines().toList();
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        InputStream in = seed % 2 == 0 ? new ByteArrayInputStream(bytes) : new Trickle(new ByteArrayInputStream(bytes), seed);
        List<String> actual = new ArrayList<>();
        try (LineReader r = new LineReader(in, 16 + random.nextInt(64))) {
            while (r.next()) {
                actual.add(new String(r.buffer(), r.start(), r.end() - r.start(), StandardCharsets.UTF_8));
                assertEquals(actual.size(), r.lineNumber());
            }
        }
        assertEquals(expected, actual);
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 1 << 16})
    void dropsByteOrderMark(int buffer) throws IOException {
        byte[] bytes = "\uFEFFTIMESTAMP,a\r\n1,2\r\n".getBytes(StandardCharsets.UTF_8);
        try (LineReader r = new LineReader(new ByteArrayInputStream(bytes), buffer)) {
            r.next();
            assertEquals("TIMESTAMP,a", new String(r.buffer(), r.start(), r.end() - r.start(), StandardCharsets.UTF_8));
        }
    }
}
