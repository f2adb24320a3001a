package org.cornserve.simulator.plan;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.schedule.graph.InvocationGraph;

/**
 * Invocation graphs kept across simulations: the graph of a (model, shape) pair depends on the model, whether the
 * plan splits its LLM and the plan's {@code stream_chunk_tokens}, never on the run, so the many runs of one trace a
 * planner makes (capacity bisections, finalists, baselines) build each graph once instead of once a run. A
 * {@link TraceWorkload} handed this uses it in place of its own cache. Safe to share between threads (graphs are
 * immutable); up to {@value #LIMIT} graphs in all, past which runs build what is not kept.
 */
public final class SharedGraphs {
    /** Graphs kept in all, over every configuration (as many as one workload keeps of its own). */
    public static final int LIMIT = TraceWorkload.CACHE_LIMIT;

    private record Config(ModelSpec model, boolean split, int streamChunkTokens) {
    }

    private final Map<Config, Map<RequestShape, InvocationGraph>> byConfig = new ConcurrentHashMap<>();
    private final AtomicInteger kept = new AtomicInteger();

    /** The graphs of one model as a plan runs it (looked up once per workload: the model is hashed once). */
    Shapes of(ModelSpec model, boolean split, int streamChunkTokens) {
        return new Shapes(byConfig.computeIfAbsent(new Config(model, split, streamChunkTokens),
                c -> new ConcurrentHashMap<>()));
    }

    /** Graphs kept so far. */
    public int size() {
        return kept.get();
    }

    /** One configuration's graphs by shape. */
    final class Shapes {
        private final Map<RequestShape, InvocationGraph> graphs;

        private Shapes(Map<RequestShape, InvocationGraph> graphs) {
            this.graphs = graphs;
        }

        InvocationGraph get(RequestShape shape) {
            return graphs.get(shape);
        }

        void put(RequestShape shape, InvocationGraph graph) {
            if (kept.get() < LIMIT && graphs.putIfAbsent(shape, graph) == null) {
                kept.incrementAndGet();
            }
        }
    }
}
