package org.cornserve.traces.io;

/**
 * What is wrong with one line, thrown by line parsers and turned into a
 * {@link org.cornserve.traces.TraceFormatException} (with file and line) by the reader. It carries no
 * stack trace, so skipping many bad lines stays cheap.
 */
public final class LineProblem extends Exception {

    public LineProblem(String message) {
        super(message, null, false, false);
    }
}
