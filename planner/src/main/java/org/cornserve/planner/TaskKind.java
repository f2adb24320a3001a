package org.cornserve.planner;

/**
 * How the planner costs and batches a unit task. A whole {@link #LLM} may be split into a {@link #PREFILL}
 * task and a {@link #DECODE} task; every other kind is deployed as it is.
 */
public enum TaskKind {
    /** Modality encoder: batches of items (images, clips), one pass each. */
    ENCODER,
    /** Autoregressive LLM, prefill and decode in one continuous-batching engine. */
    LLM,
    /** Prompt prefill of a split LLM; hands its KV cache to the decode task. */
    PREFILL,
    /** Token decoding of a split LLM. */
    DECODE,
    /** Autoregressive speech-code generator (a talker): prefills the LLM's output, then decodes codes. */
    TALKER,
    /** An LLM run for prefill only (a text encoder of an image generator). */
    TEXT_ENCODER,
    /** Diffusion transformer: jobs stepped together, one denoising step per engine cycle. */
    GENERATOR,
    /** Single-pass decoder of codes or latents (vocoder, VAE decoder): batches of items. */
    OUTPUT_DECODER;

    /** True for kinds costed by an {@link org.cornserve.model.profile.LlmCost}. */
    public boolean autoregressive() {
        return this == LLM || this == PREFILL || this == DECODE || this == TALKER || this == TEXT_ENCODER;
    }

    /** True for kinds costed by a {@link org.cornserve.model.profile.BatchCost}. */
    public boolean batched() {
        return this == ENCODER || this == OUTPUT_DECODER;
    }
}
