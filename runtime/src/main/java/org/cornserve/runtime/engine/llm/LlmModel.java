package org.cornserve.runtime.engine.llm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.cornserve.runtime.engine.kernel.Gemm;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Linear;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.kernel.PackedMatrix;
import org.cornserve.runtime.engine.kernel.Rope;
import org.cornserve.runtime.engine.weights.WeightSource;
import org.cornserve.runtime.engine.weights.WeightSource.Init;

/**
 * A decoder-only transformer (Llama / Qwen2 layout) whose {@link #step} runs one iteration of continuous
 * batching: prefill chunks and decode tokens of many sequences in one pass. All rows go through the
 * same matrix multiplies; attention reads each sequence's own paged KV cache. Every kernel reduces in
 * an order fixed per row, so a sequence's results do not depend on what else is in the batch.
 *
 * <p>Weights use Hugging Face names under a prefix ({@code model.embed_tokens.weight},
 * {@code model.layers.N.self_attn.q_proj.weight}, ..., {@code lm_head.weight}).
 */
public final class LlmModel {
    /** Token id meaning "take the next row of the chunk's embeddings". */
    public static final int EMBEDDING_INPUT = -1;

    private final LlmConfig config;
    private final Kernels kernels;
    private final Set<Integer> placeholders;
    private final float[] embedTokens;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final Linear lmHead;
    private final Rope rope;
    private final boolean bf16Weights;

    private record Layer(float[] inputNorm, Linear qkv, Linear o, float[] postNorm, Linear gateUp, Linear down) {
    }

    /**
     * Loads the model from {@code src} with names under {@code prefix} (usually ""). Tokens in
     * {@code placeholders} take spliced embedding rows.
     */
    public LlmModel(LlmConfig config, WeightSource src, String prefix, Kernels kernels, Set<Integer> placeholders) {
        this(config, src, prefix, kernels, placeholders, false);
    }

    /**
     * As above; with {@code bf16Weights} the matrices of every linear layer and the output head are
     * stored as bfloat16 (half the weight memory and traffic, float32 arithmetic).
     */
    public LlmModel(LlmConfig config, WeightSource src, String prefix, Kernels kernels, Set<Integer> placeholders,
            boolean bf16Weights) {
        this.config = config;
        this.kernels = kernels;
        this.placeholders = Set.copyOf(placeholders);
        int h = config.hidden();
        Gemm gemm = kernels.gemm();
        this.embedTokens = src.get(prefix + "model.embed_tokens.weight", Init.SMALL, config.vocab(), h);
        this.layers = new Layer[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            String p = prefix + "model.layers." + l + ".";
            float[] q = src.get(p + "self_attn.q_proj.weight", Init.FAN_IN, config.qDim(), h);
            float[] k = src.get(p + "self_attn.k_proj.weight", Init.FAN_IN, config.kvDim(), h);
            float[] v = src.get(p + "self_attn.v_proj.weight", Init.FAN_IN, config.kvDim(), h);
            float[] qkvBias = null;
            if (config.attentionBias()) {
                qkvBias = concat(src.get(p + "self_attn.q_proj.bias", Init.ZEROS, config.qDim()),
                        src.get(p + "self_attn.k_proj.bias", Init.ZEROS, config.kvDim()),
                        src.get(p + "self_attn.v_proj.bias", Init.ZEROS, config.kvDim()));
            }
            float[] gate = src.get(p + "mlp.gate_proj.weight", Init.FAN_IN, config.intermediate(), h);
            float[] up = src.get(p + "mlp.up_proj.weight", Init.FAN_IN, config.intermediate(), h);
            Layer layer = new Layer(
                    src.get(p + "input_layernorm.weight", Init.ONES, h),
                    new Linear(gemm.packTransposed(concat(q, k, v), 0, config.qDim() + 2 * config.kvDim(), h), qkvBias),
                    Linear.load(gemm, src, p + "self_attn.o_proj", h, config.qDim(), false),
                    src.get(p + "post_attention_layernorm.weight", Init.ONES, h),
                    new Linear(gemm.packTransposed(concat(gate, up), 0, 2 * config.intermediate(), h), null),
                    Linear.load(gemm, src, p + "mlp.down_proj", h, config.intermediate(), false));
            layers[l] = bf16Weights ? new Layer(layer.inputNorm(), layer.qkv().toBf16(), layer.o().toBf16(),
                    layer.postNorm(), layer.gateUp().toBf16(), layer.down().toBf16()) : layer;
        }
        this.finalNorm = src.get(prefix + "model.norm.weight", Init.ONES, h);
        PackedMatrix head = config.tiedEmbeddings()
                ? gemm.packTransposed(embedTokens, 0, config.vocab(), h)
                : gemm.packTransposed(src.get(prefix + "lm_head.weight", Init.FAN_IN, config.vocab(), h), 0,
                        config.vocab(), h);
        this.lmHead = new Linear(bf16Weights ? head.toBf16() : head, null);
        this.bf16Weights = bf16Weights;
        this.rope = new Rope(config.headDim(), config.maxPositions(), config.ropeTheta());
    }

