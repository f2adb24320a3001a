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
