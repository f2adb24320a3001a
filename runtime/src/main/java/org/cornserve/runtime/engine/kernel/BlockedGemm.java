package org.cornserve.runtime.engine.kernel;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * The cache-blocked, multi-threaded driver shared by the matrix multiply kernels (Goto's loop order
 * without the outer column blocking, since B is packed ahead of time): K blocks of KC (one packed B
 * micro-panel stays in L1 while it is reused down a row block), row blocks of MC whose A is packed once
 * into MR-row strips (kept in L2), then an MR x NR register-blocked micro-kernel. Threads
 * take contiguous ranges of column panels, or of row strips when there are few panels.
 *
 * <p>Each element of C is one chain over k in ascending order, started from zero and carried across K
 * blocks through C itself, so the result of a row is independent of the other rows and of threading.
 *
 * <p>C in a buffer (shared memory): each micro-tile is computed into a per-thread MR x NR tile (L1-resident, the
 * register tile's spill) and stored from there into C with the bias of the last K block added, so C is written
 * once per K block and never stands in a heap array.
 */
abstract class BlockedGemm implements Gemm {
    private static final long PARALLEL_MIN_FLOPS = 2_000_000L;

    private final ComputePool pool;
    private final int mr;
    private final int nr;
    private final int kc;
    private final int mc;
    private final ThreadLocal<float[]> aPack;
    private final ThreadLocal<float[]> tile;

    BlockedGemm(ComputePool pool, int mr, int nr, int kc, int mc) {
        this.pool = pool;
        this.mr = mr;
        this.nr = nr;
        this.kc = kc;
        this.mc = mc;
        this.aPack = ThreadLocal.withInitial(() -> new float[mc * kc]);
        this.tile = ThreadLocal.withInitial(() -> new float[mr * nr]);
    }

    @Override
    public final int panelWidth() {
        return nr;
    }

    /** Full micro-tile: MR rows of packed A strip times one packed B panel, into C (ldc). */
    abstract void kernelFull(float[] ap, int apOff, float[] bp, int bpOff, int kLen, float[] c, int cOff, int ldc,
            boolean first);

    /** One row (row {@code r} of a packed A strip) times one packed B panel, into c[cOff..cOff+nr). */
    abstract void kernelRow(float[] ap, int apOff, int r, float[] bp, int bpOff, int kLen, float[] c, int cOff,
            boolean first);

    /** {@link #kernelFull} with B stored as bfloat16. */
    abstract void kernelFullBf16(float[] ap, int apOff, short[] bp, int bpOff, int kLen, float[] c, int cOff, int ldc,
            boolean first);

    /** {@link #kernelRow} with B stored as bfloat16. */
    abstract void kernelRowBf16(float[] ap, int apOff, int r, short[] bp, int bpOff, int kLen, float[] c, int cOff,
            boolean first);

    @Override
    public final void multiply(float[] a, int aOffset, int m, PackedMatrix b, float[] c, int cOffset) {
        run(a, aOffset, m, b, new Out(c, null, null), cOffset);
    }

    @Override
    public final void multiply(float[] a, int aOffset, int m, PackedMatrix b, float[] bias, FloatBuffer c,
            int cOffset) {
        if (bias != null && bias.length != b.n()) {
            throw new IllegalArgumentException("bias of " + bias.length + " for " + b.n() + " outputs");
        }
        if (c.isReadOnly()) {
            throw new IllegalArgumentException("the output buffer is read-only");
        }
        Objects.checkFromIndexSize(cOffset, (long) m * b.n(), c.capacity());
        run(a, aOffset, m, b, new Out(null, c, bias), cOffset);
    }

    /** Where C goes: an array, or a buffer (with the bias to add as each element is finished). */
    private record Out(float[] array, FloatBuffer buffer, float[] bias) {
    }

    private void run(float[] a, int aOffset, int m, PackedMatrix b, Out c, int cOffset) {
        if (b.panelWidth() != nr) {
            throw new IllegalArgumentException("B was packed with panel width " + b.panelWidth() + ", " + name()
                    + " needs " + nr);
        }
        int n = b.n();
        int k = b.k();
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (c.array != null) {
                java.util.Arrays.fill(c.array, cOffset, cOffset + m * n, 0f);
            } else {
                for (int i = 0; i < m * n; i++) {
                    c.buffer.put(cOffset + i, c.bias == null ? 0f : 0f + c.bias[i % n]);
                }
            }
            return;
        }
        int panels = b.panels();
        int strips = (m + mr - 1) / mr;
        long flops = 2L * m * n * k;
        int threads = flops < PARALLEL_MIN_FLOPS ? 1 : pool.threads();
        if (threads == 1) {
            compute(a, aOffset, m, b, c, cOffset, 0, m, 0, panels);
        } else if (panels >= 2 * threads || panels >= strips) {
            int tasks = Math.min(threads, panels);
            pool.run(tasks, t -> compute(a, aOffset, m, b, c, cOffset, 0, m,
                    (int) ((long) panels * t / tasks), (int) ((long) panels * (t + 1) / tasks)));
        } else {
            int tasks = Math.min(threads, strips);
            pool.run(tasks, t -> compute(a, aOffset, m, b, c, cOffset,
                    Math.min(m, (int) ((long) strips * t / tasks) * mr),
                    Math.min(m, (int) ((long) strips * (t + 1) / tasks) * mr), 0, panels));
        }
    }

    private void compute(float[] a, int aOffset, int m, PackedMatrix b, Out out, int cOffset,
            int rowStart, int rowEnd, int panelStart, int panelEnd) {
        int n = b.n();
        int k = b.k();
        float[] bp = b.data();
        short[] bh = b.bf16();
        float[] ap = aPack.get();
        float[] t = tile.get();
        float[] c = out.array;
        for (int pc = 0; pc < k; pc += kc) {
            int kLen = Math.min(kc, k - pc);
            boolean first = pc == 0;
            for (int ic = rowStart; ic < rowEnd; ic += mc) {
                int mLen = Math.min(mc, rowEnd - ic);
                packA(a, aOffset, k, ic, mLen, pc, kLen, ap);
                for (int p = panelStart; p < panelEnd; p++) {
                    int col0 = p * nr;
                    int width = Math.min(nr, n - col0);
                    int bpOff = (p * k + pc) * nr;
                    for (int ir = 0; ir < mLen; ir += mr) {
                        int rows = Math.min(mr, mLen - ir);
                        int apOff = (ir / mr) * kLen * mr;
                        int cOff = cOffset + (ic + ir) * n + col0;
                        if (c == null) {
                            bufferTile(ap, apOff, bp, bh, bpOff, kLen, t, rows, width, out, cOff, n, first,
                                    pc + kLen == k, col0);
                        } else if (rows == mr && width == nr) {
                            if (bh == null) {
                                kernelFull(ap, apOff, bp, bpOff, kLen, c, cOff, n, first);
                            } else {
                                kernelFullBf16(ap, apOff, bh, bpOff, kLen, c, cOff, n, first);
                            }
                        } else {
                            for (int r = 0; r < rows; r++) {
                                int rowOff = cOff + r * n;
                                if (width == nr) {
                                    row(ap, apOff, r, bp, bh, bpOff, kLen, c, rowOff, first);
                                } else {
                                    if (!first) {
                                        System.arraycopy(c, rowOff, t, 0, width);
                                    }
                                    row(ap, apOff, r, bp, bh, bpOff, kLen, t, 0, first);
                                    System.arraycopy(t, 0, c, rowOff, width);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * One micro-tile of C in a buffer: loaded into the tile {@code t} (row stride NR) unless this is the first K
     * block, computed there by the same kernels, the bias added after the last K block, stored back.
     */
    private void bufferTile(float[] ap, int apOff, float[] bp, short[] bh, int bpOff, int kLen, float[] t, int rows,
            int width, Out out, int cOff, int ldc, boolean first, boolean last, int col0) {
        FloatBuffer cb = out.buffer;
        if (!first) {
            for (int r = 0; r < rows; r++) {
                cb.get(cOff + r * ldc, t, r * nr, width);
            }
        }
        if (rows == mr) {
            if (bh == null) {
                kernelFull(ap, apOff, bp, bpOff, kLen, t, 0, nr, first);
            } else {
                kernelFullBf16(ap, apOff, bh, bpOff, kLen, t, 0, nr, first);
            }
        } else {
            for (int r = 0; r < rows; r++) {
                row(ap, apOff, r, bp, bh, bpOff, kLen, t, r * nr, first);
            }
        }
        for (int r = 0; r < rows; r++) {
            if (last && out.bias != null) {
                for (int j = 0; j < width; j++) {
                    t[r * nr + j] += out.bias[col0 + j];
                }
            }
            cb.put(cOff + r * ldc, t, r * nr, width);
        }
    }

    private void row(float[] ap, int apOff, int r, float[] bp, short[] bh, int bpOff, int kLen, float[] c, int cOff,
            boolean first) {
        if (bh == null) {
            kernelRow(ap, apOff, r, bp, bpOff, kLen, c, cOff, first);
        } else {
            kernelRowBf16(ap, apOff, r, bh, bpOff, kLen, c, cOff, first);
        }
    }

    /** Packs rows [row0, row0+mLen) x cols [pc, pc+kLen) of A into MR-row strips, zero padded. */
    private void packA(float[] a, int aOffset, int k, int row0, int mLen, int pc, int kLen, float[] ap) {
        for (int s = 0; s * mr < mLen; s++) {
            int base = s * kLen * mr;
            for (int r = 0; r < mr; r++) {
                int row = s * mr + r;
                if (row < mLen) {
                    int src = aOffset + (row0 + row) * k + pc;
                    for (int kk = 0; kk < kLen; kk++) {
                        ap[base + kk * mr + r] = a[src + kk];
                    }
                } else {
                    for (int kk = 0; kk < kLen; kk++) {
                        ap[base + kk * mr + r] = 0f;
                    }
                }
            }
        }
    }
}
