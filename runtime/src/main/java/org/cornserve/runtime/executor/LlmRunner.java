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
import org.cornserve.model.task.LlmPhase;
import org.cornserve.runtime.engine.generate.Sampler;
import org.cornserve.runtime.engine.generate.SamplingParams;
import org.cornserve.runtime.engine.llm.ChunkOutput;
import org.cornserve.runtime.engine.llm.InputRows;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.llm.SeqChunk;
import org.cornserve.runtime.engine.tensor.TensorSink;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.cornserve.runtime.sidecar.WritableTensor;

/**
 * An autoregressive task (the thinker or a VLM's LLM, a talker, a prefill-only text encoder) stepped as the
 * scheduler planned: each step runs the prefill chunks and decodes it names through one {@link LlmModel#step} over
 * the paged KV cache, samples a token for every member whose computed context reached its end, and ends a sequence
 * on a stop token or at its cap. The scheduler decides what runs; this runner keeps the tokens and checks that the
 * plan matches them (a chunk must start where the sequence's cache ends; a chunk starting at 0 on a sequence with
 * cached tokens is a recompute after preemption and frees them first).
 *
 * <p>Outputs: an invocation opened with {@code keepHidden} hands its final hidden states on (a thinker to its
 * talker, a text encoder to its generator), written in place: the model stores each chunk's hidden rows straight
 * into a pending shared-memory segment ({@link SharedMemorySidecar#allocateFloats}), published as the output (or a
 * streamed chunk) and freed if the sequence is closed first; otherwise one with consumers hands on its generated
 * tokens (a talker's codes to the vocoder). A talker reads its thinker's states where they lie, a block of rows at a
 * time into its projection.
 *
 * <p>Streamed hand-off ({@link ExecutorCommand.Open#streamChunkTokens()} {@code k > 0}): a thinker hands its hidden
 * states on as it computes them, a chunk ({@link StepOutcome#chunk}) in the step where it has generated {@code k}
 * tokens (when the scheduler's batcher reports the first chunk ready) and one every {@code k} tokens after, and the
 * rows left at its end as its output; a chunk is not sent in the step where the sequence ends (its end hands on
 * everything). A talker opened with the first chunk takes the later rows as they come ({@link #moreStates}) and
 * computes position p once its thinker's row p has come (later positions once the last states have), so it speaks
 * as the thinker goes and its codes depend on its thinker's states alone, never on how they were chunked or when
 * they came (see {@link #planStreamedIn}); the scheduler's plan runs ahead where the rows have not come. Its planned positions take the thinker's states, the last one repeated past the thinker's end; as
 * Qwen2.5-Omni's talker, each code it decodes adds the thinker's state of its position (the last one, past the end)
 * to the code's embedding, whether the input streamed in or came whole. It generates the codes the last rows say the
 * answer needs, within its cap.
 *
 * <p>Prefill/decode split ({@link LlmPhase}): a prefill-phase runner prefills the prompt and samples its first token
 * (emitted at once, so the client has it when prefill does); when the invocation's cap is above one token a decode
 * invocation follows, and the sequence ends there by handing its prompt's KV cache on ({@link KvCache#exportSequence})
 * as one sidecar tensor ({@link KvHandOff}: with the first token and, for a thinker that hands its hidden states on,
 * the prompt's hidden rows), and frees its blocks. A decode-phase runner opens an invocation with that tensor (read
 * and released at once: the segment is freed when consumed), imports the KV cache into its own blocks when the scheduler first runs the sequence (its batcher decides
 * the admission), and decodes from the first token on, as the whole sequence would: greedy tokens are the whole
 * run's. A recompute after preemption imports the prompt's keys and values again and recomputes the generated
 * positions only.
 */
