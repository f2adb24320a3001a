package org.cornserve.simulator.workload;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.simulator.event.SimRequest;

/**
 * A synthetic workload: {@code count} requests with exponential inter-arrival times at {@code ratePerSecond},
 * each with a graph drawn by {@code graphs} from the same seeded generator. Generated lazily, so a million
 * requests cost no memory up front. Same seed, same workload.
 */
public final class PoissonWorkload implements Iterator<SimRequest> {
    private final SplittableRandom random;
    private final double meanGapNanos;
    private final long count;
    private final String app;
    private final Function<SplittableRandom, InvocationGraph> graphs;
    private long emitted;
    private double clockNanos;

    public PoissonWorkload(long count, double ratePerSecond, long seed, String app,
            Function<SplittableRandom, InvocationGraph> graphs) {
        if (count < 0 || !(ratePerSecond > 0)) {
            throw new IllegalArgumentException("workload needs count >= 0 and a positive rate: " + count + ", "
                    + ratePerSecond);
        }
        this.random = new SplittableRandom(seed);
        this.meanGapNanos = 1e9 / ratePerSecond;
        this.count = count;
        this.app = app;
        this.graphs = graphs;
    }

    @Override
    public boolean hasNext() {
        return emitted < count;
    }

    @Override
    public SimRequest next() {
        if (emitted >= count) {
            throw new NoSuchElementException();
        }
        clockNanos += -Math.log(1 - random.nextDouble()) * meanGapNanos;
        InvocationGraph graph = graphs.apply(random);
        long input = 0;
        for (int i = 0; i < graph.size(); i++) {
            if (graph.inDegree(i) == 0) {
                input += graph.node(i).work().tokens();
            }
        }
        return new SimRequest(emitted++, Math.round(clockNanos), app, graph, input);
    }
}
