package org.cornserve.planner.schedule.batch;

import java.util.Locale;

/** What an LLM batcher does when the KV cache cannot hold the next token of every running sequence. */
public enum Preemption {
    /**
     * Reserve prompt plus all output tokens when a sequence is admitted, so running sequences never run out
     * of cache and nothing is preempted; new sequences wait until a reservation fits.
     */
    NONE,
    /**
     * As vLLM: allocate the prompt at admission and one slot per generated token; when the cache is full,
     * preempt the most recently admitted running sequence, free its cache and later recompute its prompt and
     * generated tokens as a new prefill.
     */
    RECOMPUTE,
    /**
     * As vLLM's swap mode: like {@link #RECOMPUTE}, but a preempted decoding sequence's cache is copied to host
     * memory and back, so on readmission it resumes decoding without recomputing; the step that swaps out or in
     * is charged the copy of those KV bytes over the host link (see {@link Step.LlmStep#swapTokens()}). A
     * prefilling sequence is still recomputed.
     */
    SWAP;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code none}, {@code recompute} or {@code swap}. */
    public static Preemption parse(String name) {
        for (Preemption p : values()) {
            if (p.name().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preemption '" + name + "'; known: none, recompute, swap");
    }
}