final class LlmRunner implements TaskRunner {
    private final String task;
    private final LlmModel model;
    private final KvCache cache;
    private final SharedMemorySidecar sidecar;
    private final Set<Integer> stopTokens;
    private final boolean prefillOnly;
    private final InputProjection inputProjection;
    private final int inputWidth;
    private final LlmPhase phase;
    private final Map<Long, Seq> seqs = new HashMap<>();
    /**
     * Invocations that ended in this runner's previous step, and in the one running: under async scheduling the
     * control plane sends the next step before it hears of an end, so that step may name a sequence that ended; it
     * is left out (its token would be past the end).
     */
    private Set<Long> endedBefore = new HashSet<>();
    private Set<Long> endedNow = new HashSet<>();
    /**
     * The last hand-off's costs, for {@link KvHandOffBench}: the prefill side's export into a segment, the decode
     * side's read and release of it, and its import into the decode cache.
     */
    private long lastExportNanos;
    private long lastReadNanos;
    private long lastImportNanos;

    /** Input rows projected per block: a block of thinker states stays in cache between its read and its GEMM. */
    private static final int PROJECT_BLOCK_ROWS = 64;

    /**
     * Waits, a bounded time, for the last states of a streamed-in invocation, handing them (and any held before them)
     * to {@link #moreStates}; true when they came. The executor provides it where no producer of states runs in the
     * same process (waiting there would stall the producer).
     */
    @FunctionalInterface
    interface StatesWait {
        boolean awaitLast(long invocation);
    }

    private StatesWait statesWait = invocation -> false;

    /** A talker's thinker-to-talker projection of {@code rows} rows of {@code x} into {@code y}, row by row. */
    @FunctionalInterface
    interface InputProjection {
        void apply(float[] x, int xo, int rows, float[] y, int yo);
    }

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
        /**
         * Producer: the segment its hidden rows from {@code streamedRows} on are written into as they are computed
         * (sized for every row it may still compute), published as the next chunk or its output; null until needed.
         */
        WritableTensor out;
        int hiddenRows;
        /** Producer: tokens per streamed chunk of hidden states (0: handed on whole at the end). */
        int streamOut;
        /** Producer: hidden rows handed on in chunks so far, and the tokens generated at the last chunk. */
        int streamedRows;
        int tokensAtChunk;
        /** Consumer: its input states stream in (decode positions add them); {@code inputOpen} until the last. */
        boolean streamedIn;
        boolean inputOpen;
        /**
         * Consumer whose input streams in: the positions and codes the scheduler planned so far (its view, reported
         * as planned), ahead of {@code computed} and {@code generated} while the states those need have not come.
         */
        int plannedPositions;
        int plannedCodes;
        /**
         * Consumer whose input streams in: the cap it was opened with, the scheduler's (its last states lower {@code
         * maxTokens}).
         */
        int plannedCap;
        /**
         * Consumer whose input streams in: the index of the first stop code it sampled before its last states came
         * (-1: none); it samples no further and ends when they come, at that code or at the count they ask for.
         */
        int stopAt = -1;
        /** Prefill phase: a decode invocation follows, to which the sequence hands its KV cache at its first token. */
        boolean handsKv;
        /** Prefill phase handing its KV cache on: the prompt's hidden rows, for a thinker's talker (else null). */
        float[] promptHidden;
        /** Decode phase: the prompt's keys and values as handed over, imported when the sequence first runs. */
        float[] handedKv;

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

        /** Makes room for {@code n} more input rows of width {@code h} (a streamed input's next chunk). */
        void reserveRows(int n, int h) {
            if (embeddings.length < (embeddingRows + n) * h) {
                embeddings = Arrays.copyOf(embeddings, Math.max((embeddingRows + n) * h, 2 * embeddings.length));
            }
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

        /** Whether it hands its hidden rows on (a thinker to its talker, a text encoder to its generator). */
        boolean exportsHidden() {
            return keepHidden && consumers > 0;
        }

        void add(int token) {
            if (generatedCount == generated.length) {
                generated = Arrays.copyOf(generated, generated.length * 2);
            }
            generated[generatedCount++] = token;
        }
    }

    /**
     * @param inputProjection applied to the input states as they are read (a talker's thinker-to-talker projection),
     *     or null; the states are read where they lie in shared memory, a block of rows at a time, into it
     * @param inputWidth the width of the input states before projection (0 without a projection)
     * @param prefillOnly the task ends each sequence after its prompt (a text encoder)
     */
    LlmRunner(String task, LlmModel model, KvCache cache, SharedMemorySidecar sidecar, Set<Integer> stopTokens,
            boolean prefillOnly, InputProjection inputProjection, int inputWidth) {
        this(task, model, cache, sidecar, stopTokens, prefillOnly, inputProjection, inputWidth, LlmPhase.WHOLE);
    }

