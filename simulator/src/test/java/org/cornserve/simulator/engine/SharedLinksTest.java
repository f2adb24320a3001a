package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Fair sharing of a link against closed forms, and against a naive fluid reference stepped in small ticks. */
class SharedLinksTest {

    /** Collects the latest finish of every transfer, as the simulator's event queue would. */
    private static final class Finishes implements SharedLinks.FinishListener {
        final Map<Long, long[]> latest = new HashMap<>(); // id -> {epoch, at}

        @Override
        public void finishAt(long transfer, long epoch, long atNanos, Object payload) {
            latest.put(transfer, new long[] {epoch, atNanos});
        }

        long at(long id) {
            return latest.get(id)[1];
        }
    }

    private static final double GB = 1e9; // 1 GB/s: 1 byte per ns

    @Test
    void aLoneTransferTakesLatencyPlusBytesOverBandwidth() {
        Finishes f = new Finishes();
        SharedLinks links = new SharedLinks(f);
        long a = links.start("l", GB, 5_000, 1_000_000, 100, null);
        assertEquals(100 + 5_000 + 1_000_000, f.at(a));
    }

    @Test
    void twoEqualTransfersStartedTogetherEachTakeTwiceAsLong() {
        Finishes f = new Finishes();
        SharedLinks links = new SharedLinks(f);
        long a = links.start("l", GB, 0, 1_000_000, 0, null);
        long b = links.start("l", GB, 0, 1_000_000, 0, null);
        assertEquals(2_000_000, f.at(a));
        assertEquals(2_000_000, f.at(b));
        // a's first finish (1 ms, when it was alone) was superseded
        assertFalse(links.isCurrent(a, 1));
        assertTrue(links.isCurrent(a, f.latest.get(a)[0]));
        // different links do not share
        long c = links.start("other", GB, 0, 1_000_000, 0, null);
        assertEquals(1_000_000, f.at(c));
    }

    @Test
    void aLaterTransferJoiningMidwaySlowsTheFirstAndSpeedsUpWhenItLeaves() {
        Finishes f = new Finishes();
        SharedLinks links = new SharedLinks(f);
        // A: 1 MB at t=0 alone for 0.4 ms (0.4 MB done), B: 0.3 MB joins at 0.4 ms; both at half speed
        long a = links.start("l", GB, 0, 1_000_000, 0, null);
        long b = links.start("l", GB, 0, 300_000, 400_000, null);
        // B needs 0.3 MB at 0.5 GB/s: 0.6 ms -> ends at 1.0 ms; A has 0.6 MB left at 0.4 ms
        assertEquals(1_000_000, f.at(b));
        links.end(b, f.at(b));
        // by 1.0 ms A moved 0.3 MB more (0.3 MB left), then alone at full speed: 0.3 ms -> 1.3 ms
        // = 1 MB / 1 GB/s + 0.3 MB extra for sharing, the closed form (bytes_A + bytes_B) / bw
        assertEquals(1_300_000, f.at(a));
        links.end(a, f.at(a));
        assertEquals(0, links.inProgress());
    }

    /**
     * Random arrivals of random sizes on one link against a fluid reference that serves every active transfer
     * bw / n per 1 ns tick: finish times agree to a few ns (rounding).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void matchesATickedFluidReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = 12;
        long[] starts = new long[n];
        long[] bytes = new long[n];
        long t = 0;
        for (int i = 0; i < n; i++) {
            t += random.nextLong(0, 40_000);
            starts[i] = t;
            bytes[i] = random.nextLong(1_000, 80_000);
        }
        // the engine under test, driven by its own finish events
        Finishes f = new Finishes();
        SharedLinks links = new SharedLinks(f);
        long[] ids = new long[n];
        long[] done = new long[n];
        Map<Long, Integer> index = new HashMap<>();
        PriorityQueue<long[]> events = new PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]) != 0
                ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        for (int i = 0; i < n; i++) {
            events.add(new long[] {starts[i], 0, i});
        }
        Map<Long, long[]> seen = new HashMap<>();
        while (!events.isEmpty()) {
            long[] e = events.poll();
            if (e[1] == 0) {
                int i = (int) e[2];
                ids[i] = links.start("l", GB, 0, bytes[i], e[0], null);
                index.put(ids[i], i);
            } else {
                long id = e[2];
                if (!links.isCurrent(id, e[3])) {
                    continue;
                }
                links.end(id, e[0]);
                done[index.get(id)] = e[0];
            }
            for (Map.Entry<Long, long[]> fin : f.latest.entrySet()) {
                long[] v = fin.getValue();
                if (!java.util.Arrays.equals(seen.get(fin.getKey()), v)) {
                    seen.put(fin.getKey(), v.clone());
                    events.add(new long[] {v[1], 1, fin.getKey(), v[0]});
                }
            }
        }
        // the reference: 1 byte per ns shared among the active ones, in 1 ns ticks
        double[] left = new double[n];
        long[] refDone = new long[n];
        for (int i = 0; i < n; i++) {
            left[i] = bytes[i];
        }
        int remaining = n;
        for (long now = 0; remaining > 0; now++) {
            int active = 0;
            for (int i = 0; i < n; i++) {
                if (starts[i] <= now && left[i] > 0) {
                    active++;
                }
            }
            for (int i = 0; i < n; i++) {
                if (starts[i] <= now && left[i] > 0) {
                    left[i] -= 1.0 / active;
                    if (left[i] <= 1e-9) {
                        refDone[i] = now + 1;
                        remaining--;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(refDone[i], done[i], 3 + n, "transfer " + i + " (seed " + seed + ")");
        }
    }
}
