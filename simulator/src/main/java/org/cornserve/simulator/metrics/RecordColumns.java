package org.cornserve.simulator.metrics;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.simulator.event.SimRequest;

/**
 * Every request's record of a run, in arrival order, kept as columns of primitives in fixed-size chunks rather than
 * as two objects per request: a record is stored when its request ends ({@link #store}) and rebuilt on each
 * {@link #get}. A million-request run then holds no per-request objects once they end, so young collections copy
 * only requests in flight (they used to copy every record at least once, most of the loop's collection time) and
 * the heap is smaller. The long columns are heap arrays: a chunk is filled over many young collections, so each of
 * its bytes is copied once or twice (into a survivor space, then the old generation), but its pages are the heap's,
 * huge pages where {@code bin/cornserve simulate} turns them on. Direct buffers, which no collection copies, were
 * slower overall: each 4 KiB of them is a page fault at allocation, and on a virtual machine a page fault costs tens of
 * microseconds (1 M requests on 16 replicas on huge pages, paired at load 2: loop 1.62 s against 1.73 s, page faults
 * 20,000 against 36,000, collection pauses about 0.07 s longer). Records still in flight when the results are taken
 * are stored then ({@link #storeLive}).
 *
 * <p>Costs: {@link #arrived} and {@link #store} O(1) amortised; {@link #get} O(1), allocating the record it returns.
 */
final class RecordColumns extends AbstractList<RequestRecord> implements RandomAccess {
    private static final int CHUNK_BITS = 12;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int MASK = CHUNK - 1;
    /** Long columns per record: id, arrival, input tokens, queued, started, finished, first output, completion. */
    private static final int LONGS = 8;
    /** Reference columns per record: app, graph, trace id, later stages, reject reason. */
    private static final int REFS = 5;

    private long[][] longs = new long[16][];
    private Object[][] refs = new Object[16][];
    /** Speech columns (stream start, measured first audio), only for chunks that hold a speech request. */
    private long[][] speech = new long[16][];
    /** Records of requests in flight, by arrival index (null once stored). */
    private RequestRecord[][] live = new RequestRecord[16][];
    private int size;

    /** The next record in arrival order; it is stored when its request ends. */
    void arrived(RequestRecord record) {
        int i = size;
        int chunk = i >>> CHUNK_BITS;
        if (chunk == longs.length) {
            int n = 2 * chunk;
            longs = Arrays.copyOf(longs, n);
            refs = Arrays.copyOf(refs, n);
            speech = Arrays.copyOf(speech, n);
            live = Arrays.copyOf(live, n);
        }
        if (longs[chunk] == null) {
            longs[chunk] = new long[LONGS * CHUNK];
            refs[chunk] = new Object[REFS * CHUNK];
            live[chunk] = new RequestRecord[CHUNK];
        }
        record.index = i;
        live[chunk][i & MASK] = record;
        size++;
    }

    /** Stores an ended request's record in the columns; later changes to it are refused. */
    void store(RequestRecord record) {
        int i = record.index;
        int chunk = i >>> CHUNK_BITS;
        int at = i & MASK;
        if (live[chunk][at] != record) {
            throw new IllegalStateException("request " + record.request().id() + " is not in flight here");
        }
        live[chunk][at] = null;
        SimRequest q = record.request();
        long[] l = longs[chunk];
        int b = LONGS * at;
        l[b] = q.id();
        l[b + 1] = q.arrivalNanos();
        l[b + 2] = q.inputTokens();
        l[b + 3] = record.queuedNanos(0);
        l[b + 4] = record.startedNanos(0);
        l[b + 5] = record.finishedNanos(0);
        l[b + 6] = record.firstOutputNanos();
        l[b + 7] = record.completionNanos();
        Object[] r = refs[chunk];
        int c = REFS * at;
        r[c] = q.app();
        r[c + 1] = q.graph();
        r[c + 2] = q.traceId();
        r[c + 3] = record.laterStageNanos();
        r[c + 4] = record.rejectReason();
        if (record.speechStreamNanos() != -1 || record.measuredFirstAudioNanos() != -1) {
            if (speech[chunk] == null) {
                speech[chunk] = new long[2 * CHUNK];
                Arrays.fill(speech[chunk], -1);
            }
            speech[chunk][2 * at] = record.speechStreamNanos();
            speech[chunk][2 * at + 1] = record.measuredFirstAudioNanos();
        }
        record.frozen = true;
    }

    /** Stores the records of requests still in flight (a run that ended with requests unfinished). */
    void storeLive() {
        for (int chunk = 0; chunk < live.length && live[chunk] != null; chunk++) {
            for (RequestRecord record : live[chunk]) {
                if (record != null) {
                    store(record);
                }
            }
        }
    }

    @Override
    public RequestRecord get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("record " + index + " of " + size);
        }
        int chunk = index >>> CHUNK_BITS;
        int at = index & MASK;
        RequestRecord open = live[chunk][at];
        if (open != null) {
            return open;
        }
        long[] l = longs[chunk];
        int b = LONGS * at;
        Object[] r = refs[chunk];
        int c = REFS * at;
        SimRequest request = new SimRequest(l[b], l[b + 1], (String) r[c], (InvocationGraph) r[c + 1], l[b + 2],
                (String) r[c + 2]);
        long[] s = speech[chunk];
        return new RequestRecord(request, (long[]) r[c + 3], l[b + 3], l[b + 4], l[b + 5], l[b + 6], l[b + 7],
                s == null ? -1 : s[2 * at], s == null ? -1 : s[2 * at + 1], (String) r[c + 4]);
    }

    @Override
    public int size() {
        return size;
    }
}
