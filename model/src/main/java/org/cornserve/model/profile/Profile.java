package org.cornserve.model.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Performance profile of one unit task on one hardware type at one tensor-parallel degree: latency
 * points on a grid, saved and loaded as JSON. What the points mean depends on {@link #kind}:
 * <ul>
 *   <li>{@code llm}: {@link #decode} points (decode batch size x mean context per sequence -> iteration
 *       latency) and {@link #prefill} points (prefill tokens of one iteration -> latency), both including the
 *       engine's per-iteration CPU overhead {@link #cpuOverheadMs}; a task that never decodes (a text encoder run
 *       for prefill only) may have no decode points, and a decode query then gets the roofline estimate;</li>
 *   <li>{@code batch} (encoders, vocoders, VAE decoders) and {@code diffusion} (one denoising step):
 *       {@link #batch} points (items x tokens per item -> latency).</li>
 * </ul>
 * Grids are rectangular (every combination of the axis values is present) so that they interpolate.
 *
 * @param task unit-task id, e.g. {@code llama-3.1-8b/llm}
 * @param hardware hardware name
 * @param tensorParallel tensor-parallel degree (devices per replica)
 * @param source measured, estimated or imported
 * @param note where the numbers come from (a citation for imported profiles)
 * @param kind llm, batch or diffusion
 * @param kvBytesPerToken KV-cache bytes per token per replica (llm only)
 * @param cpuOverheadMs engine CPU overhead per iteration (or per step), already included in the latencies
 * @param decode decode grid (llm only; empty for a prefill-only task)
 * @param prefill prefill points (llm only)
 * @param batch batch grid (batch and diffusion)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Profile(
        @JsonProperty(value = "task", required = true) String task,
        @JsonProperty(value = "hardware", required = true) String hardware,
        @JsonProperty(value = "tensor_parallel", required = true) int tensorParallel,
        @JsonProperty(value = "source", required = true) ProfileSource source,
        @JsonProperty("note") String note,
        @JsonProperty(value = "kind", required = true) Kind kind,
        @JsonProperty("kv_bytes_per_token") long kvBytesPerToken,
        @JsonProperty("cpu_overhead_ms") double cpuOverheadMs,
        @JsonProperty("decode") List<DecodePoint> decode,
        @JsonProperty("prefill") List<PrefillPoint> prefill,
        @JsonProperty("batch") List<BatchPoint> batch) {

    /** What a profile's points measure. */
    public enum Kind {
        @JsonProperty("llm") LLM,
        @JsonProperty("batch") BATCH,
        @JsonProperty("diffusion") DIFFUSION
    }

    /** One decode iteration: {@code batch} sequences with {@code contextTokens} cached tokens each. */
    public record DecodePoint(
            @JsonProperty(value = "batch", required = true) int batch,
            @JsonProperty(value = "context_tokens", required = true) long contextTokens,
            @JsonProperty(value = "latency_ms", required = true) double latencyMs) {
        public DecodePoint {
            if (batch < 1 || contextTokens < 0 || !(latencyMs > 0)) {
                throw new IllegalArgumentException("decode point needs batch >= 1, context_tokens >= 0, latency_ms > 0; got "
                        + batch + ", " + contextTokens + ", " + latencyMs);
            }
        }
    }

    /** One prefill-only iteration of {@code tokens} prompt tokens with no earlier context. */
    public record PrefillPoint(
            @JsonProperty(value = "tokens", required = true) long tokens,
            @JsonProperty(value = "latency_ms", required = true) double latencyMs) {
        public PrefillPoint {
            if (tokens < 1 || !(latencyMs > 0)) {
                throw new IllegalArgumentException("prefill point needs tokens >= 1 and latency_ms > 0; got "
                        + tokens + ", " + latencyMs);
            }
        }
    }

    /** One batch of {@code items} items with {@code tokensPerItem} tokens each. */
    public record BatchPoint(
            @JsonProperty(value = "items", required = true) int items,
            @JsonProperty(value = "tokens_per_item", required = true) long tokensPerItem,
            @JsonProperty(value = "latency_ms", required = true) double latencyMs) {
        public BatchPoint {
            if (items < 1 || tokensPerItem < 1 || !(latencyMs > 0)) {
                throw new IllegalArgumentException("batch point needs items >= 1, tokens_per_item >= 1, latency_ms > 0; got "
                        + items + ", " + tokensPerItem + ", " + latencyMs);
            }
        }
    }

    /**
     * This LLM profile's compute alone: each decode and prefill latency less {@link #cpuOverheadMs} (the per-iteration
     * overhead the points include), at least 1 ns; other kinds, and a profile without overhead, unchanged. For a
     * simulation that charges a served runtime's per-step round trip apart (which holds what a measuring profiler
     * counted as overhead: the command, the report and the executor's loop around the compute).
     */
    public Profile computeOnly() {
        if (kind != Kind.LLM || !(cpuOverheadMs > 0)) {
            return this;
        }
        double o = cpuOverheadMs;
        return new Profile(task, hardware, tensorParallel, source, (note == null || note.isEmpty() ? "" : note + "; ")
                + String.format(java.util.Locale.ROOT, "compute only: latencies less the %.4f ms overhead per"
                        + " iteration", o), kind, kvBytesPerToken, 0,
                decode == null ? null : decode.stream().map(d -> new DecodePoint(d.batch(), d.contextTokens(),
                        Math.max(1e-6, d.latencyMs() - o))).toList(),
                prefill == null ? null : prefill.stream().map(q -> new PrefillPoint(q.tokens(),
                        Math.max(1e-6, q.latencyMs() - o))).toList(),
                batch);
    }

    /**
     * This LLM profile with every prefill latency times {@code prefillScale} and every decode latency times
     * {@code decodeScale}; other kinds unchanged. For a simulation charged at the speed a served engine ran just before
     * the replay it is judged on ({@code simulate --prefill-compute-scale}, {@code --decode-compute-scale}).
     */
    public Profile withComputeScale(double prefillScale, double decodeScale) {
        if (!(prefillScale > 0) || Double.isInfinite(prefillScale)) {
            throw new IllegalArgumentException("profile " + task + ": a compute scale must be positive and finite,"
                    + " got " + prefillScale);
        }
        return withComputeScale(t -> prefillScale, decodeScale, String.format(java.util.Locale.ROOT, "x %.4f",
                prefillScale));
    }

    /**
     * As above, each prefill point's latency times {@code prefillScaleAt} of its tokens (a {@link PrefillScaleCurve}:
     * the served engine's speed measured at a few prompt lengths).
     */
    public Profile withComputeScale(java.util.function.LongToDoubleFunction prefillScaleAt, double decodeScale) {
        return withComputeScale(prefillScaleAt, decodeScale, "x " + prefillScaleAt);
    }

    private Profile withComputeScale(java.util.function.LongToDoubleFunction prefillScaleAt, double decodeScale,
            String prefillNote) {
        if (!(decodeScale > 0) || Double.isInfinite(decodeScale)) {
            throw new IllegalArgumentException("profile " + task + ": a compute scale must be positive and finite,"
                    + " got " + decodeScale);
        }
        return withComputeScale(prefillScaleAt, prefillNote, b -> decodeScale, String.format(java.util.Locale.ROOT,
                "x %.4f", decodeScale));
    }

    /**
     * As above, each decode point's latency times {@code decodeScaleAt} of its batch (the served engine's decode speed
     * by the number of sequences in a step, {@code simulate --decode-compute-scale-at}).
     */
    public Profile withComputeScale(java.util.function.LongToDoubleFunction prefillScaleAt,
            java.util.function.LongToDoubleFunction decodeScaleAt) {
        return withComputeScale(prefillScaleAt, "x " + prefillScaleAt, decodeScaleAt, "x " + decodeScaleAt);
    }

    private Profile withComputeScale(java.util.function.LongToDoubleFunction prefillScaleAt, String prefillNote,
            java.util.function.LongToDoubleFunction decodeScaleAt, String decodeNote) {
        if (kind != Kind.LLM) {
            return this;
        }
        List<PrefillPoint> scaled = new java.util.ArrayList<>();
        boolean same = true;
        List<DecodePoint> decodes = null;
        if (decode != null) {
            decodes = new java.util.ArrayList<>();
            for (DecodePoint d : decode) {
                double scale = decodeScaleAt.applyAsDouble(d.batch());
                if (!(scale > 0) || Double.isInfinite(scale)) {
                    throw new IllegalArgumentException("profile " + task + ": a compute scale must be positive and"
                            + " finite, got " + scale + " at a decode batch of " + d.batch());
                }
                same &= scale == 1;
                decodes.add(new DecodePoint(d.batch(), d.contextTokens(), d.latencyMs() * scale));
            }
        }
        for (PrefillPoint q : prefill) {
            double scale = prefillScaleAt.applyAsDouble(q.tokens());
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("profile " + task + ": a compute scale must be positive and finite,"
                        + " got " + scale + " at " + q.tokens() + " prefill tokens");
            }
            same &= scale == 1;
            scaled.add(new PrefillPoint(q.tokens(), q.latencyMs() * scale));
        }
        if (same) {
            return this;
        }
        return new Profile(task, hardware, tensorParallel, source, (note == null || note.isEmpty() ? "" : note + "; ")
                + "prefill latencies " + prefillNote + ", decode " + decodeNote, kind, kvBytesPerToken, cpuOverheadMs,
                decodes, scaled, batch);
    }

    public Profile {
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("profile: missing field 'task'");
        }
        if (hardware == null || hardware.isBlank()) {
            throw new IllegalArgumentException("profile " + task + ": missing field 'hardware'");
        }
        if (tensorParallel < 1) {
            throw new IllegalArgumentException("profile " + task + ": tensor_parallel must be >= 1, got " + tensorParallel);
        }
        if (source == null || kind == null) {
            throw new IllegalArgumentException("profile " + task + ": fields 'source' and 'kind' are required");
        }
        note = note == null ? "" : note;
        decode = decode == null ? List.of() : List.copyOf(decode);
        prefill = prefill == null ? List.of() : List.copyOf(prefill);
        batch = batch == null ? List.of() : List.copyOf(batch);
        if (kind == Kind.LLM) {
            if (prefill.isEmpty()) {
                throw new IllegalArgumentException("profile " + task + ": an llm profile needs 'prefill' points (and"
                        + " 'decode' points unless its task never decodes)");
            }
            if (kvBytesPerToken < 1) {
                throw new IllegalArgumentException("profile " + task + ": an llm profile needs kv_bytes_per_token >= 1");
            }
            if (!(cpuOverheadMs >= 0)) {
                throw new IllegalArgumentException("profile " + task + ": cpu_overhead_ms must be >= 0");
            }
            if (!decode.isEmpty()) {
                Grids.checkRectangular(task + " decode", decode.stream().map(p -> new long[] {p.batch(), p.contextTokens()}).toList());
            }
        } else {
            if (batch.isEmpty()) {
                throw new IllegalArgumentException("profile " + task + ": a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                        + " profile needs 'batch' points");
            }
            Grids.checkRectangular(task + " batch", batch.stream().map(p -> new long[] {p.items(), p.tokensPerItem()}).toList());
        }
    }
}
