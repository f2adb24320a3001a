package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The unit of deployment and scaling: one component of one model, or one phase of an LLM.
 *
 * <p>Its {@link #id()} is {@code <model>/<component>} with {@code :prefill} or {@code :decode} for a split
 * LLM (e.g. {@code qwen2.5-vl-7b/llm:prefill}); a component with a share id uses that instead (all Gemma 3
 * sizes use {@code gemma-3-siglip}). Equality is by id, phase and component, not by the model that
 * brought the task in, so equivalent unit tasks of different models collapse in a set and share one
 * deployment.
 *
 * @param model the model this task was taken from (for a shared component: the first model asked)
 * @param component the component
 * @param phase whole, prefill or decode (prefill/decode only for a non-prefill-only LLM)
 */
public record UnitTask(
        @JsonProperty(value = "model", required = true) String model,
        @JsonProperty(value = "component", required = true) Component component,
        @JsonProperty(value = "phase", required = true) LlmPhase phase) {

    @JsonCreator
    public UnitTask {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("unit task: model is empty");
        }
        Objects.requireNonNull(component, "unit task: component");
        phase = phase == null ? LlmPhase.WHOLE : phase;
        if (phase != LlmPhase.WHOLE
                && !(component instanceof LanguageModel lm && !lm.prefillOnly())) {
            throw new IllegalArgumentException("unit task " + model + "/" + component.id()
                    + ": only a (non prefill-only) LLM can be split into phases, got " + phase.jsonName());
        }
    }

    /** The whole component as one task. */
    public static UnitTask whole(String model, Component component) {
        return new UnitTask(model, component, LlmPhase.WHOLE);
    }

    /** Deployment id: {@code model/component[:phase]}, or {@code shareId[:phase]} for a shared component. */
    public String id() {
        String base = component.shareId().isEmpty() ? model + "/" + component.id() : component.shareId();
        return base + phase.suffix();
    }

    /** The id this task has inside its model regardless of sharing ({@code gemma-3-4b/vision-encoder}). */
    public String localId() {
        return model + "/" + component.id() + phase.suffix();
    }

    public UnitTaskKind kind() {
        return component.kind();
    }

    /** True for an LLM task that runs prefill (whole, prefill phase, or a prefill-only text encoder). */
    public boolean runsPrefill() {
        return component instanceof LanguageModel && phase != LlmPhase.DECODE;
    }

    /** True for an LLM task that decodes tokens (whole or decode phase; never a text encoder). */
    public boolean runsDecode() {
        return component instanceof LanguageModel lm && !lm.prefillOnly() && phase != LlmPhase.PREFILL;
    }

    /** Weight bytes of one copy of this task. */
    public long weightBytes() {
        return component.weightBytes();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnitTask other && id().equals(other.id()) && phase == other.phase
                && component.equals(other.component);
    }

    @Override
    public int hashCode() {
        return id().hashCode();
    }

    @Override
    public String toString() {
        return id();
    }
}
