package org.cornserve.runtime.sidecar;

import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.util.Objects;

/**
 * A consumer's read-only view of a float tensor where it lies in shared memory, holding the consumer's reference:
 * the engine reads the floats straight from the mapped segment (no copy into a heap array on receipt) and
 * {@link #close} releases the reference, once, so the producer can reuse the segment. Every read checks afterwards
 * that the segment was not reclaimed during it (a consumer that held the view past the sidecar's timeout gets a
 * {@link TensorExpiredException}, never another tensor's floats); {@link #nearExpiry} tells a holder that means to
 * keep the view longer to copy it out while it is still valid. Not thread-safe: one consumer thread reads it.
 */
public final class TensorView implements AutoCloseable {
    private final SharedMemorySidecar sidecar;
    private final TensorRef ref;
    private final MappedByteBuffer segment;
    private final FloatBuffer floats;
    private boolean closed;

    TensorView(SharedMemorySidecar sidecar, TensorRef ref, MappedByteBuffer segment, FloatBuffer floats) {
        this.sidecar = sidecar;
        this.ref = ref;
        this.segment = segment;
        this.floats = floats;
    }

    /** The tensor this view stands for. */
    public TensorRef ref() {
        return ref;
    }

    /** Floats in the tensor. */
    public int floatCount() {
        return floats.capacity();
    }

    /**
     * Copies floats {@code [from, from + length)} of the tensor into {@code dst} from {@code dstOffset} (one bulk copy
     * from the mapped segment).
     *
     * @throws IllegalStateException when the view was closed
     * @throws TensorExpiredException when the segment was reclaimed before or during the copy
     */
    public void copyTo(int from, float[] dst, int dstOffset, int length) {
        if (closed) {
            throw new IllegalStateException("tensor view of " + ref.segment() + " is closed (its reference was"
                    + " released)");
        }
        Objects.checkFromIndexSize(from, length, floats.capacity());
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        sidecar.checkGeneration(segment, ref);
        floats.get(from, dst, dstOffset, length);
        sidecar.checkGeneration(segment, ref);
    }

    /** Copies the whole tensor into a new array (a holder keeping the floats past the view's life). */
    public float[] toArray() {
        float[] out = new float[floatCount()];
        copyTo(0, out, 0, out.length);
        return out;
    }

    /**
     * Whether half the sidecar's timeout has passed since the tensor was written: a holder that keeps the view longer
     * should copy what it still needs out now and close it, before the producer may reclaim the segment.
     */
    public boolean nearExpiry() {
        return sidecar.pastHalfTimeout(segment);
    }

    /** Whether {@link #close} was called. */
    public boolean closed() {
        return closed;
    }

    /** Releases the consumer's reference (once; later calls do nothing). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sidecar.release(ref);
        }
    }
}
