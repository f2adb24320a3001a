package org.cornserve.plots.data;

import java.nio.file.Path;

/** A result file that cannot be read: the message names the file, the line where known, and the problem. */
public final class ResultFileException extends RuntimeException {

    public ResultFileException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
    }

    public ResultFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
