package org.cornserve.runtime.executor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.cornserve.runtime.engine.generate.Sampler;
import org.cornserve.runtime.engine.generate.SamplingParams;
import org.cornserve.runtime.engine.llm.ChunkOutput;
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

    private static final class Seq {
        final long id;
        final int[] prompt;
        final float[] embeddings;
        final int[] placeholderPrefix;
        final int maxTokens;
        final SamplingParams sampling;
        final SplittableRandom rnd;
        final boolean keepHidden;
        final int consumers;
        int[] generated = new int[16];
        int generatedCount;
        int computed;
        float[] hidden = new float[0];
        int hiddenRows;

        Seq(long id, int[] prompt, float[] embeddings, int[] placeholderPrefix, int maxTokens, SamplingParams sampling,
                boolean keepHidden, int consumers) {
            this.id = id;
            this.prompt = prompt;
            this.embeddings = embeddings;
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
        try {
            if (!open.inputs().isEmpty()) {
                emb = sidecar.readFloats(open.inputs()); // each input copied once, straight into place
            }
        } finally {
            for (TensorRef ref : open.inputs()) {
                sidecar.release(ref);
            }
        }
        if (emb != null && inputProjection != null) {
            if (open.dims().length == 1) {
                emb = padRows(emb, open.dims()[0]);
            }
            emb = inputProjection.apply(emb);
        }
        int h = model.config().hidden();
        int[] prompt = open.tokens();
        if (prompt.length == 0 && emb != null) {
            prompt = new int[emb.length / h];
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
        int rows = emb == null ? 0 : emb.length / h;
        if (rows != prefix[prompt.length] || (emb != null && emb.length % h != 0)) {
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
        seqs.put(open.invocation(), new Seq(open.invocation(), prompt, emb, prefix, open.maxTokens(), sampling,
                open.keepHidden() || prefillOnly, open.outputConsumers()));
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
        if (seqs.remove(invocation) != null) {
            cache.free(invocation);
        }
    }

    @Override
    public void step(ExecutorCommand.RunStep step, StepOutcome out, BooleanSupplier cut) {
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
                if (iteration > 0) {
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
                    float[] emb = s.placeholderPrefix[to] > s.placeholderPrefix[from]
                            ? Arrays.copyOfRange(s.embeddings, s.placeholderPrefix[from] * h, s.placeholderPrefix[to] * h)
                            : null;
                    chunks.add(new SeqChunk(s.id, start, toks, emb, start + len == s.total(), s.keepHidden));
                    members.add(s);
                }
                case DECODE -> {
                    if (s.generatedCount == 0 || s.computed != s.total() - 1) {
                        throw new IllegalStateException(task + ": invocation " + s.id + ": the plan decodes but "
                                + s.computed + " of " + s.total() + " tokens are cached");
                    }
                    chunks.add(new SeqChunk(s.id, s.computed, new int[] {s.token(s.computed)}, null, true,
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
            TensorRef ref = s.keepHidden
                    ? sidecar.putFloats(s.hidden, 0, s.hiddenRows * model.config().hidden(), s.consumers)
                    : sidecar.putInts(Arrays.copyOf(s.generated, s.generatedCount), s.consumers);
            out.output(s.id, ref);
        }
        out.end(s.id, reason, s.generatedCount);
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
        Seq s = new Seq(id, prompt, emb, prefix, 3, SamplingParams.greedy(), prefillOnly, 0);
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