    /** The model's dimensions. */
    public LlmConfig config() {
        return config;
    }

    /** True when linear-layer weights are stored as bfloat16. */
    public boolean bf16Weights() {
        return bf16Weights;
    }

    /** Bytes of packed weights held (embedding table included). */
    public long weightBytes() {
        long b = 4L * embedTokens.length + lmHead.weight().bytes() + 4L * finalNorm.length;
        for (Layer l : layers) {
            b += l.qkv().weight().bytes() + l.o().weight().bytes() + l.gateUp().weight().bytes()
                    + l.down().weight().bytes() + 8L * l.inputNorm().length;
        }
        return b;
    }

    /** The kernels it runs on. */
    public Kernels kernels() {
        return kernels;
    }

    /** Token ids that take spliced embeddings. */
    public Set<Integer> placeholders() {
        return placeholders;
    }

    /** Copies the input embedding of {@code token} into out[off..]. */
    public void embed(int token, float[] out, int off) {
        if (token < 0 || token >= config.vocab()) {
            throw new IllegalArgumentException(config.name() + ": token id " + token + " outside vocab " + config.vocab());
        }
        System.arraycopy(embedTokens, token * config.hidden(), out, off, config.hidden());
    }

    /**
     * Runs one iteration over {@code chunks} (at most one chunk per sequence), appending their keys and
     * values to {@code cache}.
     *
     * @throws KvCacheFullException before any computation when the cache cannot hold the new tokens
     */
    public List<ChunkOutput> step(List<SeqChunk> chunks, KvCache cache) {
        int h = config.hidden();
        int rows = 0;
        int needBlocks = 0;
        java.util.HashSet<Long> seen = new java.util.HashSet<>();
        for (SeqChunk c : chunks) {
            if (!seen.add(c.seqId())) {
                throw new IllegalArgumentException("sequence " + c.seqId() + " appears twice in one step");
            }
            if (c.startPos() != cache.length(c.seqId())) {
                throw new IllegalArgumentException("sequence " + c.seqId() + ": chunk starts at " + c.startPos()
                        + " but the cache holds " + cache.length(c.seqId()) + " tokens");
            }
            if (c.startPos() + c.length() > config.maxPositions()) {
                throw new IllegalArgumentException("sequence " + c.seqId() + ": position " + (c.startPos() + c.length())
                        + " beyond max positions " + config.maxPositions());
            }
            needBlocks += cache.blocksNeeded(c.seqId(), c.startPos() + c.length());
            rows += c.length();
        }
        if (needBlocks > cache.freeBlocks()) {
            throw new KvCacheFullException(needBlocks, cache.freeBlocks(), cache.blockSize());
        }
        for (SeqChunk c : chunks) {
            cache.reserve(c.seqId(), c.startPos() + c.length());
        }
        float[] x = new float[rows * h];
        long[] rowSeq = new long[rows];
        int[] rowPos = new int[rows];
        int r = 0;
        for (SeqChunk c : chunks) {
            int used = 0;
            for (int i = 0; i < c.length(); i++, r++) {
                int t = c.tokens()[i];
                rowSeq[r] = c.seqId();
                rowPos[r] = c.startPos() + i;
                if (t == EMBEDDING_INPUT || placeholders.contains(t)) {
                    int given = c.inputRows() != null ? c.inputRows().floats()
                            : c.embeddings() != null ? c.embeddings().length : 0;
                    if ((used + 1) * h > given) {
                        throw new IllegalArgumentException("sequence " + c.seqId() + ": placeholder at position "
                                + rowPos[r] + " has no embedding row (" + given / h + " rows given)");
                    }
                    if (c.inputRows() != null) {
                        c.inputRows().copyTo(used * h, x, r * h, h); // read where it lies: no array in between
                    } else {
                        System.arraycopy(c.embeddings(), used * h, x, r * h, h);
                    }
                    used++;
                } else {
                    embed(t, x, r * h);
                }
            }
        }
        forwardLayers(x, rows, rowSeq, rowPos, cache);
        Ops.rmsNorm(x, 0, x, 0, rows, h, finalNorm, config.rmsEps());
        return outputs(chunks, x);
    }

