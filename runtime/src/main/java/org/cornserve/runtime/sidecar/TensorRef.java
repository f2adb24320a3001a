package org.cornserve.runtime.sidecar;

/**
 * A tensor placed in a sidecar: the shared-memory segment that holds it, the segment's generation when it was
 * written (a reference to a reclaimed and reused segment is detected, never read), and the payload's size.
 *
 * @param segment the segment's file name under the sidecar's directory ({@code cornserve-...})
 * @param generation the segment's generation at write time
 * @param bytes payload bytes
 */
public record TensorRef(String segment, long generation, long bytes) {

    public TensorRef {
        if (segment == null || !segment.startsWith(SharedMemorySidecar.FILE_PREFIX) || segment.contains("/")) {
            throw new IllegalArgumentException("tensor ref needs a segment named " + SharedMemorySidecar.FILE_PREFIX
                    + "*, got " + segment);
        }
        if (generation < 1 || bytes < 0) {
            throw new IllegalArgumentException("tensor ref " + segment + ": generation must be >= 1 and bytes >= 0, got "
                    + generation + ", " + bytes);
        }
    }
}
