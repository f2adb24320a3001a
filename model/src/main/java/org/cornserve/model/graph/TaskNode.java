package org.cornserve.model.graph;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.cornserve.model.task.LlmPhase;
import org.cornserve.model.task.UnitTaskKind;

/**
 * A node of a request's task graph: the request's input, its output, or one unit task invocation.
 *
 * @param name unique inside the graph: {@code input}, {@code output}, or the component id with the phase
 *        suffix ({@code vision-encoder}, {@code llm:prefill})
 * @param role input, task or output
 * @param taskId the deployment id of the unit task ({@code qwen2.5-vl-7b/llm:prefill}, {@code gemma-3-siglip});
 *        empty for input and output
 * @param kind unit task kind; null for input and output
 * @param phase LLM phase; whole for everything else
 * @param work the work this request gives the node
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TaskNode(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "role", required = true) Role role,
        @JsonProperty("task_id") String taskId,
        @JsonProperty("kind") UnitTaskKind kind,
        @JsonProperty("phase") LlmPhase phase,
        @JsonProperty("work") TaskWork work) {

    /** Where a node sits in the request's life. */
    public enum Role {
        INPUT, TASK, OUTPUT;

        @JsonValue
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Role parse(String s) {
            return Role.valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public static final String INPUT = "input";
    public static final String OUTPUT = "output";

    public TaskNode {
        if (name == null || name.isBlank() || role == null) {
            throw new IllegalArgumentException("task node needs a name and a role");
        }
        taskId = taskId == null ? "" : taskId;
        phase = phase == null ? LlmPhase.WHOLE : phase;
        work = work == null ? TaskWork.NONE : work;
        if ((role == Role.TASK) == taskId.isEmpty() || (role == Role.TASK) == (kind == null)) {
            throw new IllegalArgumentException("task node " + name + ": a task node needs task_id and kind, input/output nodes neither");
        }
    }

    static TaskNode input() {
        return new TaskNode(INPUT, Role.INPUT, "", null, LlmPhase.WHOLE, TaskWork.NONE);
    }

    static TaskNode output() {
        return new TaskNode(OUTPUT, Role.OUTPUT, "", null, LlmPhase.WHOLE, TaskWork.NONE);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isTask() {
        return role == Role.TASK;
    }
}
