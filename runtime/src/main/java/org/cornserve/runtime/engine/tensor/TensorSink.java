package org.cornserve.runtime.engine.tensor;

import java.nio.FloatBuffer;

/**
 * Where an engine stores an output tensor instead of a new array: a buffer (a shared-memory segment its consumer
 * reads, written in place) and the float index the tensor starts at, row-major.
 *
 * @param floats the destination, written through its absolute methods
 * @param offset the index of the tensor's first float
 */
public record TensorSink(FloatBuffer floats, int offset) {
    public TensorSink {
        if (floats == null || floats.isReadOnly()) {
            throw new IllegalArgumentException("a tensor sink needs a writable buffer");
        }
        if (offset < 0 || offset > floats.capacity()) {
            throw new IllegalArgumentException("tensor sink offset " + offset + " outside a buffer of "
                    + floats.capacity() + " floats");
        }
    }
}
