package org.cornserve.runtime.executor;

import java.util.Arrays;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.cornserve.runtime.sidecar.WritableTensor;

/**
 * A prefill/decode split's hand-off of one sequence, from the prefill executor to the decode executor: one float
 * tensor in the sidecar (shared memory on one host, reference-counted, freed when the decode side has read it):
 * {@link #HEADER} floats (prompt length, first token, hidden rows: 0, or the prompt length when the sequence hands
 * its hidden states on to a talker), the prompt's keys and values in {@link KvCache#exportSequence}'s order (so the
 * two caches' block layouts need not match), then the prompt's hidden rows.
 */
final class KvHandOff {
    /** Floats before the keys and values. */
    static final int HEADER = 3;

    private KvHandOff() {
    }

    /**
     * What the decode side received.
     *
     * @param kv the prompt's keys and values, for {@link KvCache#importSequence}
     * @param hidden the prompt's hidden rows, or null
     */
    record Received(int promptLength, int firstToken, float[] kv, float[] hidden) {
    }

    /**
     * Writes sequence {@code seqId}'s first {@code promptLength} positions of {@code cache}, its first token and
     * {@code promptHidden} (or null) into a new segment for {@code consumers} readers. O(layers x prompt x kvDim).
     */
    static TensorRef write(SharedMemorySidecar sidecar, KvCache cache, long seqId, int promptLength, int firstToken,
            float[] promptHidden, int consumers) {
        int kv = cache.transferFloats(promptLength);
        int hidden = promptHidden == null ? 0 : promptHidden.length;
        WritableTensor t = sidecar.allocateFloats(HEADER + kv + hidden, consumers);
        try {
            t.put(0, new float[] {promptLength, firstToken, promptHidden == null ? 0 : promptLength}, 0, HEADER);
            float[] flat = new float[kv];
            cache.exportSequence(seqId, promptLength, flat, 0);
            t.put(HEADER, flat, 0, kv);
            if (hidden > 0) {
                t.put(HEADER + kv, promptHidden, 0, hidden);
            }
            return t.publish(HEADER + kv + hidden);
        } finally {
            t.close();
        }
    }

    /**
     * Reads {@code ref} and releases it (also when it is refused).
     *
     * @param cache the decode side's cache (its layers and widths must be the prefill side's)
     * @param hiddenWidth the model's hidden width
     * @param what names the invocation in an error
     * @throws IllegalArgumentException when the tensor is not a hand-off for this model
     */
    static Received read(SharedMemorySidecar sidecar, TensorRef ref, KvCache cache, int hiddenWidth, String what) {
        float[] in;
        try {
            in = sidecar.readFloats(ref);
        } finally {
            sidecar.release(ref);
        }
        int promptLength = in.length < HEADER ? -1 : (int) in[0];
        int first = in.length < HEADER ? -1 : (int) in[1];
        int hiddenRows = in.length < HEADER ? -1 : (int) in[2];
        int kv = promptLength < 1 ? -1 : cache.transferFloats(promptLength);
        if (promptLength < 1 || first < 0 || hiddenRows != 0 && hiddenRows != promptLength
                || in.length != HEADER + kv + (long) hiddenRows * hiddenWidth) {
            throw new IllegalArgumentException(what + ": a hand-off of " + in.length + " floats is not a prefill's KV"
                    + " cache (prompt " + promptLength + ", hidden rows " + hiddenRows + ")");
        }
        return new Received(promptLength, first, Arrays.copyOfRange(in, HEADER, HEADER + kv),
                hiddenRows == 0 ? null : Arrays.copyOfRange(in, HEADER + kv, in.length));
    }
}
