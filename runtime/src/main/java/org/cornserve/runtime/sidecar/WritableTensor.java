package org.cornserve.runtime.sidecar;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * A float tensor its producer writes where it lies in shared memory ({@link SharedMemorySidecar#allocateFloats}):
 * the engine stores its output rows straight into {@link #floats}, then {@link #publish} hands the tensor to its
 * consumers as a {@link TensorRef}, exactly as {@link SharedMemorySidecar#putFloats} would after copying a heap array
 * in. {@link #close} frees the segment when it was not published (the producer failed), so a producer writes
 * {@code try (WritableTensor out = sidecar.allocateFloats(n, c)) { ...; ref = out.publish(); }}. Not thread-safe
 * except for the floats themselves: several threads may store disjoint ranges through {@link #floats}'s absolute
 * methods before the one that publishes.
 */
public final class WritableTensor implements AutoCloseable {
    private final SharedMemorySidecar sidecar;
    private final String segment;
    private final long generation;
    private final FloatBuffer floats;
    private TensorRef published;
    private boolean closed;

    WritableTensor(SharedMemorySidecar sidecar, String segment, long generation, FloatBuffer floats) {
        this.sidecar = sidecar;
        this.segment = segment;
        this.generation = generation;
        this.floats = floats;
    }

    /** The segment's file name. */
    public String segment() {
        return segment;
    }

    /** Floats the tensor holds at most. */
    public int floatCount() {
        return floats.capacity();
    }

    /**
     * The tensor's floats where they lie, writable, in native order; write them with the absolute methods (index 0 is
     * the tensor's first float). Not to be written after {@link #publish} or {@link #close}.
     *
     * @throws IllegalStateException when published or closed already
     */
    public FloatBuffer floats() {
        checkWritable();
        return floats;
    }

    /** Stores {@code length} floats of {@code src} from {@code offset} at float {@code at} of the tensor. */
    public void put(int at, float[] src, int offset, int length) {
        checkWritable();
        Objects.checkFromIndexSize(at, length, floats.capacity());
        floats.put(at, src, offset, length);
    }

    /** Publishes every float of the tensor; see {@link #publish(int)}. */
    public TensorRef publish() {
        return publish(floatCount());
    }

    /**
     * Hands the first {@code count} floats to the consumers: the reference count and the timeout start now, and the
     * producer no longer writes the segment.
     *
     * @throws IllegalStateException when published or closed already, or the sidecar was closed
     * @throws IllegalArgumentException when {@code count} is not 0..{@link #floatCount}
     */
    public TensorRef publish(int count) {
        checkWritable();
        Objects.checkIndex(count, floats.capacity() + 1);
        published = sidecar.publish(segment, generation, (long) count * Float.BYTES);
        return published;
    }

    /** The reference {@link #publish} returned, or null before. */
    public TensorRef published() {
        return published;
    }

    private void checkWritable() {
        if (published != null) {
            throw new IllegalStateException("tensor in " + segment + " was published already (as generation "
                    + published.generation() + "); a producer publishes once");
        }
        if (closed) {
            throw new IllegalStateException("tensor in " + segment + " was closed unpublished (its segment is free)");
        }
    }

    /** Frees the segment unless the tensor was published (once; later calls do nothing). */
    @Override
    public void close() {
        if (!closed && published == null) {
            sidecar.abandon(segment, generation);
        }
        closed = true;
    }
}
