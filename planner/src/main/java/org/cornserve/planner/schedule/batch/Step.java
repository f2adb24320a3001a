package org.cornserve.planner.schedule.batch;

/**
 * One unit of engine work a replica performs next, as the batcher formed it. The engine (simulated or
 * real) times it; when it ends the batcher is told how many iterations were performed.
 */
public sealed interface Step permits Step.BatchStep, Step.LlmStep, Step.DiffusionStep {

    /** Index of the task (within its deployment) this step belongs to. */
    int task();

    /** Iterations planned (an upper bound for multi-iteration runs, which the engine may cut short). */
    long iterations();

    /** One forward pass of a single-pass task over {@code items} items and {@code tokens} tokens. */
    record BatchStep(int task, int items, long tokens) implements Step {
        @Override
        public long iterations() {
            return 1;
        }
    }

    /**
     * Engine iterations of an LLM. With {@code iterations == 1} one mixed iteration of prefill chunks and
     * decodes; with more, a pure-decode run (no prefill) in which {@code decodeSequences} stays constant
     * and the context sum grows by {@code decodeSequences} per iteration (the decode fast path).
     * {@code swapTokens}: KV tokens copied between device and host memory before the step's first iteration
     * under swap preemption (those of sequences swapped out plus those swapped back in, each direction
     * charged over the host link).
     */
    record LlmStep(int task, long prefillTokens, long prefillContextTokens, int decodeSequences,
            long decodeContextTokens, long iterations, long swapTokens) implements Step {
        public LlmStep {
            if (iterations < 1 || (iterations > 1 && prefillTokens > 0)) {
                throw new IllegalArgumentException("a multi-iteration LLM step must be pure decode: " + iterations
                        + " iterations with " + prefillTokens + " prefill tokens");
            }
            if (swapTokens < 0) {
                throw new IllegalArgumentException("swap tokens must be >= 0, got " + swapTokens);
            }
        }

        /** A step that copies no KV cache to or from host memory. */
        public LlmStep(int task, long prefillTokens, long prefillContextTokens, int decodeSequences,
                long decodeContextTokens, long iterations) {
            this(task, prefillTokens, prefillContextTokens, decodeSequences, decodeContextTokens, iterations, 0);
        }
    }

    /** {@code iterations} denoising steps of {@code jobs} jobs of {@code latentTokens} tokens in all. */
    record DiffusionStep(int task, int jobs, long latentTokens, long iterations) implements Step {
    }
}
