package org.cornserve.runtime.engine.llm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.runtime.engine.generate.Sampler;
import org.cornserve.runtime.engine.generate.SamplingParams;

/**
 * Continuous batching over an {@link LlmModel}: each {@link #step} runs the decode token of every running
 * sequence plus prefill chunks of waiting ones up to a token budget. A sequence is admitted when the KV
 * cache has blocks for its next chunk; when decoding runs out of blocks the most recently admitted
 * sequence is preempted (its blocks freed, recomputed later from its tokens so far). Not thread-safe.
 */
public final class LlmEngine {
    /**
     * A generation request.
     *
     * @param id unique id
     * @param prompt prompt tokens, placeholders included
     * @param embeddings rows spliced at the prompt's placeholders (placeholders x hidden), or null
     * @param maxNewTokens tokens to generate at most
     * @param sampling sampling rule and seed
     * @param stopTokens tokens that end generation (included in the output)
     * @param keepHidden collect the final hidden state of every token fed to the model
     */
    public record Request(long id, int[] prompt, float[] embeddings, int maxNewTokens, SamplingParams sampling,
            Set<Integer> stopTokens, boolean keepHidden) {
        public Request {
            if (prompt.length == 0 || maxNewTokens < 1) {
                throw new IllegalArgumentException("request " + id + ": needs a prompt and maxNewTokens >= 1");
            }
            stopTokens = Set.copyOf(stopTokens);
        }
    }

    /** A finished sequence: generated tokens and, if asked, hidden states (tokens fed x hidden). */
    public record Finished(long id, int[] tokens, float[] hidden, String reason, int preemptions) {
    }

    /** A token produced in a step: the {@code index}-th generated token of sequence {@code id}. */
    public record Emitted(long id, int index, int token) {
    }

    /**
     * What one step did: tokens computed, sequences in the batch, tokens emitted (for streaming and
     * time to first token), sequences that finished, preemptions, and the wall time of the step.
     */
    public record StepReport(int prefillTokens, int decodeTokens, int sequences, List<Emitted> emitted,
            List<Finished> finished, int preempted, long nanos) {
    }

    private static final class Seq {
        final Request req;
        final int[] placeholderPrefix;
        final SplittableRandom rnd;
        final List<Integer> generated = new ArrayList<>();
        float[] hidden = new float[0];
        int hiddenRows;
        int computed;
        int preemptions;

        Seq(Request req, int[] placeholderPrefix) {
            this.req = req;
            this.placeholderPrefix = placeholderPrefix;
            this.rnd = new SplittableRandom(req.sampling().seed());
        }

        int totalTokens() {
            return req.prompt().length + generated.size();
        }

        int token(int pos) {
            return pos < req.prompt().length ? req.prompt()[pos] : generated.get(pos - req.prompt().length);
        }
    }

    private final LlmModel model;
    private final KvCache cache;
    private final int maxBatchTokens;
    private final Deque<Seq> waiting = new ArrayDeque<>();
    private final Map<Long, Seq> running = new LinkedHashMap<>();

