package org.cornserve.traces;

import java.io.IOException;

/**
 * Something that can open a trace, possibly several times (a file, a seeded generator, a pipeline of
 * transforms over another source). Transforms that need a first pass, such as rescaling to a target
 * rate, open their source twice.
 */
@FunctionalInterface
public interface TraceSource {

    /** Opens a fresh reader positioned at the first record. */
    TraceReader open() throws IOException;
}
