package org.cornserve.planner;

import java.util.Objects;

/**
 * What the planner knows about one deployable unit task: its kind, where it sits on a request's path, its
 * memory footprint and its costs. Equivalent tasks of several models (Gemma 3's shared vision encoder)
 * appear once.
 *
 * @param id unit-task id, {@code <model>/<component>}
 * @param kind how it is costed and batched
 * @param stage position on a request's path: tasks of a lower stage finish before a higher stage starts;
 *     tasks of one stage run in parallel (a request's encoders)
 * @param weightBytes weights of one replica (all devices together)
 * @param activationBytes working memory one replica reserves for activations at full batch
 * @param maxTensorParallel largest tensor-parallel degree the task supports (heads must divide)
 * @param costs latency models per tensor-parallel degree
 */
public record PlannerTask(String id, TaskKind kind, int stage, long weightBytes, long activationBytes,
        int maxTensorParallel, TaskCosts costs) {

    /** Suffix of the prefill half of a split LLM. */
    public static final String PREFILL_SUFFIX = ":prefill";
    /** Suffix of the decode half of a split LLM. */
    public static final String DECODE_SUFFIX = ":decode";

    public PlannerTask {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("planner task needs an id");
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(costs, "costs");
        if (stage < 0 || weightBytes < 0 || activationBytes < 0 || maxTensorParallel < 1) {
            throw new IllegalArgumentException("planner task " + id
                    + ": stage, weights and activations must be >= 0 and max tensor parallel >= 1");
        }
        if (kind == TaskKind.PREFILL || kind == TaskKind.DECODE) {
            throw new IllegalArgumentException("planner task " + id
                    + ": list the whole LLM; the search splits it into prefill and decode");
        }
    }

    /** True when the search may split this task into prefill and decode halves. */
    public boolean splittable() {
        return kind == TaskKind.LLM;
    }
}
