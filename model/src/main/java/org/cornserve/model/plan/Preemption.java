package org.cornserve.model.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an LLM engine does with a sequence it evicts when the KV cache is full (vLLM's preemption modes). */
public enum Preemption {
    /** Drop its KV cache and prefill it again when resumed (vLLM's default). */
    RECOMPUTE,
    /** Copy its KV cache to host memory and back. */
    SWAP,
    /**
     * Never preempt: a sequence is admitted only when its prompt and its whole output cap fit in the cache
     * (the scheduling core's reservation mode).
     */
    NONE;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Preemption parse(String name) {
        for (Preemption p : values()) {
            if (p.jsonName().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preemption '" + name + "'; known: "
                + Arrays.stream(values()).map(Preemption::jsonName).collect(Collectors.joining(", ")));
    }
}
