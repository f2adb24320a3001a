package org.cornserve.simulator.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Predicate;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.request.RequestShape;
import org.cornserve.model.task.Vocoder;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.PromptBlocks;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.planner.schedule.graph.RequestGraphs;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.TraceSource;
import org.cornserve.traces.transform.Transforms;

/**
 * A trace as the simulator's workload: each record's shape becomes its model's per-request task graph
 * ({@link CompositeTask}) and then an invocation graph. A record's app picks the model: the model of that name
 * when the plan serves one, else the plan's only model. Graphs of identical (model, shape) pairs are built once
 * and shared (up to {@value #CACHE_LIMIT} distinct shapes), which keeps repeated traces cheap.
 *
 * <p>With {@code repeat > 1} the trace is replayed back to back: pass {@code k} is shifted by {@code k} times
 * the trace's span plus one mean inter-arrival gap, so the rate stays the same and the run is {@code repeat}
 * times longer. Request ids run 0, 1, 2, ... over all passes.
 */
public final class TraceWorkload implements Iterator<SimRequest>, AutoCloseable {
    static final int CACHE_LIMIT = 200_000;

    private final TraceSource source;
    private final int repeat;
    private final List<ModelSpec> models;
    private final Map<String, CompositeTask> composites = new HashMap<>();
    private final Predicate<String> splitLlm;
    private final Map<Key, InvocationGraph> cache = new HashMap<>();
    private final long passNanos;
    private final int streamChunkTokens;
    private TraceReader reader;
    private int pass;
    private TraceRecord next;
    private long lastArrival = -1;
    private long nextId;

    private record Key(String model, RequestShape shape) {
    }

    /**
     * @param models the plan's models
     * @param splitLlm whether a model's LLM runs as separate prefill and decode tasks in the plan
     */
    public TraceWorkload(TraceSource source, int repeat, List<ModelSpec> models, Predicate<String> splitLlm)
            throws IOException {
        this(source, repeat, models, splitLlm, DeploymentPlan.DEFAULT_STREAM_CHUNK_TOKENS);
    }

    /** The workload of a resolved plan: its models, their LLM split and its {@code stream_chunk_tokens}. */
    public TraceWorkload(TraceSource source, int repeat, ResolvedPlan plan) throws IOException {
        this(source, repeat, plan.models(), plan::splitsLlm, plan.plan().streamChunkTokensOrDefault());
    }