    /** An engine over {@code model} and {@code cache} with at most {@code maxBatchTokens} tokens per step. */
    public LlmEngine(LlmModel model, KvCache cache, int maxBatchTokens) {
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("maxBatchTokens must be >= 1");
        }
        this.model = model;
        this.cache = cache;
        this.maxBatchTokens = maxBatchTokens;
    }

    /**
     * Queues a request.
     *
     * @throws RequestRefusedException when prompt + maxNewTokens exceeds the model's positions or the
     *     whole KV cache
     */
    public void submit(Request r) {
        LlmConfig c = model.config();
        int need = r.prompt().length + r.maxNewTokens();
        if (need > c.maxPositions()) {
            throw new RequestRefusedException("request " + r.id() + ": prompt " + r.prompt().length + " + max tokens "
                    + r.maxNewTokens() + " = " + need + " exceeds max positions " + c.maxPositions() + " of " + c.name());
        }
        if (cache.blocksFor(need) > cache.capacityBlocks()) {
            throw new RequestRefusedException("request " + r.id() + ": prompt " + r.prompt().length + " + max tokens "
                    + r.maxNewTokens() + " = " + need + " tokens needs " + cache.blocksFor(need) + " KV blocks of "
                    + cache.blockSize() + ", the cache has " + cache.capacityBlocks() + " ("
                    + cache.capacityTokens() + " tokens)");
        }
        int[] prefix = new int[r.prompt().length + 1];
        for (int i = 0; i < r.prompt().length; i++) {
            int t = r.prompt()[i];
            prefix[i + 1] = prefix[i] + (t == LlmModel.EMBEDDING_INPUT || model.placeholders().contains(t) ? 1 : 0);
        }
        int rows = r.embeddings() == null ? 0 : r.embeddings().length / c.hidden();
        if (rows != prefix[r.prompt().length] || (r.embeddings() != null && r.embeddings().length % c.hidden() != 0)) {
            throw new IllegalArgumentException("request " + r.id() + ": prompt has " + prefix[r.prompt().length]
                    + " placeholders but " + rows + " embedding rows of width " + c.hidden() + " were given");
        }
        if (running.containsKey(r.id()) || waiting.stream().anyMatch(s -> s.req.id() == r.id())) {
            throw new IllegalArgumentException("request id " + r.id() + " already in the engine");
        }
        waiting.addLast(new Seq(r, prefix));
    }

    /** True when no sequence is waiting or running. */
    public boolean idle() {
        return waiting.isEmpty() && running.isEmpty();
    }

    /** Sequences running (admitted) and waiting. */
    public int running() {
        return running.size();
    }

    /** Sequences waiting for admission. */
    public int waiting() {
        return waiting.size();
    }

    /** Runs one iteration. */
    public StepReport step() {
        long t0 = System.nanoTime();
        List<Seq> decodes = new ArrayList<>();
        int decodeBlocks = 0;
        for (Seq s : running.values()) {
            if (s.computed == s.totalTokens() - 1 && !s.generated.isEmpty()) {
                decodes.add(s);
                decodeBlocks += cache.blocksNeeded(s.req.id(), s.computed + 1);
            }
        }
        int preempted = 0;
        while (decodeBlocks > cache.freeBlocks() && !running.isEmpty()) {
            Seq victim = new ArrayList<>(running.values()).get(running.size() - 1);
            decodeBlocks -= decodes.remove(victim) ? cache.blocksNeeded(victim.req.id(), victim.computed + 1) : 0;
            preempt(victim);
            preempted++;
        }
        List<SeqChunk> chunks = new ArrayList<>();
        List<Seq> chunkSeqs = new ArrayList<>();
        int budget = maxBatchTokens;
        for (Seq s : decodes) {
            if (budget == 0) {
                break;
            }
            chunks.add(new SeqChunk(s.req.id(), s.computed, new int[] {s.token(s.computed)}, null, true,
                    s.req.keepHidden()));
            chunkSeqs.add(s);
            budget--;
        }
        int freeAfter = cache.freeBlocks() - decodeBlocks;
        int prefill = 0;
        List<Seq> candidates = new ArrayList<>();
        for (Seq s : running.values()) {
            if (s.computed < s.totalTokens() - 1 || s.generated.isEmpty() && s.computed < s.totalTokens()) {
                candidates.add(s);
            }
        }
        candidates.addAll(waiting);
        for (Seq s : candidates) {
            if (budget == 0) {
                break;
            }
            int remaining = s.totalTokens() - s.computed - (s.generated.isEmpty() ? 0 : 1);
            int len = Math.min(remaining, budget);
            int blocks = cache.blocksNeeded(s.req.id(), s.computed + len);
            if (blocks > freeAfter) {
                break;
            }
            freeAfter -= blocks;
            if (!running.containsKey(s.req.id())) {
                waiting.remove(s);
                running.put(s.req.id(), s);
            }
            int[] toks = new int[len];
            for (int i = 0; i < len; i++) {
                toks[i] = s.token(s.computed + i);
            }
            int from = Math.min(s.computed, s.req.prompt().length);
            int to = Math.min(s.computed + len, s.req.prompt().length);
            int h = model.config().hidden();
            float[] emb = s.placeholderPrefix[to] > s.placeholderPrefix[from]
                    ? Arrays.copyOfRange(s.req.embeddings(), s.placeholderPrefix[from] * h, s.placeholderPrefix[to] * h)
                    : null;
            boolean last = s.generated.isEmpty() && s.computed + len == s.totalTokens();
            chunks.add(new SeqChunk(s.req.id(), s.computed, toks, emb, last, s.req.keepHidden()));
            chunkSeqs.add(s);
            budget -= len;
            prefill += len;
        }
        List<Finished> finished = new ArrayList<>();
        List<Emitted> emitted = new ArrayList<>();
        if (!chunks.isEmpty()) {
            List<ChunkOutput> outs = model.step(chunks, cache);
            for (int i = 0; i < chunks.size(); i++) {
                finishChunk(chunkSeqs.get(i), chunks.get(i), outs.get(i), emitted, finished);
            }
        }
        return new StepReport(prefill, decodes.size(), chunks.size(), emitted, finished, preempted,
                System.nanoTime() - t0);
    }

    private void finishChunk(Seq s, SeqChunk chunk, ChunkOutput out, List<Emitted> emitted, List<Finished> finished) {
        s.computed += chunk.length();
        if (out.hidden() != null) {
            int h = model.config().hidden();
            int keep = s.hiddenRows;
            int newRows = Math.max(keep, chunk.startPos() + chunk.length());
            if (newRows * h > s.hidden.length) {
                s.hidden = Arrays.copyOf(s.hidden, Math.max(newRows * h, s.hidden.length * 2));
            }
            System.arraycopy(out.hidden(), 0, s.hidden, chunk.startPos() * h, chunk.length() * h);
            s.hiddenRows = newRows;
        }
        if (out.logits() == null) {
            return;
        }
        float[] logits = out.logits();
        for (int p : model.placeholders()) {
            if (p < logits.length) {
                logits[p] = Float.NEGATIVE_INFINITY;
            }
        }
        int token = Sampler.sample(logits, s.req.sampling(), s.rnd);
        s.generated.add(token);
        emitted.add(new Emitted(s.req.id(), s.generated.size() - 1, token));
        String reason = null;
        if (s.req.stopTokens().contains(token)) {
            reason = "stop";
        } else if (s.generated.size() >= s.req.maxNewTokens()) {
            reason = "length";
        }
        if (reason != null) {
            cache.free(s.req.id());
            running.remove(s.req.id());
            int[] toks = s.generated.stream().mapToInt(Integer::intValue).toArray();
            float[] hidden = s.req.keepHidden()
                    ? Arrays.copyOf(s.hidden, s.hiddenRows * model.config().hidden()) : null;
            finished.add(new Finished(s.req.id(), toks, hidden, reason, s.preemptions));
        }
    }

    private void preempt(Seq s) {
        cache.free(s.req.id());
        running.remove(s.req.id());
        s.computed = 0;
        s.preemptions++;
        waiting.addFirst(s);
    }

    /**
     * Drops a waiting or running sequence (its client went away) and frees its KV blocks.
     *
     * @return false when no such sequence is in the engine (it finished, or was never submitted)
     */
    public boolean abort(long id) {
        if (running.remove(id) != null) {
            cache.free(id);
            return true;
        }
        return waiting.removeIf(s -> s.req.id() == id);
    }

    /** KV blocks free now (for a gauge of the cache, and tests that cancellation frees them). */
    public int freeKvBlocks() {
        return cache.freeBlocks();
    }

    /** Steps until every queued request has finished; returns them in finishing order. */
    public List<Finished> runToCompletion() {
        List<Finished> all = new ArrayList<>();
        while (!idle()) {
            StepReport r = step();
            if (r.sequences() == 0) {
                throw new IllegalStateException("no progress: " + waiting.size() + " waiting sequences cannot get KV blocks");
            }
            all.addAll(r.finished());
        }
        return all;
    }
}
