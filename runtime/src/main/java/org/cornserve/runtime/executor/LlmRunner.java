package org.cornserve.runtime.executor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.cornserve.runtime.engine.generate.Sampler;
import org.cornserve.runtime.engine.generate.SamplingParams;
import org.cornserve.runtime.engine.llm.ChunkOutput;
import org.cornserve.runtime.engine.llm.InputRows;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.llm.SeqChunk;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * An autoregressive task (the thinker or a VLM's LLM, a talker, a prefill-only text encoder) stepped as the
 * scheduler planned: each step runs the prefill chunks and decodes it names through one {@link LlmModel#step} over
 * the paged KV cache, samples a token for every member whose computed context reached its end, and ends a sequence
 * on a stop token or at its cap. The scheduler decides what runs; this runner keeps the tokens and checks that the
 * plan matches them (a chunk must start where the sequence's cache ends; a chunk starting at 0 on a sequence with
 * cached tokens is a recompute after preemption and frees them first).
 *
 * <p>Outputs: an invocation opened with {@code keepHidden} hands its final hidden states on (a thinker to its
 * talker, a text encoder to its generator); otherwise one with consumers hands on its generated tokens (a talker's
 * codes to the vocoder).
 *
 * <p>Streamed hand-off ({@link ExecutorCommand.Open#streamChunkTokens()} {@code k > 0}): a thinker hands its hidden
 * states on as it computes them, a chunk ({@link StepOutcome#chunk}) in the step where it has generated {@code k}
 * tokens (when the scheduler's batcher reports the first chunk ready) and one every {@code k} tokens after, and the
 * rows left at its end as its output; a chunk is not sent in the step where the sequence ends (its end hands on
 * everything). A talker opened with the first chunk prefills its planned positions from the rows it has (the last
 * one repeated where a row has not come yet) and takes the later rows as they come ({@link #moreStates}); as
 * Qwen2.5-Omni's talker, each position it decodes adds the thinker's state of that position (the newest one it has
 * where the thinker is behind or done) to the code's embedding. It generates up to the cap it was opened with until
 * the last rows say how many codes the answer needs.
 */
final class LlmRunner implements TaskRunner {
    private final String task;
    private final LlmModel model;
    private final KvCache cache;
    private final SharedMemorySidecar sidecar;
    private final Set<Integer> stopTokens;
    private final boolean prefillOnly;
    private final UnaryOperator<float[]> inputProjection;
    private final int inputWidth;
    private final Map<Long, Seq> seqs = new HashMap<>();
    /**
     * Invocations that ended in this runner's previous step, and in the one running: under async scheduling the
     * control plane sends the next step before it hears of an end, so that step may name a sequence that ended; it
     * is left out (its token would be past the end).
     */
    private Set<Long> endedBefore = new HashSet<>();
    private Set<Long> endedNow = new HashSet<>();

    private static final class Seq {
        final long id;
        final int[] prompt;
        float[] embeddings;
        /** The input rows where they lie in shared memory (instead of {@code embeddings}) until spilled or closed. */
        InputViews views;
        /** Rows of {@code embeddings} that hold input states (all of them unless the input streams in). */
        int embeddingRows;
        final int[] placeholderPrefix;
        int maxTokens;
        final SamplingParams sampling;
        final SplittableRandom rnd;
        final boolean keepHidden;
        final int consumers;
        int[] generated = new int[16];
        int generatedCount;
        int computed;
        float[] hidden = new float[0];
        int hiddenRows;
        /** Producer: tokens per streamed chunk of hidden states (0: handed on whole at the end). */
        int streamOut;
        /** Producer: hidden rows handed on in chunks so far, and the tokens generated at the last chunk. */
        int streamedRows;
        int tokensAtChunk;
        /** Consumer: its input states stream in (decode positions add them); {@code inputOpen} until the last. */
        boolean streamedIn;
        boolean inputOpen;

        Seq(long id, int[] prompt, float[] embeddings, InputViews views, int[] placeholderPrefix, int maxTokens,
                SamplingParams sampling, boolean keepHidden, int consumers) {
            this.id = id;
            this.prompt = prompt;
            this.embeddings = embeddings;
            this.views = views;
            this.embeddingRows = embeddings == null && views == null ? 0 : placeholderPrefix[prompt.length];
            this.placeholderPrefix = placeholderPrefix;
            this.maxTokens = maxTokens;
            this.sampling = sampling;
            this.rnd = new SplittableRandom(sampling.seed());
            this.keepHidden = keepHidden;
            this.consumers = consumers;
        }

        int total() {
            return prompt.length + generatedCount;
        }

        int token(int pos) {
            return pos < prompt.length ? prompt[pos] : generated[pos - prompt.length];
        }

        /**
         * Input rows {@code [from, to)} of width {@code h}; rows not arrived yet (a streamed input) repeat the last one
         * that has.
         */
        float[] rows(int from, int to, int h) {
            if (views != null) {
                throw new IllegalStateException("invocation " + id + ": its input rows are read where they lie");
            }
            if (to <= embeddingRows) {
                return Arrays.copyOfRange(embeddings, from * h, to * h);
            }
            float[] out = new float[(to - from) * h];
            for (int r = from; r < to; r++) {
                System.arraycopy(embeddings, Math.min(r, embeddingRows - 1) * h, out, (r - from) * h, h);
            }
            return out;
        }

        /** Appends input rows (a streamed input's next chunk, projected). */
        void appendRows(float[] rows, int h) {
            int n = rows.length / h;
            if (embeddings.length < (embeddingRows + n) * h) {
                embeddings = Arrays.copyOf(embeddings, Math.max((embeddingRows + n) * h, 2 * embeddings.length));
            }
            System.arraycopy(rows, 0, embeddings, embeddingRows * h, n * h);
            embeddingRows += n;
        }

        /** Copies the viewed input rows onto the heap and releases the views (before the producer may reclaim them). */
        void spill() {
            if (views != null) {
                embeddings = views.toArray();
                views.close();
                views = null;
            }
        }

        /** Releases the viewed input rows, if any. */
        void releaseInputs() {
            if (views != null) {
                views.close();
                views = null;
            }
        }

        void add(int token) {
            if (generatedCount == generated.length) {
                generated = Arrays.copyOf(generated, generated.length * 2);
            }
            generated[generatedCount++] = token;
        }
    }

    /**
     * @param inputProjection applied to the concatenated input embeddings at open (a talker's thinker-to-talker
     *     projection), or null
     * @param inputWidth the width of the input states before projection (0 without a projection)
     * @param prefillOnly the task ends each sequence after its prompt (a text encoder)
     */
    LlmRunner(String task, LlmModel model, KvCache cache, SharedMemorySidecar sidecar, Set<Integer> stopTokens,
            boolean prefillOnly, UnaryOperator<float[]> inputProjection, int inputWidth) {
        this.task = task;
        this.model = model;
        this.cache = cache;
        this.sidecar = sidecar;
        this.stopTokens = Set.copyOf(stopTokens);
        this.prefillOnly = prefillOnly;
        this.inputProjection = inputProjection;
        this.inputWidth = inputWidth;
    }

    @Override
    public String task() {
        return task;
    }

    @Override
    public int open() {
        return seqs.size();
    }

    @Override
    public void open(ExecutorCommand.Open open) {
        if (seqs.containsKey(open.invocation())) {
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " is already open");
        }
        float[] emb = null;
        InputViews views = null;
        if (!open.inputs().isEmpty() && inputProjection == null) {
            // zero copy on receipt: the engine reads the rows from the segments when it prefills them
            views = InputViews.open(sidecar, open.inputs());
        } else if (!open.inputs().isEmpty()) {
            try {
                emb = sidecar.readFloats(open.inputs()); // projected at once: each input copied once, into place
            } finally {
                for (TensorRef ref : open.inputs()) {
                    sidecar.release(ref);
                }
            }
        }
        try {
            openSeq(open, emb, views);
        } catch (RuntimeException e) {
            if (views != null) {
                views.close();
            }
            throw e;
        }
    }

    private void openSeq(ExecutorCommand.Open open, float[] emb, InputViews views) {
        boolean streamedIn = open.streamChunkTokens() > 0 && inputProjection != null;
        if (streamedIn && (open.dims().length != 1 || emb == null)) {
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " streams its input in:"
                    + " it needs its first states and its planned rows (dims), got " + open.dims().length + " dims");
        }
        if (emb != null && inputProjection != null) {
            if (open.dims().length == 1 && !streamedIn) {
                emb = padRows(emb, open.dims()[0]);
            } else if (streamedIn) {
                padRows(emb, open.dims()[0]); // checks the rows only: the rest streams in
            }
            emb = inputProjection.apply(emb);
        }
        int h = model.config().hidden();
        int[] prompt = open.tokens();
        int inputFloats = views != null ? views.floats() : emb == null ? 0 : emb.length;
        if (prompt.length == 0 && inputFloats > 0) {
            prompt = new int[streamedIn ? open.dims()[0] : inputFloats / h];
            Arrays.fill(prompt, LlmModel.EMBEDDING_INPUT);
        }
        if (prompt.length == 0) {
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " has an empty prompt");
        }
        int[] prefix = new int[prompt.length + 1];
        for (int i = 0; i < prompt.length; i++) {
            int t = prompt[i];
            prefix[i + 1] = prefix[i] + (t == LlmModel.EMBEDDING_INPUT || model.placeholders().contains(t) ? 1 : 0);
        }
        int rows = inputFloats / h;
        if (streamedIn ? rows > prefix[prompt.length] : rows != prefix[prompt.length] || inputFloats % h != 0) {
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " has "
                    + prefix[prompt.length] + " placeholders but " + rows + " embedding rows of width " + h);
        }
        long positions = (long) prompt.length + (prefillOnly ? 0 : open.maxTokens());
        if (positions > model.config().maxPositions()) {
            // refused alone at open: admitted, it would fail every sequence of the step that crossed the limit
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " needs " + positions
                    + " positions (prompt " + prompt.length + " + max tokens " + open.maxTokens() + "), past the"
                    + " model's " + model.config().maxPositions());
        }
        if (open.maxTokens() < 1 && !prefillOnly) {
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " needs max tokens >= 1");
        }
        SamplingParams sampling = new SamplingParams(open.temperature(), open.temperature() == 0 ? 1 : 0.95,
                open.seed());
        Seq s = new Seq(open.invocation(), prompt, emb, views, prefix, open.maxTokens(), sampling,
                open.keepHidden() || prefillOnly, open.outputConsumers());
        if (streamedIn) {
            s.embeddingRows = rows;
            s.streamedIn = true;
            s.inputOpen = true;
        } else if (open.keepHidden() && !prefillOnly) {
            s.streamOut = open.streamChunkTokens();
        }
        seqs.put(open.invocation(), s);
    }

    /**
     * More input states of a sequence whose input streams in: the rows are projected and appended; the last also
     * lowers its cap to the codes the answer needs. An unknown invocation (it ended at its cap) only releases them.
     *
     * @throws IllegalStateException when the invocation's input does not stream, or came to its end already
     */
    void moreStates(ExecutorCommand.StreamStates more) {
        Seq s = seqs.get(more.invocation());
        float[] states = null;
        if (more.states() != null) {
            states = sidecar.readFloats(more.states());
            sidecar.release(more.states());
        }
        if (s == null) {
            return;
        }
        if (!s.inputOpen) {
            throw new IllegalStateException(task + ": invocation " + s.id + " got more input states, but "
                    + (s.streamedIn ? "its last ones came already" : "its input does not stream"));
        }
        if (states != null && states.length > 0) {
            if (states.length % inputWidth != 0) {
                throw new IllegalArgumentException(task + ": streamed states of " + states.length
                        + " floats are not rows of " + inputWidth);
            }
            s.appendRows(inputProjection.apply(states), model.config().hidden());
        }
        if (more.last()) {
            s.inputOpen = false;
            s.maxTokens = Math.min(s.maxTokens, Math.max(1, more.maxTokens()));
        }
    }

    /**
     * Pads input states to the {@code rows} the scheduler planned, repeating the last row (a talker whose thinker
     * ended before its cap sees its end-of-sequence state for the remaining positions); more rows than planned are
     * refused.
     */
    private float[] padRows(float[] states, int rows) {
        int have = states.length / inputWidth;
        if (states.length % inputWidth != 0 || have < 1 || have > rows) {
            throw new IllegalArgumentException(task + ": " + states.length + " input floats are not 1.." + rows
                    + " planned rows of " + inputWidth);
        }
        if (have == rows) {
            return states;
        }
        float[] out = Arrays.copyOf(states, rows * inputWidth);
        for (int r = have; r < rows; r++) {
            System.arraycopy(states, (have - 1) * inputWidth, out, r * inputWidth, inputWidth);
        }
        return out;
    }

    @Override
    public void close(long invocation) {
        Seq s = seqs.remove(invocation);
        if (s != null) {
            s.releaseInputs();
            cache.free(invocation);
        }
    }

    @Override
    public void step(ExecutorCommand.RunStep step, StepOutcome out, BooleanSupplier cut) {
        Set<Long> older = endedBefore;
        older.clear();
        endedBefore = endedNow;
        endedNow = older;
        for (ExecutorCommand.StepItem item : step.items()) {
            Seq s = seqs.get(item.invocation());
            if (s != null && s.views != null && s.views.nearExpiry()) {
                // held half its timeout (a long answer, a recompute may need the rows): copied out while valid
                s.spill();
            }
        }
        for (long it = 0; it < step.iterations(); it++) {
            iteration(step, out, it);
            out.iterationDone();
            if (out.anyEnded() || cut.getAsBoolean()) {
                return;
            }
        }
    }

    private void iteration(ExecutorCommand.RunStep step, StepOutcome out, long iteration) {
        List<SeqChunk> chunks = new ArrayList<>();
        List<Seq> members = new ArrayList<>();
        int h = model.config().hidden();
        for (ExecutorCommand.StepItem item : step.items()) {
            Seq s = seqs.get(item.invocation());
            if (s == null) {
                if (iteration > 0 || endedBefore.contains(item.invocation())) {
                    continue;
                }
                throw new IllegalStateException(task + ": step names invocation " + item.invocation()
                        + ", which is not open");
            }
            switch (item.kind()) {
                case PREFILL -> {
                    if (iteration > 0) {
                        throw new IllegalStateException(task + ": a multi-iteration step may only decode");
                    }
                    int start = Math.toIntExact(item.start());
                    if (start == 0 && s.computed > 0) {
                        cache.free(s.id);
                        s.computed = 0;
                    }
                    int len = Math.toIntExact(item.tokens());
                    if (start != s.computed || len < 1 || start + len > s.total()) {
                        throw new IllegalStateException(task + ": invocation " + s.id + ": the plan prefills ["
                                + start + ", " + (start + len) + ") but " + s.computed + " of " + s.total()
                                + " tokens are cached");
                    }
                    int[] toks = new int[len];
                    for (int i = 0; i < len; i++) {
                        toks[i] = s.token(start + i);
                    }
                    int from = Math.min(start, s.prompt.length);
                    int to = Math.min(start + len, s.prompt.length);
                    float[] emb = null;
                    InputRows viewed = null;
                    if (s.placeholderPrefix[to] > s.placeholderPrefix[from]) {
                        int first = s.placeholderPrefix[from];
                        int count = s.placeholderPrefix[to] - first;
                        if (s.views != null) {
                            viewed = s.views.window(first * h, count * h); // read from shared memory by the engine
                        } else {
                            emb = s.rows(first, first + count, h);
                        }
                    }
                    if (s.streamedIn && start + len > s.prompt.length) {
                        // a recompute after preemption reaches generated codes: each takes its thinker state too
                        emb = conditioned(s, start, len, emb);
                        Arrays.fill(toks, LlmModel.EMBEDDING_INPUT);
                    }
                    chunks.add(new SeqChunk(s.id, start, toks, emb, start + len == s.total(), s.keepHidden, viewed));
                    members.add(s);
                }
                case DECODE -> {
                    if (s.generatedCount == 0 || s.computed != s.total() - 1) {
                        throw new IllegalStateException(task + ": invocation " + s.id + ": the plan decodes but "
                                + s.computed + " of " + s.total() + " tokens are cached");
                    }
                    chunks.add(s.streamedIn
                            ? new SeqChunk(s.id, s.computed, new int[] {LlmModel.EMBEDDING_INPUT},
                                    conditioned(s, s.computed, 1, null), true, s.keepHidden)
                            : new SeqChunk(s.id, s.computed, new int[] {s.token(s.computed)}, null, true,
                                    s.keepHidden));
                    members.add(s);
                }
                default -> throw new IllegalStateException(task + ": an LLM step cannot hold a " + item.kind() + " item");
            }
        }
        if (chunks.isEmpty()) {
            return;
        }
        List<ChunkOutput> outs = model.step(chunks, cache);
        for (int i = 0; i < chunks.size(); i++) {
            finishChunk(members.get(i), chunks.get(i), outs.get(i), out);
        }
    }

    /**
     * Input rows of positions {@code [start, start + len)} of a sequence whose input streams in: a prompt position
     * takes its thinker state ({@code promptRows}, the rows of the prompt part already built, or built here), a
     * generated code its token embedding plus the thinker state of its position (the newest one where the thinker
     * has not got that far).
     */
    private float[] conditioned(Seq s, int start, int len, float[] promptRows) {
        int h = model.config().hidden();
        float[] out = new float[len * h];
        int fromPrompt = Math.max(0, Math.min(s.prompt.length, start + len) - start);
        if (fromPrompt > 0) {
            float[] p = promptRows != null ? promptRows : s.rows(start, start + fromPrompt, h);
            System.arraycopy(p, 0, out, 0, fromPrompt * h);
        }
        for (int i = fromPrompt; i < len; i++) {
            int pos = start + i;
            model.embed(s.token(pos), out, i * h);
            int row = Math.min(pos, s.embeddingRows - 1) * h;
            for (int k = 0; k < h; k++) {
                out[i * h + k] += s.embeddings[row + k];
            }
        }
        return out;
    }

    private void finishChunk(Seq s, SeqChunk chunk, ChunkOutput o, StepOutcome out) {
        s.computed += chunk.length();
        int h = model.config().hidden();
        if (o.hidden() != null) {
            int rows = Math.max(s.hiddenRows, chunk.startPos() + chunk.length());
            if (rows * h > s.hidden.length) {
                s.hidden = Arrays.copyOf(s.hidden, Math.max(rows * h, s.hidden.length * 2));
            }
            System.arraycopy(o.hidden(), 0, s.hidden, chunk.startPos() * h, chunk.length() * h);
            s.hiddenRows = rows;
        }
        if (prefillOnly) {
            if (s.computed == s.prompt.length) {
                end(s, "done", out);
            }
            return;
        }
        if (o.logits() == null) {
            return;
        }
        float[] logits = o.logits();
        for (int p : model.placeholders()) {
            if (p < logits.length) {
                logits[p] = Float.NEGATIVE_INFINITY;
            }
        }
        int token = Sampler.sample(logits, s.sampling, s.rnd);
        s.add(token);
        out.emit(s.id, token);
        boolean ends = stopTokens.contains(token) || s.generatedCount >= s.maxTokens;
        if (!ends && s.streamOut > 0 && s.hiddenRows > s.streamedRows && s.generatedCount - s.tokensAtChunk
                >= s.streamOut) {
            // the first chunk in the step where the scheduler's batcher reports it ready, then every k tokens
            out.chunk(s.id, sidecar.putFloats(s.hidden, s.streamedRows * h, (s.hiddenRows - s.streamedRows) * h,
                    s.consumers));
            s.streamedRows = s.hiddenRows;
            s.tokensAtChunk = s.generatedCount;
        }
        if (stopTokens.contains(token)) {
            end(s, "stop", out);
        } else if (s.generatedCount >= s.maxTokens) {
            end(s, "length", out);
        }
    }

    private void end(Seq s, String reason, StepOutcome out) {
        if (s.keepHidden && !prefillOnly && s.computed == s.total() - 1) {
            // the last sampled token was never fed: one more forward gives its hidden state, so a talker sees
            // every position of the prompt and the answer
            SeqChunk last = new SeqChunk(s.id, s.computed, new int[] {s.token(s.computed)}, null, false, true);
            ChunkOutput o = model.step(List.of(last), cache).get(0);
            int h = model.config().hidden();
            int rows = s.computed + 1;
            if (rows * h > s.hidden.length) {
                s.hidden = Arrays.copyOf(s.hidden, rows * h);
            }
            System.arraycopy(o.hidden(), 0, s.hidden, s.computed * h, h);
            s.hiddenRows = rows;
            s.computed++;
        }
        if (s.consumers > 0) {
            // after streamed chunks, the rows not handed on yet
            int h = model.config().hidden();
            TensorRef ref = s.keepHidden
                    ? sidecar.putFloats(s.hidden, s.streamedRows * h, (s.hiddenRows - s.streamedRows) * h, s.consumers)
                    : sidecar.putInts(Arrays.copyOf(s.generated, s.generatedCount), s.consumers);
            out.output(s.id, ref);
        }
        out.end(s.id, reason, s.generatedCount);
        endedNow.add(s.id);
        close(s.id);
    }

    @Override
    public void warmUp() {
        long id = -1;
        int n = 24;
        int[] prompt = new int[n];
        for (int i = 0; i < n; i++) {
            prompt[i] = i + 1;
        }
        float[] emb = null;
        if (inputProjection != null) {
            prompt = new int[0];
            emb = new float[n * model.config().hidden()];
        }
        int[] prefix = new int[(prompt.length == 0 ? n : prompt.length) + 1];
        if (prompt.length == 0) {
            prompt = new int[n];
            Arrays.fill(prompt, LlmModel.EMBEDDING_INPUT);
            for (int i = 0; i < n; i++) {
                prefix[i + 1] = i + 1;
            }
        }
        Seq s = new Seq(id, prompt, emb, null, prefix, 3, SamplingParams.greedy(), prefillOnly, 0);
        seqs.put(id, s);
        StepOutcome sink = new StepOutcome();
        try {
            for (int i = 0; i < 3 && seqs.containsKey(id); i++) {
                ExecutorCommand.StepItem item = s.generatedCount == 0
                        ? new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.PREFILL, 0, n)
                        : new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.DECODE, 0, 1);
                step(new ExecutorCommand.RunStep(0, task, List.of(item), 1), sink, () -> false);
            }
        } finally {
            close(id);
        }
    }
}