    /**
     * @param models the plan's models
     * @param splitLlm whether a model's LLM runs as separate prefill and decode tasks in the plan
     * @param streamChunkTokens thinker tokens per chunk streamed to a talker, 0 to hand the whole answer over
     *     ({@link RequestGraphs#toInvocations(org.cornserve.model.graph.RequestGraph, int, long, int)})
     */
    public TraceWorkload(TraceSource source, int repeat, List<ModelSpec> models, Predicate<String> splitLlm,
            int streamChunkTokens) throws IOException {
        if (streamChunkTokens < 0) {
            throw new IllegalArgumentException("stream chunk must be >= 0 tokens, got " + streamChunkTokens);
        }
        this.streamChunkTokens = streamChunkTokens;
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be >= 1, got " + repeat);
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException("a workload needs at least one model");
        }
        this.source = source;
        this.repeat = repeat;
        this.models = List.copyOf(models);
        this.splitLlm = splitLlm;
        for (ModelSpec m : models) {
            composites.put(m.name(), new CompositeTask(m));
        }
        if (repeat > 1) {
            Transforms.Extent extent = Transforms.extent(source);
            long span = extent.lastNanos() - extent.firstNanos();
            passNanos = span + (extent.requests() > 1 ? span / (extent.requests() - 1) : 1_000_000_000L);
        } else {
            passNanos = 0;
        }
        this.reader = source.open();
    }

    private ModelSpec modelOf(TraceRecord record) {
        for (ModelSpec m : models) {
            if (m.name().equals(record.app())) {
                return m;
            }
        }
        if (models.size() == 1) {
            return models.get(0);
        }
        throw new IllegalArgumentException("trace record at " + record.arrivalSeconds() + " s calls app '"
                + record.app() + "', which names none of the plan's models "
                + models.stream().map(ModelSpec::name).toList() + "; relabel the trace's apps with model names");
    }

    @Override
    public boolean hasNext() {
        try {
            while (next == null) {
                TraceRecord r = reader.read();
                if (r != null) {
                    next = r;
                    break;
                }
                reader.close();
                if (++pass >= repeat) {
                    return false;
                }
                reader = source.open();
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SimRequest next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        TraceRecord r = next;
        next = null;
        ModelSpec model = modelOf(r);
        Key key = new Key(model.name(), r.shape());
        InvocationGraph graph = r.hashIds().isEmpty() ? cache.get(key) : withPrompt(model, r);
        if (graph == null) {
            boolean split = splitLlm.test(model.name());
            graph = textOnly(model, r.shape(), split);
            if (graph == null) {
                try {
                    graph = RequestGraphs.toInvocations(composites.get(model.name()).requestGraph(r.shape(), split),
                            model.vocoder().map(Vocoder::sampleRateHz).orElse(0), Work.UNCAPPED, streamChunkTokens);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("trace record at " + r.arrivalSeconds() + " s (app " + r.app()
                            + "): " + e.getMessage(), e);
                }
            }
            if (cache.size() < CACHE_LIMIT) {
                cache.put(key, graph);
            }
        }
        long arrival = r.arrivalNanos() + pass * passNanos;
        if (arrival < lastArrival) {
            throw new IllegalArgumentException("trace is not in arrival order at " + r.arrivalSeconds() + " s");
        }
        lastArrival = arrival;
        return new SimRequest(nextId++, arrival, r.app(), graph, model.promptTokens(r.shape()), r.requestId());
    }

    /** Mooncake's {@code hash_ids}: ids of the prompt's 512-token pieces. */
    static final int MOONCAKE_BLOCK_TOKENS = 512;

    /**
     * The graph of a text-only record whose trace gives its prompt's block ids (Mooncake's {@code hash_ids}): the
     * LLM invocations carry them ({@link PromptBlocks}, for prefix caching); not shared between records. Other
     * shapes return null (their prompts' content is not modelled).
     */
    private InvocationGraph withPrompt(ModelSpec model, TraceRecord r) {
        long[] ids = new long[r.hashIds().size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.hashIds().getLong(i);
        }
        return textOnly(model, r.shape(), splitLlm.test(model.name()), PromptBlocks.of(MOONCAKE_BLOCK_TOKENS, ids));
    }

    static InvocationGraph textOnly(ModelSpec model, RequestShape shape, boolean split) {
        return textOnly(model, shape, split, PromptBlocks.NONE);
    }

    /**
     * The graph of a text-in, text-out request on a model with an LLM, built directly: one LLM invocation of the
     * prompt, or a prefill and a decode joined by the prompt's KV cache (no decode when one token is asked for).
     * This is exactly what {@link CompositeTask} builds for such shapes (a test holds the two equal), without the
     * cost of a JGraphT graph per distinct shape; other shapes return null and go through the composite task.
     */
    static InvocationGraph textOnly(ModelSpec model, RequestShape shape, boolean split, PromptBlocks blocks) {
        if (!shape.media().isEmpty() || !shape.outputModalities().equals(java.util.Set.of(org.cornserve.model.Modality.TEXT))
                || model.llm().isEmpty()) {
            return null;
        }
        org.cornserve.model.task.LanguageModel llm = model.llm().get();
        long prompt = shape.textTokens();
        long out = shape.outputTokens();
        String base = org.cornserve.model.task.UnitTask.whole(model.name(), llm).id();
        if (!split) {
            return InvocationGraph.single(new Invocation(base, Work.llm(prompt, Work.UNCAPPED).withPromptBlocks(blocks), true),
                    out);
        }
        Invocation prefill = new Invocation(base + ":prefill", Work.llm(prompt, 1).withPromptBlocks(blocks), true);
        if (out <= 1) {
            return InvocationGraph.single(prefill);
        }
        return InvocationGraph.of(List.of(prefill, new Invocation(base + ":decode", Work.llm(prompt, Work.UNCAPPED), true)),
                List.of(new DataEdge(0, 1, prompt * llm.kvBytesPerToken())), new long[] {1, out});
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
