package org.cornserve.runtime.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.cornserve.runtime.engine.llm.InputRows;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.cornserve.runtime.sidecar.TensorView;

/**
 * An invocation's float inputs as views of the segments they lie in, in order (their concatenation is the input):
 * the engine reads windows of it ({@link #window}) straight from shared memory, and {@link #close} releases every
 * input's reference once the invocation is done with them. Not thread-safe: the executor's worker thread owns it.
 */
final class InputViews implements AutoCloseable {
    private final List<TensorView> views;
    /** {@code starts[i]}: the float index where view {@code i} begins in the concatenation; the last is the total. */
    private final int[] starts;

    private InputViews(List<TensorView> views) {
        this.views = views;
        this.starts = new int[views.size() + 1];
        for (int i = 0; i < views.size(); i++) {
            long next = (long) starts[i] + views.get(i).floatCount();
            if (next > Integer.MAX_VALUE - 8) {
                close();
                throw new IllegalArgumentException("inputs of " + next + " floats in all do not fit one sequence");
            }
            starts[i + 1] = (int) next;
        }
    }

    /**
     * Opens a view of each of {@code refs}, taking over their consumer references: when one cannot be opened (it
     * expired, or is not whole floats) every reference is released and the failure thrown.
     */
    static InputViews open(SharedMemorySidecar sidecar, List<TensorRef> refs) {
        List<TensorView> views = new ArrayList<>(refs.size());
        try {
            for (TensorRef ref : refs) {
                views.add(sidecar.viewFloats(ref));
            }
        } catch (RuntimeException e) {
            views.forEach(TensorView::close);
            for (int i = views.size(); i < refs.size(); i++) {
                sidecar.release(refs.get(i)); // an expired one releases nothing
            }
            throw e;
        }
        return new InputViews(views);
    }

    /** Floats in all the inputs. */
    int floats() {
        return starts[views.size()];
    }

    /** Floats {@code [from, from + length)} of the concatenation, read where they lie when the engine asks. */
    InputRows window(int from, int length) {
        Objects.checkFromIndexSize(from, length, floats());
        return new InputRows() {
            @Override
            public int floats() {
                return length;
            }

            @Override
            public void copyTo(int at, float[] dst, int dstOffset, int n) {
                Objects.checkFromIndexSize(at, n, length);
                InputViews.this.copyTo(from + at, dst, dstOffset, n);
            }
        };
    }

    /** Copies floats {@code [from, from + n)} of the concatenation into {@code dst}, across inputs where it spans. */
    void copyTo(int from, float[] dst, int dstOffset, int n) {
        int v = view(from);
        while (n > 0) {
            int inView = Math.min(n, starts[v + 1] - from);
            views.get(v).copyTo(from - starts[v], dst, dstOffset, inView);
            from += inView;
            dstOffset += inView;
            n -= inView;
            v++;
        }
    }

    /** The view holding float {@code at} (the last one starting at or before it; empty inputs are skipped). */
    private int view(int at) {
        int lo = 0;
        int hi = views.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= at) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The concatenation copied into a new array (for a holder keeping it past the views' life). */
    float[] toArray() {
        float[] out = new float[floats()];
        copyTo(0, out, 0, out.length);
        return out;
    }

    /** Whether any input is half-way to its timeout: a holder keeping it longer copies it out now. */
    boolean nearExpiry() {
        for (TensorView v : views) {
            if (v.nearExpiry()) {
                return true;
            }
        }
        return false;
    }

    /** Releases every input's reference (once). */
    @Override
    public void close() {
        views.forEach(TensorView::close);
    }
}
