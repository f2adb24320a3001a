package org.cornserve.runtime.sidecar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Tensors between processes on one host through shared memory: memory-mapped files under a tmpfs directory
 * ({@code /dev/shm}) named {@code cornserve-<session>-<process>-<n>}, reference-counted in the file itself.
 *
 * <p>A producer writes a tensor into one of its own segments (copying an array in with {@link #putFloats}, or storing
 * its output there in the first place through {@link #allocateFloats}) and hands the {@link TensorRef} to its consumers
 * (through the control plane); each consumer maps the segment and either copies the payload out and releases it, or
 * reads it where it lies through a {@link TensorView} that releases it when closed (zero copy on the read side);
 * when the last consumer has released it (or the timeout passed since it was written) the segment is free and the
 * producer reuses it for a later tensor. Segments stay mapped on both sides, so a steady stream of tensors costs the
 * producer's copy in, the consumer's copy out (none with a view) and no page faults. Free segments idle past the timeout are deleted, beyond an optional number of
 * bytes kept warm; {@link #close} deletes the producer's segments and {@link #deleteSession} every segment of a
 * session (a crashed producer's too).
 *
 * <p>Header (64 bytes, native order): magic int, pad, a 64-bit state word (generation in the high 40 bits,
 * references left in the low 24, changed only by compare-and-set, so a release of a stale reference never touches
 * a reused segment), payload bytes, write time (ms), capacity. Thread-safe.
 */
public final class SharedMemorySidecar implements AutoCloseable {
    /** Every segment's file name starts with this. */
    public static final String FILE_PREFIX = "cornserve-";
    /** The directory shared memory lives in on Linux. */
    public static final Path DEV_SHM = Path.of("/dev/shm");
    /** Free segments a runtime process keeps mapped past the timeout unless told otherwise, in MiB. */
    public static final long DEFAULT_RETAIN_IDLE_MB = 64;

    static final int HEADER_BYTES = 64;
    private static final int MAGIC = 0x43535643;
    private static final int OFF_MAGIC = 0;
    private static final int OFF_STATE = 8;
    private static final int OFF_BYTES = 16;
    private static final int OFF_WRITTEN = 24;
    private static final int OFF_CAPACITY = 32;
    private static final int REF_BITS = 24;
    private static final long REF_MASK = (1L << REF_BITS) - 1;
    private static final long MIN_CAPACITY = 64 * 1024;
    private static final int MAX_CACHED_VIEWS = 128;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final Path dir;
    private final String ownPrefix;
    private final long timeoutMillis;
    private final long retainIdleBytes;
    private final LongSupplier clockMillis;
    private final List<Segment> own = new ArrayList<>();
    private final Map<String, MappedByteBuffer> views = new LinkedHashMap<>(16, 0.75f, true);
    private long created;
    private long expired;
    private boolean closed;

    /** {@code writing[0]}: allocated to a producer writing in place ({@link #allocateFloats}), not yet published. */
    private record Segment(String name, Path file, MappedByteBuffer buf, long capacity, long[] freeSinceMillis,
            boolean[] writing) {
    }

    /**
     * @param dir the tmpfs directory ({@link #DEV_SHM} in production, a temporary directory in tests)
     * @param session the runtime session's id (letters, digits, dashes), shared by every process of one runtime
     * @param process this process's tag within the session (e.g. {@code cp} or {@code ex3})
     * @param timeoutMillis a tensor not released by every consumer after this long is reclaimed
     */
    public SharedMemorySidecar(Path dir, String session, String process, long timeoutMillis, LongSupplier clockMillis) {
        this(dir, session, process, timeoutMillis, 0, clockMillis);
    }

    /**
     * As above, keeping free segments of up to {@code retainIdleBytes} in all past the timeout: they stay mapped and
     * their pages faulted in, so a tensor after a pause costs a copy, not a new file whose every page faults (on a
     * virtual machine that is one to two orders of magnitude more than the copy).
     */
    public SharedMemorySidecar(Path dir, String session, String process, long timeoutMillis, long retainIdleBytes,
            LongSupplier clockMillis) {
        if (retainIdleBytes < 0) {
            throw new IllegalArgumentException("sidecar retained idle bytes must be >= 0, got " + retainIdleBytes);
        }
        if (!session.matches("[A-Za-z0-9-]+") || !process.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("sidecar session and process tags must be letters, digits (and dashes"
                    + " in the session): '" + session + "', '" + process + "'");
        }
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("sidecar timeout must be >= 1 ms, got " + timeoutMillis);
        }
        this.dir = dir;
        this.ownPrefix = sessionPrefix(session) + process + "-";
        this.timeoutMillis = timeoutMillis;
        this.retainIdleBytes = retainIdleBytes;
        this.clockMillis = clockMillis;
    }

    /** On {@code /dev/shm} with the wall clock. */
    public static SharedMemorySidecar onDevShm(String session, String process, long timeoutMillis) {
        return new SharedMemorySidecar(DEV_SHM, session, process, timeoutMillis, System::currentTimeMillis);
    }

    /** The file-name prefix of a session's segments. */
    public static String sessionPrefix(String session) {
        return FILE_PREFIX + session + "-";
    }

    /** Writes {@code floats} for {@code consumers} readers. */
    public TensorRef putFloats(float[] floats, int consumers) {
        return putFloats(floats, 0, floats.length, consumers);
    }

    /**
     * Writes {@code length} floats of {@code floats} from {@code offset} for {@code consumers} readers: one bulk copy
     * straight into the segment, so a producer need not copy a range out of a larger array first.
     */
    public TensorRef putFloats(float[] floats, int offset, int length, int consumers) {
        Objects.checkFromIndexSize(offset, length, floats.length);
        return put((long) length * Float.BYTES, consumers, b -> b.asFloatBuffer().put(floats, offset, length));
    }

    /** Writes the concatenation of {@code parts} for {@code consumers} readers, each part copied once, in order. */
    public TensorRef putFloats(List<float[]> parts, int consumers) {
        long bytes = 0;
        for (float[] p : parts) {
            bytes += (long) p.length * Float.BYTES;
        }
        return put(bytes, consumers, b -> {
            FloatBuffer f = b.asFloatBuffer();
            for (float[] p : parts) {
                f.put(p);
            }
        });
    }

    /** Writes {@code ints} for {@code consumers} readers. */
    public TensorRef putInts(int[] ints, int consumers) {
        return put((long) ints.length * Integer.BYTES, consumers, b -> b.asIntBuffer().put(ints));
    }

    /** Writes {@code bytes} for {@code consumers} readers. */
    public TensorRef putBytes(byte[] bytes, int consumers) {
        return put(bytes.length, consumers, b -> b.put(bytes));
    }

    /** Writes the remaining bytes of {@code data} for {@code consumers} readers. */
    public TensorRef put(ByteBuffer data, int consumers) {
        return put(data.remaining(), consumers, b -> b.put(data.duplicate()));
    }

    /** Fills a payload buffer of the requested size (positioned at 0, native order). */
    @FunctionalInterface
    public interface PayloadWriter {
        void write(ByteBuffer payload) throws IOException;
    }

    /** Writes a payload of {@code bytes} bytes, filled by {@code writer}, for {@code consumers} readers. */
    public TensorRef put(long bytes, int consumers, PayloadWriter writer) {
        checkTensor(bytes, consumers);
        Segment s = allocate(bytes, consumers);
        ByteBuffer payload = payload(s, bytes);
        try {
            writer.write(payload);
        } catch (IOException | RuntimeException e) {
            long state = (long) LONGS.getVolatile(s.buf, OFF_STATE);
            LONGS.setVolatile(s.buf, OFF_STATE, state & ~REF_MASK);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("sidecar: writing segment " + s.name, io);
            }
            throw (RuntimeException) e;
        }
        long state = (long) LONGS.getVolatile(s.buf, OFF_STATE);
        return new TensorRef(s.name, state >>> REF_BITS, bytes);
    }

    private static void checkTensor(long bytes, int consumers) {
        if (consumers < 1 || consumers > REF_MASK) {
            throw new IllegalArgumentException("a tensor needs 1.." + REF_MASK + " consumers, got " + consumers);
        }
        if (bytes < 0 || bytes > Integer.MAX_VALUE - HEADER_BYTES) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes does not fit one segment");
        }
    }

    private static ByteBuffer payload(Segment s, long bytes) {
        return s.buf.duplicate().position(HEADER_BYTES).limit(HEADER_BYTES + (int) bytes).slice()
                .order(ByteOrder.nativeOrder());
    }

    /**
     * A segment for a float tensor of {@code floats} floats that its producer writes where it lies (producer-side
     * zero copy: the engine's last operator stores its output rows straight into {@link WritableTensor#floats}, no
     * heap array and no copy by {@link #putFloats}), then hands to {@code consumers} readers with
     * {@link WritableTensor#publish}. Once published it is a tensor like a {@link #put}'s: the same reference count
     * and generation, freed when every consumer released it or after the timeout, which starts at publish. Until
     * then the segment is the producer's alone: never reclaimed, and freed by {@link WritableTensor#close} when the
     * producer fails before publishing (closing the sidecar deletes it too).
     *
     * @throws IllegalArgumentException when the size or the consumer count is out of range
     * @throws IllegalStateException when the sidecar is closed
     */
    public WritableTensor allocateFloats(int floats, int consumers) {
        if (floats < 0) {
            throw new IllegalArgumentException("a tensor needs >= 0 floats, got " + floats);
        }
        long bytes = (long) floats * Float.BYTES;
        checkTensor(bytes, consumers);
        Segment s;
        long generation;
        synchronized (this) {
            s = allocate(bytes, consumers);
            s.writing[0] = true;
            generation = (long) LONGS.getVolatile(s.buf, OFF_STATE) >>> REF_BITS;
        }
        return new WritableTensor(this, s.name, generation, payload(s, bytes).asFloatBuffer());
    }

    /**
     * Publishes a tensor its producer wrote in place: its first {@code bytes} bytes, the timeout starting now.
     *
     * @throws IllegalStateException when the segment is no longer the producer's (the sidecar was closed)
     */
    synchronized TensorRef publish(String segment, long generation, long bytes) {
        Segment s = writing(segment, generation);
        if (s == null) {
            throw new IllegalStateException("sidecar: tensor in " + segment + " cannot be published: the sidecar was"
                    + " closed or the segment freed before");
        }
        s.buf.putLong(OFF_BYTES, bytes);
        s.buf.putLong(OFF_WRITTEN, clockMillis.getAsLong());
        s.writing[0] = false;
        // a volatile write after the payload's stores: a consumer that reads the state sees the payload
        LONGS.setVolatile(s.buf, OFF_STATE, (long) LONGS.getVolatile(s.buf, OFF_STATE));
        return new TensorRef(segment, generation, bytes);
    }

    /** Frees a segment its producer allocated and will not publish (it failed); does nothing when not pending. */
    synchronized void abandon(String segment, long generation) {
        Segment s = writing(segment, generation);
        if (s != null) {
            s.writing[0] = false;
            LONGS.setVolatile(s.buf, OFF_STATE, (long) LONGS.getVolatile(s.buf, OFF_STATE) & ~REF_MASK);
        }
    }

    /** The producer's pending segment of that name and generation, or null. */
    private Segment writing(String segment, long generation) {
        if (closed) {
            return null;
        }
        for (Segment s : own) {
            if (s.name.equals(segment) && s.writing[0]
                    && (long) LONGS.getVolatile(s.buf, OFF_STATE) >>> REF_BITS == generation) {
                return s;
            }
        }
        return null;
    }

    private synchronized Segment allocate(long bytes, int consumers) {
        if (closed) {
            throw new IllegalStateException("sidecar is closed");
        }
        long now = clockMillis.getAsLong();
        Segment best = null;
        for (Segment s : own) {
            if (free(s, now) && s.capacity >= bytes && (best == null || s.capacity < best.capacity)) {
                best = s;
            }
        }
        trimIdle(now, best);
        if (best == null) {
            best = create(bytes, now);
        }
        long state = (long) LONGS.getVolatile(best.buf, OFF_STATE);
        LONGS.setVolatile(best.buf, OFF_STATE, ((state >>> REF_BITS) + 1) << REF_BITS | consumers);
        best.buf.putLong(OFF_BYTES, bytes);
        best.buf.putLong(OFF_WRITTEN, now);
        best.freeSinceMillis[0] = Long.MAX_VALUE;
        return best;
    }

    /**
     * Whether {@code s} holds no live tensor now, after reclaiming one not released within the timeout; notes when
     * it was first seen free.
     */
    private boolean free(Segment s, long now) {
        if (s.writing[0]) {
            s.freeSinceMillis[0] = Long.MAX_VALUE; // its producer writes it in place: its timeout starts at publish
            return false;
        }
        long state = (long) LONGS.getVolatile(s.buf, OFF_STATE);
        if ((state & REF_MASK) != 0 && s.buf.getLong(OFF_WRITTEN) + timeoutMillis <= now
                && LONGS.compareAndSet(s.buf, OFF_STATE, state, state & ~REF_MASK)) {
            expired++;
            state &= ~REF_MASK;
        }
        if ((state & REF_MASK) != 0) {
            s.freeSinceMillis[0] = Long.MAX_VALUE;
            return false;
        }
        if (s.freeSinceMillis[0] == Long.MAX_VALUE) {
            s.freeSinceMillis[0] = now;
        }
        return true;
    }

    /**
     * Deletes segments free for longer than the timeout (the longest free first, the largest first among equals)
     * while the free segments other than {@code keep} hold more than {@code retainIdleBytes}; the rest stay mapped
     * and faulted in for later tensors.
     */
    private void trimIdle(long now, Segment keep) {
        long freeBytes = 0;
        List<Segment> idle = new ArrayList<>();
        for (Segment s : own) {
            if (s != keep && s.freeSinceMillis[0] != Long.MAX_VALUE) {
                freeBytes += s.capacity;
                if (now - s.freeSinceMillis[0] >= timeoutMillis) {
                    idle.add(s);
                }
            }
        }
        if (idle.isEmpty() || freeBytes <= retainIdleBytes) {
            return;
        }
        idle.sort(Comparator.comparingLong((Segment s) -> s.freeSinceMillis[0])
                .thenComparing(Comparator.comparingLong(Segment::capacity).reversed()));
        for (int i = 0; i < idle.size() && freeBytes > retainIdleBytes; i++) {
            Segment s = idle.get(i);
            own.remove(s);
            deleteQuietly(s.file);
            freeBytes -= s.capacity;
        }
    }

    private Segment create(long bytes, long now) {
        long capacity = Math.max(MIN_CAPACITY, Long.highestOneBit(Math.max(1, bytes - 1)) << 1);
        capacity = Math.min(capacity, Integer.MAX_VALUE - HEADER_BYTES);
        String name = ownPrefix + (++created);
        Path file = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES + capacity);
            buf.order(ByteOrder.nativeOrder());
            buf.putInt(OFF_MAGIC, MAGIC);
            buf.putLong(OFF_CAPACITY, capacity);
            LONGS.setVolatile(buf, OFF_STATE, 0L);
            Segment s = new Segment(name, file, buf, capacity, new long[] {now}, new boolean[1]);
            own.add(s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("sidecar: cannot create segment " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /** Copies the tensor's payload into a new float array. */
    public float[] readFloats(TensorRef ref) {
        float[] out = new float[elements(ref, Float.BYTES, "float")];
        readFloats(ref, out, 0);
        return out;
    }

    /**
     * Copies the tensor's floats into {@code dst} from {@code offset} (one bulk copy, no array in between); returns
     * how many.
     *
     * @throws IllegalArgumentException when they do not fit or the payload is not whole floats
     */
    public int readFloats(TensorRef ref, float[] dst, int offset) {
        int n = elements(ref, Float.BYTES, "float");
        if (offset < 0 || offset > dst.length || dst.length - offset < n) {
            throw new IllegalArgumentException("sidecar: " + ref.segment() + " holds " + n + " floats, which do not"
                    + " fit a " + dst.length + "-float array from index " + offset);
        }
        read(ref, b -> b.asFloatBuffer().get(dst, offset, n));
        return n;
    }

    /** Copies the concatenation of the tensors' floats into a new array, each payload copied once, in order. */
    public float[] readFloats(List<TensorRef> refs) {
        long n = 0;
        for (TensorRef ref : refs) {
            n += elements(ref, Float.BYTES, "float");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sidecar: " + refs.size() + " tensors of " + n
                    + " floats in all do not fit one array");
        }
        float[] out = new float[(int) n];
        int at = 0;
        for (TensorRef ref : refs) {
            at += readFloats(ref, out, at);
        }
        return out;
    }

    /** Copies the tensor's payload into a new int array. */
    public int[] readInts(TensorRef ref) {
        int[] out = new int[elements(ref, Integer.BYTES, "int")];
        read(ref, b -> b.asIntBuffer().get(out));
        return out;
    }

    private static int elements(TensorRef ref, int width, String type) {
        if (ref.bytes() % width != 0 || ref.bytes() / width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sidecar: " + ref.segment() + " holds " + ref.bytes()
                    + " bytes, not a whole number of " + type + "s that fits one array");
        }
        return (int) (ref.bytes() / width);
    }

    /** Copies the tensor's payload into a new byte array. */
    public byte[] readBytes(TensorRef ref) {
        byte[] out = new byte[Math.toIntExact(ref.bytes())];
        read(ref, b -> b.get(out));
        return out;
    }

    /** Reads a payload (a read-only view, valid only inside the call). */
    @FunctionalInterface
    public interface PayloadReader {
        void read(ByteBuffer payload) throws IOException;
    }

    /**
     * Hands the tensor's payload to {@code reader}; the copy it makes is checked against reclamation afterwards.
     *
     * @throws TensorExpiredException when the segment was reclaimed before or during the read
     */
    public void read(TensorRef ref, PayloadReader reader) {
        MappedByteBuffer view = view(ref);
        checkGeneration(view, ref);
        ByteBuffer payload = view.duplicate().position(HEADER_BYTES).limit(HEADER_BYTES + (int) ref.bytes()).slice()
                .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        try {
            reader.read(payload);
        } catch (IOException e) {
            throw new UncheckedIOException("sidecar: reading " + ref.segment(), e);
        }
        checkGeneration(view, ref);
    }

    /**
     * One consumer is done with the tensor. When it was the last, the segment is free for its producer to reuse.
     * Releasing a reclaimed tensor does nothing. Returns the references left (-1 when the tensor had expired).
     */
    public int release(TensorRef ref) {
        MappedByteBuffer view;
        try {
            view = view(ref);
        } catch (TensorExpiredException e) {
            return -1;
        }
        while (true) {
            long state = (long) LONGS.getVolatile(view, OFF_STATE);
            if (state >>> REF_BITS != ref.generation() || (state & REF_MASK) == 0) {
                return -1;
            }
            if (LONGS.compareAndSet(view, OFF_STATE, state, state - 1)) {
                return (int) ((state & REF_MASK) - 1);
            }
        }
    }

    /**
     * Opens a read-only view of a float tensor where it lies, holding one of its consumer references: the consumer
     * reads straight from the mapped segment and {@link TensorView#close} releases the reference (as {@link #release}
     * would after a copy-out). The view must be closed once the consumer is done; until then the segment stays
     * referenced, and past the timeout it is reclaimed all the same (a later read of the view then fails).
     *
     * @throws TensorExpiredException when the segment was reclaimed already (the reference is not held then)
     * @throws IllegalArgumentException when the payload is not whole floats
     */
    public TensorView viewFloats(TensorRef ref) {
        int n = elements(ref, Float.BYTES, "float");
        MappedByteBuffer view = view(ref);
        checkGeneration(view, ref);
        FloatBuffer floats = view.duplicate().position(HEADER_BYTES).limit(HEADER_BYTES + (int) ref.bytes()).slice()
                .order(ByteOrder.nativeOrder()).asFloatBuffer().asReadOnlyBuffer();
        if (floats.capacity() != n) {
            throw new IllegalStateException("sidecar: " + ref.segment() + " viewed as " + floats.capacity()
                    + " floats, expected " + n);
        }
        return new TensorView(this, ref, view, floats);
    }

    /** Whether half the timeout has passed since the segment's tensor was written (by this host's clock). */
    boolean pastHalfTimeout(MappedByteBuffer segment) {
        return clockMillis.getAsLong() - segment.getLong(OFF_WRITTEN) >= timeoutMillis / 2;
    }

    void checkGeneration(MappedByteBuffer view, TensorRef ref) {
        long state = (long) LONGS.getVolatile(view, OFF_STATE);
        if (state >>> REF_BITS != ref.generation() || (state & REF_MASK) == 0) {
            throw new TensorExpiredException("tensor in " + ref.segment() + " (generation " + ref.generation()
                    + ") was reclaimed: its consumers took longer than " + timeoutMillis + " ms or released it");
        }
    }

    private MappedByteBuffer view(TensorRef ref) {
        synchronized (this) {
            for (Segment s : own) {
                if (s.name.equals(ref.segment())) {
                    return s.buf;
                }
            }
            MappedByteBuffer cached = views.get(ref.segment());
            if (cached != null) {
                return cached;
            }
        }
        Path file = dir.resolve(ref.segment());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size());
            buf.order(ByteOrder.nativeOrder());
            if (ch.size() < HEADER_BYTES || buf.getInt(OFF_MAGIC) != MAGIC
                    || buf.getLong(OFF_CAPACITY) < ref.bytes()) {
                throw new IllegalStateException("sidecar: " + file + " is not a segment holding " + ref.bytes()
                        + " bytes");
            }
            synchronized (this) {
                views.put(ref.segment(), buf);
                if (views.size() > MAX_CACHED_VIEWS) {
                    Iterator<String> eldest = views.keySet().iterator();
                    eldest.next();
                    eldest.remove();
                }
            }
            return buf;
        } catch (NoSuchFileException e) {
            throw new TensorExpiredException("tensor segment " + ref.segment() + " no longer exists (its producer "
                    + "stopped or reclaimed it)");
        } catch (IOException e) {
            throw new UncheckedIOException("sidecar: cannot map " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /** How long a tensor may stay unreleased before it is reclaimed. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** Segments this process created and still holds. */
    public synchronized int segments() {
        return own.size();
    }

    /** Tensors reclaimed because their consumers did not release them in time. */
    public synchronized long expired() {
        return expired;
    }

    /** Tensors written and not yet released by every consumer. */
    public synchronized int live() {
        int n = 0;
        for (Segment s : own) {
            if (((long) LONGS.getVolatile(s.buf, OFF_STATE) & REF_MASK) != 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * Reclaims timed-out tensors, deletes segments free for longer than the timeout (beyond the retained bytes) and
     * forgets mappings of other processes' segments that were deleted.
     */
    public synchronized void sweep() {
        if (!closed) {
            long now = clockMillis.getAsLong();
            for (Segment s : own) {
                free(s, now);
            }
            trimIdle(now, null);
            // a mapping of a segment its producer deleted would keep the memory until the mapping is collected
            views.keySet().removeIf(name -> !Files.exists(dir.resolve(name)));
        }
    }

    /** Other processes' segments this one keeps mapped for reading. */
    public synchronized int mappedViews() {
        return views.size();
    }

    /** Deletes this process's segments; references to them expire. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Segment s : own) {
            deleteQuietly(s.file);
        }
        own.clear();
        views.clear();
    }

    /** Deletes every segment of {@code session} under {@code dir}; returns how many. */
    public static int deleteSession(Path dir, String session) {
        return deleteMatching(dir, sessionPrefix(session) + "*");
    }

    /** Deletes every segment one process of {@code session} created (after it died); returns how many. */
    public static int deleteProcess(Path dir, String session, String process) {
        return deleteMatching(dir, sessionPrefix(session) + process + "-*");
    }

    private static int deleteMatching(Path dir, String glob) {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path f : files) {
                if (deleteQuietly(f)) {
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sidecar: cannot list " + dir, e);
        }
        return n;
    }

    private static boolean deleteQuietly(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }
}
