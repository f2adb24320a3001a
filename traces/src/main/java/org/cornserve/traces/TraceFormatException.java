package org.cornserve.traces;

import java.io.IOException;

/**
 * A trace line that cannot be read. The message names the file, the 1-based line and the problem,
 * as in {@code conv.csv:17: ContextTokens: not a whole number: '3x7'}.
 */
public final class TraceFormatException extends IOException {

    private final String source;
    private final long lineNumber;
    private final String problem;

    public TraceFormatException(String source, long lineNumber, String problem) {
        this(source, lineNumber, problem, null);
    }

    public TraceFormatException(String source, long lineNumber, String problem, Throwable cause) {
        super(source + ":" + lineNumber + ": " + problem, cause);
        this.source = source;
        this.lineNumber = lineNumber;
        this.problem = problem;
    }

    /** The file (or other source) being read. */
    public String source() {
        return source;
    }

    /** The 1-based line number of the bad line. */
    public long lineNumber() {
        return lineNumber;
    }

    /** What is wrong with the line, without file and line. */
    public String problem() {
        return problem;
    }
}
