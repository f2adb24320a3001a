package org.cornserve.simulator.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
import org.cornserve.planner.schedule.batch.LongIntMap;
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
 * and shared (up to {@value #CACHE_LIMIT} distinct shapes), which keeps repeated traces cheap; with a
 * {@link SharedGraphs} they are shared with the other runs that use it.
 *
 * <p>With {@code repeat > 1} the trace is replayed back to back: pass {@code k} is shifted by {@code k} times
 * the trace's span plus one mean inter-arrival gap, so the rate stays the same and the run is {@code repeat}
 * times longer. Request ids run 0, 1, 2, ... over all passes. A trace of at most {@value #PASS_CACHE_LIMIT}
 * requests is read once: later passes replay the first pass's requests (same graphs, shifted arrivals) instead of
 * reading, parsing and looking up the trace again; longer ones are read again for each pass.
 */
public final class TraceWorkload implements Iterator<SimRequest>, AutoCloseable {
    static final int CACHE_LIMIT = 200_000;
    /** Requests of one pass kept in memory for the passes after it (about 50 bytes each, graphs shared). */
    static final int PASS_CACHE_LIMIT = 2_000_000;

    private final TraceSource source;
    private final int repeat;
    private final List<ModelSpec> models;
    private final Entry[] entries;
    private final Map<Key, InvocationGraph> cache = new HashMap<>();
    private final List<InvocationGraph> textGraphs = new ArrayList<>();
    private final long passNanos;
    private final int streamChunkTokens;
    private TraceReader reader;
    private int pass;
    private TraceRecord next;
    private long lastArrival = -1;
    private long nextId;
    /** The first pass's requests, replayed by later passes; null when the trace is read again for each pass. */
    private List<SimRequest> firstPass;
    private int replayed;

    private record Key(String model, RequestShape shape) {
    }

    /**
     * A model as the workload uses it, resolved once: its composite task, whether its LLM is split, its vocoder's
     * sample rate, and for text-only records its LLM's task ids and the graphs built so far, indexed by
     * (prompt, answer) without boxing (the hot path of a text trace: no per-record key, stream or string).
     */
    private static final class Entry {
        final ModelSpec model;
        final CompositeTask composite;
        final boolean split;
        final int sampleRateHz;
        final TextGraphs text;
        final LongIntMap textIndex = new LongIntMap();
        /** Graphs shared with other runs of this configuration, or null: this workload's own cache. */
        final SharedGraphs.Shapes shared;

        Entry(ModelSpec model, boolean split, SharedGraphs.Shapes shared) {
            this.model = model;
            this.composite = new CompositeTask(model);
            this.split = split;
            this.sampleRateHz = model.vocoder().map(Vocoder::sampleRateHz).orElse(0);
            this.text = TextGraphs.of(model);
            this.shared = shared;
        }
    }

    /** Builds the graphs of text-in, text-out requests on one model's LLM (see {@link #textOnly}). */
    private record TextGraphs(String whole, String prefill, String decode, long kvBytesPerToken) {
        static TextGraphs of(ModelSpec model) {
            if (model.llm().isEmpty()) {
                return null;
            }
            org.cornserve.model.task.LanguageModel llm = model.llm().get();
            String base = org.cornserve.model.task.UnitTask.whole(model.name(), llm).id();
            return new TextGraphs(base, base + ":prefill", base + ":decode", llm.kvBytesPerToken());
        }

        InvocationGraph graph(long prompt, long out, boolean split, PromptBlocks blocks) {
            if (!split) {
                return InvocationGraph.single(new Invocation(whole, Work.llm(prompt, Work.UNCAPPED).withPromptBlocks(blocks),
                        true), out);
            }
            Invocation first = new Invocation(prefill, Work.llm(prompt, 1).withPromptBlocks(blocks), true);
            if (out <= 1) {
                return InvocationGraph.single(first);
            }
            return InvocationGraph.of(List.of(first, new Invocation(decode, Work.llm(prompt, Work.UNCAPPED), true)),
                    List.of(new DataEdge(0, 1, prompt * kvBytesPerToken)), new long[] {1, out});
        }
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
        this(source, repeat, plan.models(), plan::splitsLlm, plan.plan().streamChunkTokensOrDefault(), null);
    }

    /** As {@link #TraceWorkload(TraceSource, int, ResolvedPlan)}, its graphs kept in (and taken from) {@code shared}. */
    public TraceWorkload(TraceSource source, int repeat, ResolvedPlan plan, SharedGraphs shared) throws IOException {
        this(source, repeat, plan.models(), plan::splitsLlm, plan.plan().streamChunkTokensOrDefault(), shared);
    }

    /**
     * @param models the plan's models
     * @param splitLlm whether a model's LLM runs as separate prefill and decode tasks in the plan
     * @param streamChunkTokens thinker tokens per chunk streamed to a talker, 0 to hand the whole answer over
     *     ({@link RequestGraphs#toInvocations(org.cornserve.model.graph.RequestGraph, int, long, int)})
     */
    public TraceWorkload(TraceSource source, int repeat, List<ModelSpec> models, Predicate<String> splitLlm,
            int streamChunkTokens) throws IOException {
        this(source, repeat, models, splitLlm, streamChunkTokens, null);
    }

    /** As above, graphs kept in (and taken from) {@code shared} when it is not null. */
    public TraceWorkload(TraceSource source, int repeat, List<ModelSpec> models, Predicate<String> splitLlm,
            int streamChunkTokens, SharedGraphs shared) throws IOException {
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
        this.entries = new Entry[models.size()];
        for (int i = 0; i < entries.length; i++) {
            boolean split = splitLlm.test(models.get(i).name());
            entries[i] = new Entry(models.get(i), split,
                    shared == null ? null : shared.of(models.get(i), split, streamChunkTokens));
        }
        if (repeat > 1) {
            Transforms.Extent extent = Transforms.extent(source);
            long span = extent.lastNanos() - extent.firstNanos();
            passNanos = span + (extent.requests() > 1 ? span / (extent.requests() - 1) : 1_000_000_000L);
            if (extent.requests() <= PASS_CACHE_LIMIT) {
                firstPass = new ArrayList<>((int) extent.requests());
            }
        } else {
            passNanos = 0;
        }
        this.reader = source.open();
    }

    private Entry entryOf(TraceRecord record) {
        if (entries.length == 1) {
            return entries[0];
        }
        for (Entry e : entries) {
            if (e.model.name().equals(record.app())) {
                return e;
            }
        }
        throw new IllegalArgumentException("trace record at " + record.arrivalSeconds() + " s calls app '"
                + record.app() + "', which names none of the plan's models "
                + models.stream().map(ModelSpec::name).toList() + "; relabel the trace's apps with model names");
    }

    @Override
    public boolean hasNext() {
        if (pass > 0 && firstPass != null) {
            return replayNext();
        }
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
                if (firstPass != null) {
                    return replayNext();
                }
                reader = source.open();
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a later pass has a request left, moving on to the next pass at the end of one. */
    private boolean replayNext() {
        while (replayed == firstPass.size()) {
            if (pass + 1 >= repeat || firstPass.isEmpty()) {
                pass = repeat;
                return false;
            }
            pass++;
            replayed = 0;
        }
        return true;
    }

    @Override
    public SimRequest next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (pass > 0 && firstPass != null) {
            // pass k of the same trace: the arrival is the first pass's plus k pass lengths, so still in order
            SimRequest r = firstPass.get(replayed++);
            return new SimRequest(nextId++, r.arrivalNanos() + pass * passNanos, r.app(), r.graph(), r.inputTokens(),
                    r.traceId());
        }
        TraceRecord r = next;
        next = null;
        long arrival = r.arrivalNanos() + pass * passNanos;
        if (arrival < lastArrival) {
            throw new IllegalArgumentException("trace is not in arrival order at " + r.arrivalSeconds() + " s");
        }
        lastArrival = arrival;
        SimRequest request = request(r, arrival);
        if (firstPass != null) {
            if (firstPass.size() < PASS_CACHE_LIMIT) {
                firstPass.add(request);
            } else { // the source gave more than its first reading counted: read it again for each pass
                firstPass = null;
            }
        }
        return request;
    }

    /**
     * The request of a record sent outside the trace's order (a closed-loop client's send, {@link
     * org.cornserve.simulator.engine.Simulator#send}): its graph as the trace's records get theirs, the next id, the
     * record's own arrival (not checked against the others').
     */
    public SimRequest request(TraceRecord record) {
        return request(record, record.arrivalNanos());
    }

    private SimRequest request(TraceRecord r, long arrival) {
        Entry entry = entryOf(r);
        ModelSpec model = entry.model;
        RequestShape shape = r.shape();
        InvocationGraph graph = r.hashIds().isEmpty() ? null : withPrompt(entry, r);
        if (graph != null) {
            // a text prompt whose block ids the trace gives: not shared between records
        } else if (entry.text != null && isTextOnly(shape)) {
            graph = textGraph(entry, shape);
        } else {
            Key key = entry.shared == null ? new Key(model.name(), shape) : null; // null: the shared graphs
            graph = entry.shared != null ? entry.shared.get(shape) : cache.get(key);
            if (graph == null) {
                try {
                    graph = RequestGraphs.toInvocations(entry.composite.requestGraph(shape, entry.split),
                            entry.sampleRateHz, Work.UNCAPPED, streamChunkTokens);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("trace record at " + r.arrivalSeconds() + " s (app " + r.app()
                            + "): " + e.getMessage(), e);
                }
                if (entry.shared != null) {
                    entry.shared.put(shape, graph);
                } else if (cache.size() < CACHE_LIMIT) {
                    cache.put(key, graph);
                }
            }
        }
        long inputTokens = shape.media().isEmpty() ? shape.textTokens() : model.promptTokens(shape);
        return new SimRequest(nextId++, arrival, r.app(), graph, inputTokens, r.requestId());
    }

    private static boolean isTextOnly(RequestShape shape) {
        return shape.media().isEmpty() && shape.outputModalities().size() == 1
                && shape.outputModalities().contains(org.cornserve.model.Modality.TEXT);
    }

    /** The graph of a text-only record, built once per (model, prompt, answer) up to {@value #CACHE_LIMIT} of them. */
    private InvocationGraph textGraph(Entry entry, RequestShape shape) {
        // prompt + 1 keeps the key non-zero; both lengths are non-negative ints
        long key = ((long) shape.textTokens() + 1) << 32 | shape.outputTokens();
        int i = entry.textIndex.get(key, -1);
        if (i >= 0) {
            return textGraphs.get(i);
        }
        InvocationGraph graph = entry.text.graph(shape.textTokens(), shape.outputTokens(), entry.split, PromptBlocks.NONE);
        if (textGraphs.size() < CACHE_LIMIT) {
            entry.textIndex.putIfAbsent(key, textGraphs.size());
            textGraphs.add(graph);
        }
        return graph;
    }

    /** Mooncake's {@code hash_ids}: ids of the prompt's 512-token pieces. */
    static final int MOONCAKE_BLOCK_TOKENS = 512;

    /**
     * The graph of a text-only record whose trace gives its prompt's block ids (Mooncake's {@code hash_ids}): the
     * LLM invocations carry them ({@link PromptBlocks}, for prefix caching); not shared between records. Other
     * shapes return null (their prompts' content is not modelled).
     */
    private InvocationGraph withPrompt(Entry entry, TraceRecord r) {
        if (entry.text == null || !isTextOnly(r.shape())) {
            return null;
        }
        long[] ids = new long[r.hashIds().size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.hashIds().getLong(i);
        }
        return entry.text.graph(r.shape().textTokens(), r.shape().outputTokens(), entry.split,
                PromptBlocks.of(MOONCAKE_BLOCK_TOKENS, ids));
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
        TextGraphs text = TextGraphs.of(model);
        if (text == null || !isTextOnly(shape)) {
            return null;
        }
        return text.graph(shape.textTokens(), shape.outputTokens(), split, blocks);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
