package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which phases of an autoregressive component a unit task runs. */
public enum LlmPhase {
    /** Prefill and decode together (also every non-LLM task). */
    WHOLE(""),
    /** Prompt prefill only; hands its KV cache to a decode task. */
    PREFILL(":prefill"),
    /** Token decoding only; receives the KV cache from a prefill task. */
    DECODE(":decode");

    private final String suffix;

    LlmPhase(String suffix) {
        this.suffix = suffix;
    }

    /** Suffix of a task id: empty, {@code :prefill} or {@code :decode}. */
    public String suffix() {
        return suffix;
    }

    /** The whole task's id of a phase's task id ({@code m/llm:prefill} -> {@code m/llm}); other ids unchanged. */
    public static String wholeTaskId(String taskId) {
        for (LlmPhase p : values()) {
            if (p != WHOLE && taskId.endsWith(p.suffix)) {
                return taskId.substring(0, taskId.length() - p.suffix.length());
            }
        }
        return taskId;
    }

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static LlmPhase parse(String name) {
        for (LlmPhase p : values()) {
            if (p.jsonName().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown LLM phase '" + name + "'; known: "
                + Arrays.stream(values()).map(LlmPhase::jsonName).collect(Collectors.joining(", ")));
    }
}