    private List<ChunkOutput> outputs(List<SeqChunk> chunks, float[] x) {
        int h = config.hidden();
        int logitRows = 0;
        for (SeqChunk c : chunks) {
            logitRows += c.wantLogits() ? 1 : 0;
        }
        float[] last = new float[logitRows * h];
        int r = 0;
        int li = 0;
        for (SeqChunk c : chunks) {
            r += c.length();
            if (c.wantLogits()) {
                System.arraycopy(x, (r - 1) * h, last, li++ * h, h);
            }
        }
        float[] logits = lmHead.apply(kernels.gemm(), last, logitRows);
        List<ChunkOutput> out = new ArrayList<>(chunks.size());
        r = 0;
        li = 0;
        int v = config.vocab();
        for (SeqChunk c : chunks) {
            float[] lg = c.wantLogits() ? java.util.Arrays.copyOfRange(logits, li * v, ++li * v) : null;
            float[] hid = null;
            if (c.hiddenOut() != null) {
                // stored where the consumer reads them (the producer's segment): one copy out of the activations
                c.hiddenOut().floats().put(c.hiddenOut().offset(), x, r * h, c.length() * h);
            } else if (c.wantHidden()) {
                hid = java.util.Arrays.copyOfRange(x, r * h, (r + c.length()) * h);
            }
            out.add(new ChunkOutput(c.seqId(), lg, hid));
            r += c.length();
        }
        return out;
    }

    private void forwardLayers(float[] x, int rows, long[] rowSeq, int[] rowPos, KvCache cache) {
        int h = config.hidden();
        int qd = config.qDim();
        int kvd = config.kvDim();
        int qkvW = qd + 2 * kvd;
        Gemm gemm = kernels.gemm();
        float[] xn = new float[rows * h];
        float[] qkv = new float[rows * qkvW];
        float[] attn = new float[rows * qd];
        float[] proj = new float[rows * h];
        float[] gu = new float[rows * 2 * config.intermediate()];
        float[] mlp = new float[rows * config.intermediate()];
        int[] slot = new int[rows];
        for (int i = 0; i < rows; i++) {
            slot[i] = cache.slot(rowSeq[i], rowPos[i]);
        }
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            Ops.rmsNorm(x, 0, xn, 0, rows, h, layer.inputNorm(), config.rmsEps());
            layer.qkv().apply(gemm, xn, 0, rows, qkv, 0);
            float[] keys = cache.keys(l);
            float[] values = cache.values(l);
            for (int i = 0; i < rows; i++) {
                int b = i * qkvW;
                rope.apply(qkv, b, config.heads(), rowPos[i]);
                rope.apply(qkv, b + qd, config.kvHeads(), rowPos[i]);
                System.arraycopy(qkv, b + qd, keys, slot[i], kvd);
                System.arraycopy(qkv, b + qd + kvd, values, slot[i], kvd);
            }
            Attention.paged(kernels, config, qkv, qkvW, rows, rowSeq, rowPos, cache, keys, values, attn);
            layer.o().apply(gemm, attn, 0, rows, proj, 0);
            Ops.addInPlace(x, 0, proj, 0, rows * h);
            Ops.rmsNorm(x, 0, xn, 0, rows, h, layer.postNorm(), config.rmsEps());
            layer.gateUp().apply(gemm, xn, 0, rows, gu, 0);
            int inter = config.intermediate();
            for (int i = 0; i < rows; i++) {
                kernels.vec().siluMul(gu, i * 2 * inter, gu, i * 2 * inter + inter, inter);
                System.arraycopy(gu, i * 2 * inter, mlp, i * inter, inter);
            }
            layer.down().apply(gemm, mlp, 0, rows, proj, 0);
            Ops.addInPlace(x, 0, proj, 0, rows * h);
        }
    }

    static float[] concat(float[]... parts) {
        return Ops.concat(Arrays.asList(parts));
    }
}
