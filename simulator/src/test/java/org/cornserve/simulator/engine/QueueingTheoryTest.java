package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.SplittableRandom;
import org.cornserve.model.Modality;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.simulator.metrics.SimResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One replica, one invocation per batch, Poisson arrivals: the simulator is a single-server FIFO queue.
 * Checked two ways: (1) exactly, against Lindley's recursion on the same arrival and service samples; (2)
 * statistically, the mean wait against the closed forms (M/D/1: rho S / (2 (1 - rho)); M/M/1:
 * rho S / (1 - rho)), with a tolerance of four standard errors estimated by batch means, so the check holds
 * for any seed. The slow test runs enough requests that four standard errors are under 3%, and asserts 3%.
 */
class QueueingTheoryTest {
    private static final long SERVICE_NANOS = 1_000_000;

    /** Mean wait from the simulation, with its batch-means standard error. */
    record Estimate(double mean, double standardError, double reference) {
        double relativeError() {
            return Math.abs(mean - reference) / reference;
        }
    }

    static Estimate run(boolean exponential, double load, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] arrivals = new long[count];
        long[] service = new long[count];
        double clock = 0;
        double meanGap = SERVICE_NANOS / load;
        for (int i = 0; i < count; i++) {
            clock += -Math.log(1 - random.nextDouble()) * meanGap;
            arrivals[i] = Math.round(clock);
            service[i] = exponential ? Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * SERVICE_NANOS))
                    : SERVICE_NANOS;
        }
        long[] starts = new long[count];
        long[] ends = new long[count];
        Iterator<SimRequest> workload = new Iterator<>() {
            private int next;
            private final InvocationGraph[] deterministic = {null};

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public SimRequest next() {
                int i = next++;
                InvocationGraph g = exponential ? graph(service[i]) : deterministic[0] != null ? deterministic[0]
                        : (deterministic[0] = graph(service[i]));
                return new SimRequest(i, arrivals[i], "app", g, 0);
            }
        };
        SimResult result = new Simulator(Fixtures.singleServer(ItemBatching.unbatched()), false, rec -> {
            int id = (int) rec.request().id();
            starts[id] = rec.startedNanos(0);
            ends[id] = rec.completionNanos();
        }).run(workload);
        assertEquals(count, result.completed());

        // Lindley: the n-th start is max(arrival, previous end).
        long previousEnd = Long.MIN_VALUE;
        double[] waits = new double[count];
        for (int i = 0; i < count; i++) {
            long start = Math.max(arrivals[i], previousEnd);
            previousEnd = start + Math.round(service[i] * 1e-9 * 1e9);
            assertEquals(start, starts[i], "start of request " + i);
            assertEquals(previousEnd, ends[i], "end of request " + i);
            waits[i] = start - arrivals[i];
        }
        int warmup = count / 50;
        int batches = 20;
        int perBatch = (count - warmup) / batches;
        double[] means = new double[batches];
        double total = 0;
        for (int b = 0; b < batches; b++) {
            double sum = 0;
            for (int i = 0; i < perBatch; i++) {
                sum += waits[warmup + b * perBatch + i];
            }
            means[b] = sum / perBatch;
            total += means[b];
        }
        double mean = total / batches;
        double var = 0;
        for (double m : means) {
            var += (m - mean) * (m - mean);
        }
        double se = Math.sqrt(var / (batches - 1) / batches);
        double reference = exponential ? load * SERVICE_NANOS / (1 - load) : load * SERVICE_NANOS / (2 * (1 - load));
        return new Estimate(mean, se, reference);
    }

    private static InvocationGraph graph(long serviceNanos) {
        return InvocationGraph.single(new Invocation("svc", Work.batch(Modality.TEXT, 1, serviceNanos), true));
    }

    @ParameterizedTest(name = "{0} service, load {1}")
    @CsvSource({"deterministic, 0.5", "deterministic, 0.8", "exponential, 0.5", "exponential, 0.8"})
    void meanWaitMatchesClosedFormWithinFourStandardErrors(String service, double load) {
        Estimate e = run(service.equals("exponential"), load, 200_000, 42);
        System.out.printf("%s load %.1f: mean wait %.1f us, closed form %.1f us, error %.2f%%, SE %.2f%%%n", service,
                load, e.mean() / 1e3, e.reference() / 1e3, 100 * e.relativeError(), 100 * e.standardError() / e.reference());
        assertTrue(Math.abs(e.mean() - e.reference()) <= 4 * e.standardError(),
                "mean wait " + e.mean() + " vs " + e.reference() + ", SE " + e.standardError());
    }

    @Tag("slow")
    @Test
    void meanWaitWithinThreePercentOfClosedForms() {
        for (String service : new String[] {"deterministic", "exponential"}) {
            for (double load : new double[] {0.5, 0.8}) {
                int count = load > 0.7 ? 2_000_000 : 200_000;
                Estimate e = run(service.equals("exponential"), load, count, 7);
                System.out.printf("%s load %.1f, %d requests: error %.2f%%, SE %.2f%%%n", service, load, count,
                        100 * e.relativeError(), 100 * e.standardError() / e.reference());
                assertTrue(e.relativeError() < 0.03, service + " load " + load + ": error " + e.relativeError());
            }
        }
    }
}