    /**
     * As above, for one phase of a prefill/decode split ({@link LlmPhase#WHOLE}: prefill and decode together).
     */
    LlmRunner(String task, LlmModel model, KvCache cache, SharedMemorySidecar sidecar, Set<Integer> stopTokens,
            boolean prefillOnly, InputProjection inputProjection, int inputWidth, LlmPhase phase) {
        if (phase != LlmPhase.WHOLE && (prefillOnly || inputProjection != null)) {
            throw new IllegalArgumentException(task + ": only a thinker or a VLM's LLM runs split into prefill and"
                    + " decode");
        }
        this.phase = phase;
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
        if (phase == LlmPhase.DECODE) {
            openDecode(open);
            return;
        }
        float[] emb = null;
        InputViews views = null;
        if (!open.inputs().isEmpty() && inputProjection == null) {
            // zero copy on receipt: the engine reads the rows from the segments when it prefills them
            views = InputViews.open(sidecar, open.inputs());
        } else if (!open.inputs().isEmpty()) {
            // the thinker's states read where they lie, straight into the projection; released once projected
            try (InputViews states = InputViews.open(sidecar, open.inputs())) {
                emb = projectInput(states, open);
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
        if (phase == LlmPhase.PREFILL) {
            // a cap above the first token means a decode invocation follows; with cap 1 the prefill is the answer
            s.handsKv = open.maxTokens() > 1;
            if (s.handsKv && open.outputConsumers() < 1) {
                throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " prefills for a"
                        + " decode invocation (max tokens " + open.maxTokens() + ") but has no consumer for its KV cache");
            }
            s.maxTokens = 1;
            if (s.handsKv && s.exportsHidden()) {
                s.promptHidden = new float[prompt.length * h];
            }
        }
        if (streamedIn) {
            s.embeddingRows = rows;
            s.streamedIn = true;
            s.inputOpen = true;
            s.plannedCap = open.maxTokens();
        } else if (open.keepHidden() && !prefillOnly && !s.handsKv) {
            s.streamOut = open.streamChunkTokens();
        }
        seqs.put(open.invocation(), s);
    }

    /**
     * Opens a decode-phase invocation from its prefill's hand-off (the one input): the header and the hidden rows are
     * read now, the keys and values kept until the sequence first runs; the segment is released here.
     */
    private void openDecode(ExecutorCommand.Open open) {
        if (open.inputs().size() != 1) {
            for (TensorRef r : open.inputs()) {
                sidecar.release(r);
            }
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " needs its prefill's KV"
                    + " cache as its one input, got " + open.inputs().size() + " inputs");
        }
        long t0 = System.nanoTime();
        KvHandOff.Received handed = KvHandOff.read(sidecar, open.inputs().get(0), cache, model.config().hidden(),
                task + ": invocation " + open.invocation());
        lastReadNanos = System.nanoTime() - t0;
        int promptLength = handed.promptLength();
        int[] prompt = open.tokens();
        if (prompt.length == 0) {
            prompt = new int[promptLength];
            Arrays.fill(prompt, LlmModel.EMBEDDING_INPUT);
        } else if (prompt.length != promptLength) {
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " has a prompt of "
                    + prompt.length + " tokens but its prefill handed " + promptLength + " positions over");
        }
        long positions = (long) promptLength + open.maxTokens();
        if (open.maxTokens() < 2 || positions > model.config().maxPositions()) {
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " needs max tokens 2.."
                    + (model.config().maxPositions() - promptLength) + " (the first came from prefill), got "
                    + open.maxTokens());
        }
        if (open.keepHidden() && open.outputConsumers() > 0 && handed.hidden() == null) {
            throw new IllegalArgumentException(task + ": invocation " + open.invocation() + " hands its hidden states"
                    + " on, but its prefill handed none over");
        }
        SamplingParams sampling = new SamplingParams(open.temperature(), open.temperature() == 0 ? 1 : 0.95,
                open.seed());
        Seq s = new Seq(open.invocation(), prompt, null, null, new int[promptLength + 1], open.maxTokens(), sampling,
                open.keepHidden(), open.outputConsumers());
        if (open.temperature() > 0) {
            s.rnd.nextDouble(); // the draw the first token took on the prefill side: the stream goes on as a whole run's
        }
        s.add(handed.firstToken());
        s.handedKv = handed.kv();
        if (s.exportsHidden()) {
            s.streamOut = open.streamChunkTokens();
            pendingOut(s).put(0, handed.hidden(), 0, handed.hidden().length);
            s.hiddenRows = promptLength;
        }
        seqs.put(open.invocation(), s);
    }

    /** Decode phase: imports the handed-over prompt into this cache (the sequence holds nothing here yet). */
    private void importHanded(Seq s) {
        long t0 = System.nanoTime();
        cache.importSequence(s.id, s.prompt.length, s.handedKv, 0);
        s.computed = s.prompt.length;
        lastImportNanos = System.nanoTime() - t0;
    }

    /** The last hand-off's export, read and import times in nanoseconds (0 where none happened here). */
    long[] lastHandOffNanos() {
        return new long[] {lastExportNanos, lastReadNanos, lastImportNanos};
    }

    /**
     * More input states of a sequence whose input streams in: the rows are projected and appended; the last also
     * lowers its cap to the codes the answer needs. An unknown invocation (it ended at its cap) only releases them.
     *
     * @throws IllegalStateException when the invocation's input does not stream, or came to its end already
     */
    void moreStates(ExecutorCommand.StreamStates more) {
        Seq s = seqs.get(more.invocation());
        // read where they lie, straight into the projection; released however this ends
        try (InputViews states = more.states() == null ? null : InputViews.open(sidecar, List.of(more.states()))) {
            if (s == null) {
                return;
            }
            if (!s.inputOpen) {
                throw new IllegalStateException(task + ": invocation " + s.id + " got more input states, but "
                        + (s.streamedIn ? "its last ones came already" : "its input does not stream"));
            }
            if (states != null && states.floats() > 0) {
                if (states.floats() % inputWidth != 0) {
                    throw new IllegalArgumentException(task + ": streamed states of " + states.floats()
                            + " floats are not rows of " + inputWidth);
                }
                int rows = states.floats() / inputWidth;
                int h = model.config().hidden();
                s.reserveRows(rows, h);
                projectRows(states, rows, s.embeddings, s.embeddingRows * h);
                s.embeddingRows += rows;
            }
        }
        if (more.last()) {
            s.inputOpen = false;
            s.maxTokens = Math.min(s.maxTokens, Math.max(1, more.maxTokens()));
        }
    }

    /**
     * A talker's input: its thinker's states projected to its width as they are read from their views (no copy of
     * the whole input on the heap), padded to the {@code dims[0]} rows the scheduler planned unless the input streams
     * in, by repeating the last projected row (the same bits as projecting the repeated state: a talker whose thinker
     * ended before its cap sees its end-of-sequence state for the remaining positions); more rows than planned are
     * refused.
     */
    private float[] projectInput(InputViews states, ExecutorCommand.Open open) {
        boolean planned = open.dims().length == 1;
        int have = states.floats() / inputWidth;
        int rows = planned ? open.dims()[0] : have;
        if (states.floats() % inputWidth != 0 || have < 1 || have > rows) {
            throw new IllegalArgumentException(task + ": " + states.floats() + " input floats are not 1.." + rows
                    + " planned rows of " + inputWidth);
        }
        int kept = open.streamChunkTokens() > 0 ? have : rows; // a streamed input: what has come; the rest streams
        int h = model.config().hidden();
        float[] out = new float[kept * h];
        projectRows(states, have, out, 0);
        for (int r = have; r < kept; r++) {
            System.arraycopy(out, (have - 1) * h, out, r * h, h);
        }
        return out;
    }

    /**
     * Projects the first {@code rows} rows of {@code states} into {@code out} from float {@code at}: each block of
     * rows read from the views into a small array (kept in cache) and projected from there.
     */
    private void projectRows(InputViews states, int rows, float[] out, int at) {
        float[] block = new float[Math.min(rows, PROJECT_BLOCK_ROWS) * inputWidth];
        int h = model.config().hidden();
        for (int r = 0; r < rows; r += PROJECT_BLOCK_ROWS) {
            int n = Math.min(PROJECT_BLOCK_ROWS, rows - r);
            states.copyTo(r * inputWidth, block, 0, n * inputWidth);
            inputProjection.apply(block, 0, n, out, at + r * h);
        }
    }

    /** KV-cache blocks its sequences hold now. */
    int kvBlocksUsed() {
        return cache.capacityBlocks() - cache.freeBlocks();
    }

    /** A copy of the input rows an open invocation holds on the heap (a talker's projected states), or null. */
    float[] heapInputRows(long invocation) {
        Seq s = seqs.get(invocation);
        return s == null || s.embeddings == null ? null
                : Arrays.copyOf(s.embeddings, s.embeddingRows * model.config().hidden());
    }

    @Override
    public void close(long invocation) {
        Seq s = seqs.remove(invocation);
        if (s != null) {
            s.releaseInputs();
            if (s.out != null) {
                s.out.close(); // rows never handed on: the segment is freed
            }
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
            if (s.streamedIn) {
                planStreamedIn(s, item, iteration, out, chunks, members);
                continue;
            }
            switch (item.kind()) {
                case PREFILL -> {
                    int start = prefillStart(item, iteration);
                    int len = Math.toIntExact(item.tokens());
                    if (start == 0 && s.computed > 0) {
                        cache.free(s.id);
                        s.computed = 0;
                    }
                    if (s.handedKv != null) {
                        // a recompute on the decode side: the prompt's keys and values come in again as handed
                        // over, the generated positions are computed
                        if (s.computed == 0 && start == 0) {
                            importHanded(s);
                        }
                        int skip = Math.min(len, Math.max(0, s.computed - start));
                        if (skip == len && start + len < s.total()) {
                            continue;
                        }
                        start += skip;
                        len -= skip;
                    }
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
                    if (conditionsCodes() && start + len > s.prompt.length) {
                        // a recompute after preemption reaches generated codes: each takes its thinker state too
                        emb = conditioned(s, start, len, emb);
                        Arrays.fill(toks, LlmModel.EMBEDDING_INPUT);
                    }
                    chunks.add(new SeqChunk(s.id, start, toks, emb, start + len == s.total(), s.exportsHidden(),
                            viewed, hiddenSink(s, start)));
                    members.add(s);
                }
                case DECODE -> {
                    if (s.handedKv != null && s.computed == 0 && s.generatedCount == 1) {
                        importHanded(s); // admitted by the decode deployment's batcher: the KV cache moves in now
                        if (stopTokens.contains(s.generated[0])) {
                            end(s, "stop", out); // the first token, from prefill, ended the answer
                            continue;
                        }
                    }
                    if (s.generatedCount == 0 || s.computed != s.total() - 1) {
                        throw new IllegalStateException(task + ": invocation " + s.id + ": the plan decodes but "
                                + s.computed + " of " + s.total() + " tokens are cached");
                    }
                    chunks.add(conditionsCodes()
                            ? new SeqChunk(s.id, s.computed, new int[] {LlmModel.EMBEDDING_INPUT},
                                    conditioned(s, s.computed, 1, null), true, s.exportsHidden(), null,
                                    hiddenSink(s, s.computed))
                            : new SeqChunk(s.id, s.computed, new int[] {s.token(s.computed)}, null, true,
                                    s.exportsHidden(), null, hiddenSink(s, s.computed)));
                    members.add(s);
                }
                case FILL -> fill(s, item, iteration, out);
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
     * A {@link ExecutorCommand.ItemKind#FILL} item: sequence {@code s}, which holds nothing yet, gets its whole
     * prompt's keys and values as seeded values (by its id, in [-1, 1)) without running the model, and its prompt's
     * last token as its first generated one (reported as a prefill's would be), so that it decodes next at a context
     * of its prompt's length. The profiler's decode points: what a decode iteration costs depends on the positions it
     * attends to, not on their values.
     *
     * @throws IllegalStateException when the sequence holds positions already, takes input rows or streamed states,
     *     runs prefill only, or the item is not its whole prompt from position 0
     */
    private void fill(Seq s, ExecutorCommand.StepItem item, long iteration, StepOutcome out) {
        int start = prefillStart(item, iteration);
        if (prefillOnly || conditionsCodes() || s.handedKv != null || s.embeddingRows > 0 || s.views != null
                || s.computed != 0 || start != 0 || item.tokens() != s.prompt.length) {
            throw new IllegalStateException(task + ": invocation " + s.id + ": a fill writes a whole text prompt of a"
                    + " fresh sequence (" + s.prompt.length + " tokens) that decodes next, not [" + start + ", "
                    + (start + item.tokens()) + ") with " + s.computed + " cached");
        }
        int len = s.prompt.length;
        float[] kv = new float[cache.transferFloats(len)];
        SplittableRandom rnd = new SplittableRandom(s.id);
        for (int i = 0; i < kv.length; i++) {
            kv[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        cache.importSequence(s.id, len, kv, 0);
        s.computed = len;
        int token = s.prompt[len - 1];
        s.add(token);
        out.emit(s.id, token);
        if (s.generatedCount >= s.maxTokens) {
            end(s, "length", out);
        }
    }

    /** A prefill item's first position; a multi-iteration step may only decode. */
    private int prefillStart(ExecutorCommand.StepItem item, long iteration) {
        if (iteration > 0) {
            throw new IllegalStateException(task + ": a multi-iteration step may only decode");
        }
        return Math.toIntExact(item.start());
    }

    /** Whether this runner takes its input states streamed in (a talker), so it may wait for them. */
    boolean takesStreamedStates() {
        return inputProjection != null;
    }

    /** How a talker at its cap waits for its last states (by default it does not: it runs on what it has). */
    void statesWait(StatesWait wait) {
        this.statesWait = wait;
    }

    /** A talker: each code it generates adds its thinker's state of that position (the last one past its end). */
    private boolean conditionsCodes() {
        return inputProjection != null;
    }

    /**
     * A planned item of a talker whose input streams in. The scheduler's view advances as planned (its positions,
     * and a code reported for each code it planned); the talker computes a position only once the state it reads is
     * the final one: position p once its thinker's row p came (a row that came is final), a position past the
     * thinker's rows once the last states came (it reads the last row, and they say how many codes the answer
     * needs). So it speaks as the thinker goes (the codes it samples early are fewer than the answer needs: four a
     * thinker token, one a row here; should the last states ask for fewer, the answer is the first of them, as a run
     * on the whole states would have sampled them), and its codes depend only on its thinker's states, never on how
     * they were chunked or when they arrived. A stop code sampled early ends it only when the last states come
     * ({@link Seq#stopAt}; the tiny talker has no stop codes, its answer's length comes from the last states). What
     * it could not compute yet it catches up in a later step (running the positions it owes one after another). When the scheduler ends it at its cap before the last states came (the talker
     * outran its thinker), it waits for them ({@link StatesWait}, bounded); only where they do not come in time (or
     * its thinker runs in the same process) it runs on the rows it has (the last one repeated), as it must answer.
     */
    private void planStreamedIn(Seq s, ExecutorCommand.StepItem item, long iteration, StepOutcome out,
            List<SeqChunk> chunks, List<Seq> members) {
        switch (item.kind()) {
            case PREFILL -> {
                int start = prefillStart(item, iteration);
                int len = Math.toIntExact(item.tokens());
                if (start == 0 && s.plannedPositions > 0) {
                    // a recompute after preemption: the codes so far are computed again as known tokens
                    cache.free(s.id);
                    s.computed = 0;
                    s.plannedPositions = 0;
                }
                int plannedTotal = s.prompt.length + s.plannedCodes;
                if (start != s.plannedPositions || len < 1 || start + len > plannedTotal) {
                    throw new IllegalStateException(task + ": invocation " + s.id + ": the plan prefills [" + start
                            + ", " + (start + len) + ") but " + s.plannedPositions + " of " + plannedTotal
                            + " positions are planned");
                }
                s.plannedPositions = start + len;
                if (s.plannedPositions == plannedTotal) {
                    plannedCode(s, out);
                }
            }
            case DECODE -> {
                if (s.plannedCodes == 0 || s.plannedPositions != s.prompt.length + s.plannedCodes - 1) {
                    throw new IllegalStateException(task + ": invocation " + s.id + ": the plan decodes but "
                            + s.plannedPositions + " of " + (s.prompt.length + s.plannedCodes) + " positions are"
                            + " planned");
                }
                s.plannedPositions++;
                plannedCode(s, out);
            }
            default -> throw new IllegalStateException(task + ": an LLM step cannot hold a " + item.kind() + " item");
        }
        catchUp(s, out, chunks, members);
    }

    /** A code the scheduler planned: reported now (its value, the computed code where there is one yet). */
    private static void plannedCode(Seq s, StepOutcome out) {
        int index = s.plannedCodes++;
        out.emit(s.id, index < s.generatedCount ? s.generated[index] : 0);
    }

    /**
     * Computes the positions of a streamed-in talker that are planned and whose states are final, one piece after
     * another (each piece whose logits give a code is needed by the next); the last piece joins the step's batch.
     */
    private void catchUp(Seq s, StepOutcome out, List<SeqChunk> chunks, List<Seq> members) {
        if (s.inputOpen && s.plannedCodes >= s.plannedCap) {
            // the scheduler ends it at its cap in this step: it waits for its last states, a bounded time
            statesWait.awaitLast(s.id);
            if (seqs.get(s.id) != s) {
                return; // its states failed it meanwhile
            }
        }
        boolean ready = !s.inputOpen || s.plannedCodes >= s.plannedCap;
        if (ready) {
            // codes sampled before the last states came: the answer is the first of them, up to its first stop code
            // or the count the last states ask for, as a run on the whole states would have sampled them
            int stops = s.stopAt >= 0 && s.stopAt < s.maxTokens ? s.stopAt + 1 : Integer.MAX_VALUE;
            int n = Math.min(s.maxTokens, stops);
            if (s.generatedCount >= n) {
                s.generatedCount = n;
                end(s, n == stops ? "stop" : "length", out);
                return;
            }
        }
        while (true) {
            // before the last states, a position whose thinker state has come is final (causal: position p reads
            // row p only), so it is computed now; the codes this samples early are fewer than the answer needs
            // (a position past the talker's prompt reads a thinker token's row; the answer needs four codes a token)
            int limit = ready ? s.plannedPositions : Math.min(s.plannedPositions, s.embeddingRows);
            int to = Math.min(limit, s.total());
            if (to <= s.computed) {
                return;
            }
            int start = s.computed;
            int len = to - start;
            boolean samples = to == s.total() && s.generatedCount < s.plannedCodes && s.stopAt < 0;
            int[] toks = new int[len];
            Arrays.fill(toks, LlmModel.EMBEDDING_INPUT);
            SeqChunk piece = new SeqChunk(s.id, start, toks, conditioned(s, start, len, null), samples, false, null,
                    null);
            if (!samples || s.generatedCount + 1 == s.plannedCodes) {
                chunks.add(piece);
                members.add(s);
                return;
            }
            finishChunk(s, piece, model.step(List.of(piece), cache).get(0), out);
            if (!seqs.containsKey(s.id)) {
                return; // it ended (a stop code, or the codes its answer needs)
            }
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
        keepHiddenRows(s, chunk, o);
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
        if (s.streamedIn && s.inputOpen && s.plannedCodes < s.plannedCap) {
            // sampled before its last states came (its thinker states so far are final): it ends only when they
            // come and say how many codes the answer needs (catchUp)
            if (s.stopAt < 0 && stopTokens.contains(token)) {
                s.stopAt = s.generatedCount - 1;
            }
            return;
        }
        if (!s.streamedIn) {
            out.emit(s.id, token); // a streamed-in talker reported its planned codes as they were planned
        }
        if (s.handsKv) {
            end(s, "prefill", out); // the first token: the decode invocation takes it from here
            return;
        }
        boolean ends = stopTokens.contains(token) || s.generatedCount >= s.maxTokens;
        if (!ends && s.streamOut > 0 && s.hiddenRows > s.streamedRows && s.generatedCount - s.tokensAtChunk
                >= s.streamOut) {
            // the first chunk in the step where the scheduler's batcher reports it ready, then every k tokens
            out.chunk(s.id, publishHidden(s));
            s.tokensAtChunk = s.generatedCount;
        }
        if (stopTokens.contains(token)) {
            end(s, "stop", out);
        } else if (s.generatedCount >= s.maxTokens) {
            end(s, "length", out);
        }
    }

    private void end(Seq s, String reason, StepOutcome out) {
        if (s.handsKv) {
            out.output(s.id, handOff(s));
            out.end(s.id, reason, s.generatedCount);
            endedNow.add(s.id);
            close(s.id); // its blocks are free once the keys and values are in the hand-off
            return;
        }
        if (s.exportsHidden() && !prefillOnly && s.computed == s.total() - 1) {
            // the last sampled token was never fed: one more forward gives its hidden state, so a talker sees
            // every position of the prompt and the answer
            SeqChunk last = new SeqChunk(s.id, s.computed, new int[] {s.token(s.computed)}, null, false, true, null,
                    hiddenSink(s, s.computed));
            ChunkOutput o = model.step(List.of(last), cache).get(0);
            keepHiddenRows(s, last, o);
            s.computed++;
        }
        if (s.consumers > 0) {
            // after streamed chunks, the rows not handed on yet
            TensorRef ref = s.keepHidden ? publishHidden(s)
                    : sidecar.putInts(Arrays.copyOf(s.generated, s.generatedCount), s.consumers);
            out.output(s.id, ref);
        }
        out.end(s.id, reason, s.generatedCount);
        endedNow.add(s.id);
        close(s.id);
    }

    /** The prefill's hand-off to its decode invocation ({@link KvHandOff}), timed. */
    private TensorRef handOff(Seq s) {
        long t0 = System.nanoTime();
        try {
            return KvHandOff.write(sidecar, cache, s.id, s.prompt.length, s.generated[0], s.promptHidden, s.consumers);
        } finally {
            lastExportNanos = System.nanoTime() - t0;
        }
    }

    /**
     * Where a chunk of {@code s} starting at {@code start} stores its hidden states: straight into the pending output
     * segment, at the chunk's row; null when the sequence hands none on, or the chunk starts at rows handed on already
     * (a recompute after preemption: its hidden states come back in an array and the rows not handed on are put).
     */
    private TensorSink hiddenSink(Seq s, int start) {
        if (!s.exportsHidden() || s.handsKv || start < s.streamedRows) {
            return null;
        }
        int h = model.config().hidden();
        return new TensorSink(pendingOut(s).floats(), (start - s.streamedRows) * h);
    }

    /** The segment the sequence's hidden rows from {@code streamedRows} on go into, for every row it may compute. */
    private WritableTensor pendingOut(Seq s) {
        if (s.out == null) {
            int maxRows = s.prompt.length + (prefillOnly ? 0 : s.maxTokens);
            s.out = sidecar.allocateFloats(Math.max(0, maxRows - s.streamedRows) * model.config().hidden(),
                    s.consumers);
        }
        return s.out;
    }

    /**
     * Notes the hidden rows a chunk computed: written in place already, or (a recompute reaching rows handed on) the
     * ones not handed on yet copied from the chunk's output into the pending segment.
     */
    private void keepHiddenRows(Seq s, SeqChunk chunk, ChunkOutput o) {
        if (!s.exportsHidden()) {
            return;
        }
        int h = model.config().hidden();
        int end = chunk.startPos() + chunk.length();
        if (s.handsKv) {
            System.arraycopy(o.hidden(), 0, s.promptHidden, chunk.startPos() * h, chunk.length() * h);
            return;
        }
        if (o.hidden() != null) {
            int from = Math.max(chunk.startPos(), s.streamedRows);
            if (end > from) {
                pendingOut(s).put((from - s.streamedRows) * h, o.hidden(), (from - chunk.startPos()) * h,
                        (end - from) * h);
            }
        }
        s.hiddenRows = Math.max(s.hiddenRows, end);
    }

    /** Publishes the hidden rows not handed on yet (a chunk, or the rest at the end) from the pending segment. */
    private TensorRef publishHidden(Seq s) {
        WritableTensor pending = pendingOut(s);
        TensorRef ref = pending.publish((s.hiddenRows - s.streamedRows) * model.config().hidden());
        pending.close();
        s.out = null;
        s.streamedRows = s.hiddenRows;
        return ref;
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
