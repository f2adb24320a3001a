package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.cornserve.model.Modality;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.SimResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Requests sent while the simulator runs ({@link Simulator#send}, from a request's end): a closed loop of {@code C}
 * clients, each thinking a random time after its answer before it sends again, on one FIFO server that serves one
 * request at a time (the machine-repair model). Checked exactly against that model computed by hand: an event list
 * of sends and a server that starts each request at {@code max(arrival, previous end)} in arrival order.
 */
class ClosedLoopTest {

    private static InvocationGraph graph(long serviceNanos) {
        return InvocationGraph.single(new Invocation("svc", Work.batch(Modality.TEXT, 1, serviceNanos), true));
    }

    @ParameterizedTest(name = "{0} clients, {1} requests, seed {2}")
    @CsvSource({"1, 30, 1", "3, 60, 2", "8, 200, 3", "5, 5, 4"})
    void aClosedLoopOnAFifoServerIsTheMachineRepairModel(int clients, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] service = new long[count];
        long[] think = new long[count];
        for (int i = 0; i < count; i++) {
            service[i] = 100_000 + random.nextLong(2_000_000);
            think[i] = random.nextInt(3) == 0 ? 0 : random.nextLong(3_000_000);
        }
        // requests are numbered by send order in the simulation and in the model: request i >= C is sent think[i]
        // after the (i - C)-th answer, by the client that answer freed
        long[] arrival = new long[count];
        long[] end = new long[count];
        Simulator[] sim = new Simulator[1];
        int[] sent = {0};
        sim[0] = new Simulator(Fixtures.singleServer(ItemBatching.unbatched()), true, rec -> {
            int id = (int) rec.request().id();
            end[id] = rec.completionNanos();
            if (sent[0] < count) {
                int i = sent[0]++;
                arrival[i] = sim[0].nowNanos() + think[i];
                sim[0].send(new SimRequest(i, arrival[i], "app", graph(service[i]), 0));
            }
        });
        List<SimRequest> first = new ArrayList<>();
        for (int i = 0; i < Math.min(clients, count); i++) {
            arrival[i] = think[i];
            sent[0]++;
        }
        Integer[] order = new Integer[sent[0]];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingLong(i -> arrival[i]));
        for (int i : order) {
            first.add(new SimRequest(i, arrival[i], "app", graph(service[i]), 0));
        }
        SimResult result = sim[0].run(first.iterator());
        assertEquals(count, result.completed());

        // the model by hand: arrivals waiting in a list, the server FIFO by arrival (ties by send order)
        long[] refArrival = new long[count];
        long[] refEnd = new long[count];
        PriorityQueue<long[]> pending = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : Long.compare(a[1], b[1]));
        int next = 0;
        for (; next < Math.min(clients, count); next++) {
            refArrival[next] = think[next];
            pending.add(new long[] {refArrival[next], next});
        }
        long free = Long.MIN_VALUE;
        while (!pending.isEmpty()) {
            long[] a = pending.poll();
            int i = (int) a[1];
            long start = Math.max(free, a[0]);
            free = start + Math.round(service[i] * 1e-9 * 1e9); // the fixture's cost: 1 ns per token
            refEnd[i] = free;
            if (next < count) {
                refArrival[next] = free + think[next];
                pending.add(new long[] {refArrival[next], next});
                next++;
            }
        }
        for (int i = 0; i < count; i++) {
            assertEquals(refArrival[i], arrival[i], "arrival of request " + i);
            assertEquals(refEnd[i], end[i], "end of request " + i);
        }
        assertTrue(end[count - 1] > 0);
    }

    /**
     * {@link Simulator#withMaxConcurrency}: a client of {@code C} slots issuing request {@code i} at {@code t_i}, on a
     * FIFO server of one request at a time, against the recursion by hand: sent at {@code max(t_i, end of request
     * i - C)} (answers come back in send order on such a server), started at {@code max(send, previous end)}; latencies
     * count from the send. Open loop (0) sends each at its issue time.
     */
    @ParameterizedTest(name = "{0} slots, {1} requests, seed {2}")
    @CsvSource({"1, 20, 1", "2, 50, 2", "4, 100, 3", "0, 40, 4", "100, 30, 5"})
    void maxConcurrencyHoldsRequestsUntilASlotFrees(int slots, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] issue = new long[count];
        long[] service = new long[count];
        long t = 0;
        for (int i = 0; i < count; i++) {
            t += random.nextInt(4) == 0 ? 0 : random.nextLong(1_500_000);
            issue[i] = t;
            service[i] = 50_000 + random.nextLong(1_000_000);
        }
        List<SimRequest> workload = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            workload.add(new SimRequest(i, issue[i], "app", graph(service[i]), 0));
        }
        long[] sent = new long[count];
        long[] end = new long[count];
        SimResult result = new Simulator(Fixtures.singleServer(ItemBatching.unbatched()), true, rec -> {
            int id = (int) rec.request().id();
            sent[id] = rec.request().arrivalNanos();
            end[id] = rec.completionNanos();
        }).withMaxConcurrency(slots).run(workload.iterator());
        assertEquals(count, result.completed());
        long free = Long.MIN_VALUE;
        long[] refEnd = new long[count];
        for (int i = 0; i < count; i++) {
            long send = slots == 0 || i < slots ? issue[i] : Math.max(issue[i], refEnd[i - slots]);
            long start = Math.max(send, free);
            free = start + Math.round(service[i] * 1e-9 * 1e9);
            refEnd[i] = free;
            assertEquals(send, sent[i], "send of request " + i);
            assertEquals(refEnd[i], end[i], "end of request " + i);
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Simulator(Fixtures.singleServer(ItemBatching.unbatched())).withMaxConcurrency(-1));
    }

    @Test
    void aRequestSentIntoThePastOrOutsideARunIsRefused() {
        Simulator[] sim = new Simulator[1];
        String[] refused = new String[1];
        sim[0] = new Simulator(Fixtures.singleServer(ItemBatching.unbatched()), true, rec -> {
            try {
                sim[0].send(new SimRequest(9, rec.completionNanos() - 1, "app", graph(1000), 0));
            } catch (IllegalArgumentException e) {
                refused[0] = e.getMessage();
            }
        });
        assertThrows(IllegalStateException.class,
                () -> sim[0].send(new SimRequest(8, 0, "app", graph(1000), 0)), "before the run");
        sim[0].run(List.of(new SimRequest(0, 0, "app", graph(1000), 0)).iterator());
        assertTrue(refused[0] != null && refused[0].contains("before now"), refused[0]);
        assertThrows(IllegalStateException.class,
                () -> sim[0].send(new SimRequest(7, 5000, "app", graph(1000), 0)), "after the run");
    }
}
