package org.cornserve.planner.schedule.graph;

/**
 * One node of a request's invocation graph: a call of a unit task.
 *
 * @param taskKey the unit task's id, e.g. {@code qwen2.5-vl-7b/vision-encoder} or {@code .../llm:decode}
 * @param work what the call computes
 * @param output whether this invocation produces (part of) the response; the earliest output of such a
 *     node is the request's first output (TTFT), and an LLM output node's tokens count as output tokens
 */
public record Invocation(String taskKey, Work work, boolean output) {

    public Invocation {
        if (taskKey == null || taskKey.isBlank()) {
            throw new IllegalArgumentException("invocation needs a task key");
        }
        if (work == null) {
            throw new IllegalArgumentException("invocation of " + taskKey + " needs work");
        }
    }
}
