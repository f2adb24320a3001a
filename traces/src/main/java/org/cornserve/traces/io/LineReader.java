package org.cornserve.traces.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding or copying them: after {@link #next()} the line is
 * {@code buffer()[start() .. end())}, valid until the next call. Ends of line may be {@code \n} or
 * {@code \r\n}; a UTF-8 byte order mark at the start is dropped. Lines longer than the buffer grow it.
 */
public final class LineReader implements Closeable {

    private static final int DEFAULT_BUFFER_BYTES = 1 << 16;

    private final InputStream in;
    private byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    private int lineStart;
    private int lineEnd;
    private long lineNumber;

    public LineReader(InputStream in) {
        this(in, DEFAULT_BUFFER_BYTES);
    }

    public LineReader(InputStream in, int bufferBytes) {
        this.in = in;
        this.buf = new byte[Math.max(16, bufferBytes)];
    }

    /** Advances to the next line; false at the end of the stream. */
    public boolean next() throws IOException {
        int scan = pos;
        while (true) {
            for (int i = scan; i < limit; i++) {
                if (buf[i] == '\n') {
                    setLine(pos, i);
                    pos = i + 1;
                    return true;
                }
            }
            if (eof) {
                if (pos < limit) {
                    setLine(pos, limit);
                    pos = limit;
                    return true;
                }
                return false;
            }
            scan = limit - pos;
            fill();
        }
    }

    private void setLine(int from, int newline) {
        int end = newline;
        if (end > from && buf[end - 1] == '\r') {
            end--;
        }
        if (lineNumber == 0 && end - from >= 3 && buf[from] == (byte) 0xEF && buf[from + 1] == (byte) 0xBB
                && buf[from + 2] == (byte) 0xBF) {
            from += 3;
        }
        lineStart = from;
        lineEnd = end;
        lineNumber++;
    }

    /** Moves unread bytes to the front (growing the buffer when a line fills it) and reads more. */
    private void fill() throws IOException {
        int unread = limit - pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, unread);
        } else if (unread == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        pos = 0;
        limit = unread;
        while (limit < buf.length) {
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
                return;
            }
            limit += n;
            if (n > 0) {
                return;
            }
        }
    }

    public byte[] buffer() {
        return buf;
    }

    public int start() {
        return lineStart;
    }

    public int end() {
        return lineEnd;
    }

    /** 1-based number of the current line. */
    public long lineNumber() {
        return lineNumber;
    }

    /** True when the current line holds only spaces and tabs. */
    public boolean isBlank() {
        for (int i = lineStart; i < lineEnd; i++) {
            if (buf[i] != ' ' && buf[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
