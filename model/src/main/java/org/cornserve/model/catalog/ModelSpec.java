package org.cornserve.model.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.model.task.AudioEncoder;
import org.cornserve.model.task.Component;
import org.cornserve.model.task.DiffusionTransformer;
import org.cornserve.model.task.LanguageModel;
import org.cornserve.model.task.LlmPhase;
import org.cornserve.model.task.Talker;
import org.cornserve.model.task.UnitTask;
import org.cornserve.model.task.VaeDecoder;
import org.cornserve.model.task.VisionEncoder;
import org.cornserve.model.task.Vocoder;

/**
 * One servable model: its components and what it takes in and gives out. The request-shape rules (how
 * many tokens an image, a clip or a video becomes for this model) live here; the per-request task graph
 * comes from {@link org.cornserve.model.graph.CompositeTask}.
 *
 * <p>Shapes a model may have: a VLM (vision encoder + LLM), an omni model (vision and audio encoders,
 * thinker LLM, optionally talker + vocoder), a text LLM, or an image generator (prefill-only text encoder,
 * diffusion transformer, VAE decoder).
 *
 * @param name id users type ({@code qwen2.5-vl-7b})
 * @param displayName published name ({@code Qwen2.5-VL-7B-Instruct})
 * @param description one line
 * @param inputModalities what a request may carry
 * @param outputModalities what a response may carry
 * @param components the components, each with a unique id
 * @param sources field to source (model-level facts such as the composition)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ModelSpec(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "display_name", required = true) String displayName,
        @JsonProperty("description") String description,
        @JsonProperty(value = "input_modalities", required = true) Set<Modality> inputModalities,
        @JsonProperty(value = "output_modalities", required = true) Set<Modality> outputModalities,
        @JsonProperty(value = "components", required = true) List<Component> components,
        @JsonProperty("sources") Map<String, String> sources) {

    public ModelSpec {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("model name must be a lowercase id, got '" + name + "'");
        }
        if (displayName == null || displayName.isBlank()) {
            throw new IllegalArgumentException("model " + name + ": display_name is empty");
        }
        description = description == null ? "" : description;
        if (inputModalities == null || inputModalities.isEmpty() || outputModalities == null || outputModalities.isEmpty()) {
            throw new IllegalArgumentException("model " + name + ": input_modalities and output_modalities must be non-empty");
        }
        inputModalities = Set.copyOf(EnumSet.copyOf(inputModalities));
        outputModalities = Set.copyOf(EnumSet.copyOf(outputModalities));
        components = List.copyOf(components);
        sources = sources == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(sources));
        Set<String> ids = new HashSet<>();
        for (Component c : components) {
            if (!ids.add(c.id())) {
                throw new IllegalArgumentException("model " + name + ": component id '" + c.id() + "' appears twice");
            }
        }
        checkShape(name, components, inputModalities, outputModalities);
    }

    private static void checkShape(String name, List<Component> cs, Set<Modality> in, Set<Modality> out) {
        long visions = cs.stream().filter(c -> c instanceof VisionEncoder).count();
        long audios = cs.stream().filter(c -> c instanceof AudioEncoder).count();
        long llms = cs.stream().filter(c -> c instanceof LanguageModel lm && !lm.prefillOnly()).count();
        long textEncoders = cs.stream().filter(c -> c instanceof LanguageModel lm && lm.prefillOnly()).count();
        long talkers = cs.stream().filter(c -> c instanceof Talker).count();
        long vocoders = cs.stream().filter(c -> c instanceof Vocoder).count();
        long dits = cs.stream().filter(c -> c instanceof DiffusionTransformer).count();
        long vaes = cs.stream().filter(c -> c instanceof VaeDecoder).count();
        String where = "model " + name + ": ";
        if (visions > 1 || audios > 1 || llms > 1 || textEncoders > 1 || talkers > 1 || vocoders > 1 || dits > 1 || vaes > 1) {
            throw new IllegalArgumentException(where + "at most one component of each role");
        }
        if (llms + dits != 1) {
            throw new IllegalArgumentException(where + "needs exactly one LLM (or one diffusion transformer), has "
                    + llms + " LLMs and " + dits + " diffusion transformers");
        }
        if (dits == 1 && (textEncoders != 1 || vaes != 1)) {
            throw new IllegalArgumentException(where + "a diffusion transformer needs one prefill-only text encoder and one VAE decoder");
        }
        if (talkers != vocoders) {
            throw new IllegalArgumentException(where + "a talker needs a vocoder and vice versa");
        }
        boolean vision = in.contains(Modality.IMAGE) || in.contains(Modality.VIDEO);
        if (vision != (visions == 1)) {
            throw new IllegalArgumentException(where + "image/video input needs a vision encoder and vice versa");
        }
        if (in.contains(Modality.AUDIO) != (audios == 1)) {
            throw new IllegalArgumentException(where + "audio input needs an audio encoder and vice versa");
        }
        if (out.contains(Modality.AUDIO) != (talkers == 1)) {
            throw new IllegalArgumentException(where + "audio output needs a talker and vocoder and vice versa");
        }
        if (out.contains(Modality.IMAGE) != (dits == 1)) {
            throw new IllegalArgumentException(where + "image output needs a diffusion transformer and vice versa");
        }
        if (out.contains(Modality.TEXT) != (llms == 1)) {
            throw new IllegalArgumentException(where + "text output needs an LLM and vice versa");
        }
        if (out.contains(Modality.VIDEO)) {
            throw new IllegalArgumentException(where + "video output is not supported");
        }
    }

    /** The component with this id; an unknown id lists the known ones. */
    public Component component(String id) {
        for (Component c : components) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("model " + name + " has no component '" + id + "'; known: "
                + components.stream().map(Component::id).collect(Collectors.joining(", ")));
    }

    private <T extends Component> Optional<T> first(Class<T> type) {
        return components.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    public Optional<VisionEncoder> visionEncoder() {
        return first(VisionEncoder.class);
    }

    public Optional<AudioEncoder> audioEncoder() {
        return first(AudioEncoder.class);
    }

    /** The autoregressive LLM (thinker), absent for an image generator. */
    public Optional<LanguageModel> llm() {
        return components.stream().filter(c -> c instanceof LanguageModel lm && !lm.prefillOnly())
                .map(LanguageModel.class::cast).findFirst();
    }

    /** The prefill-only text encoder of an image generator. */
    public Optional<LanguageModel> textEncoder() {
        return components.stream().filter(c -> c instanceof LanguageModel lm && lm.prefillOnly())
                .map(LanguageModel.class::cast).findFirst();
    }

    public Optional<Talker> talker() {
        return first(Talker.class);
    }

    public Optional<Vocoder> vocoder() {
        return first(Vocoder.class);
    }

    public Optional<DiffusionTransformer> diffusionTransformer() {
        return first(DiffusionTransformer.class);
    }

    public Optional<VaeDecoder> vaeDecoder() {
        return first(VaeDecoder.class);
    }

    /** Every component as one whole unit task (the monolithic and encoder-split view). */
    public List<UnitTask> unitTasks() {
        return unitTasks(false);
    }

    /** Unit tasks; with {@code splitLlm} the LLM becomes its prefill and decode tasks. */
    public List<UnitTask> unitTasks(boolean splitLlm) {
        List<UnitTask> tasks = new ArrayList<>();
        for (Component c : components) {
            if (splitLlm && c instanceof LanguageModel lm && !lm.prefillOnly()) {
                tasks.add(new UnitTask(name, c, LlmPhase.PREFILL));
                tasks.add(new UnitTask(name, c, LlmPhase.DECODE));
            } else {
                tasks.add(UnitTask.whole(name, c));
            }
        }
        return List.copyOf(tasks);
    }

    /**
     * The unit task for a component reference inside this model: {@code component} or
     * {@code component:prefill} / {@code component:decode}.
     */
    public UnitTask unitTask(String componentRef) {
        String ref = componentRef.trim().toLowerCase(Locale.ROOT);
        LlmPhase phase = LlmPhase.WHOLE;
        int colon = ref.indexOf(':');
        if (colon >= 0) {
            phase = LlmPhase.parse(ref.substring(colon + 1));
            ref = ref.substring(0, colon);
        }
        return new UnitTask(name, component(ref), phase);
    }

    /** Parameters of all components. */
    public long params() {
        return components.stream().mapToLong(Component::params).sum();
    }

    /** Weight bytes of all components (one copy of each). */
    public long weightBytes() {
        return components.stream().mapToLong(Component::weightBytes).sum();
    }

    // ---- request-shape rules ----

    /**
     * Encoder output tokens (= LLM input tokens) of one media item: the item's own {@code tokens} when the
     * trace gives them; otherwise from pixels, seconds or frames by this model's processor rules, with the
     * documented default resolution when the size is unknown.
     */
    public long mediaTokens(MediaItem item) {
        if (!inputModalities.contains(item.modality())) {
            throw new IllegalArgumentException("model " + name + " does not take " + item.modality().jsonName()
                    + " input; it takes " + inputModalities.stream().map(Modality::jsonName).sorted()
                    .collect(Collectors.joining(", ")));
        }
        if (item.tokens() > 0) {
            return item.tokens();
        }
        return switch (item.modality()) {
            case IMAGE -> {
                VisionEncoder v = visionEncoder().orElseThrow();
                yield item.widthPx() > 0 ? v.imageTokens(item.widthPx(), item.heightPx()) : v.defaultImageTokens();
            }
            case AUDIO -> audioEncoder().orElseThrow().tokensForSeconds(item.seconds());
            case VIDEO -> videoTokens(visionEncoder().orElseThrow(), item);
            case TEXT -> throw new IllegalArgumentException("text is not a media item");
        };
    }

    /**
     * Video: frames (given, or seconds x the rule's sampling rate, at least 1) grouped by the temporal patch,
     * each group costing one frame's image tokens at the item's (or the default) resolution.
     */
    private static long videoTokens(VisionEncoder v, MediaItem item) {
        long frames = item.frames();
        if (frames == 0) {
            double fps = v.tokenRule().videoFramesPerSecond();
            if (fps <= 0) {
                throw new IllegalArgumentException(v.id() + " takes no video without a frame count");
            }
            frames = Math.max(1, Math.round(item.seconds() * fps));
        }
        long groups = (frames + v.temporalPatchSize() - 1) / v.temporalPatchSize();
        int perFrame = item.widthPx() > 0 ? v.imageTokens(item.widthPx(), item.heightPx()) : v.defaultImageTokens();
        return groups * perFrame;
    }

    /** Encoder tokens of all items of one modality in a request. */
    public long mediaTokens(RequestShape shape, Modality modality) {
        long sum = 0;
        for (MediaItem item : shape.media()) {
            if (item.modality() == modality) {
                sum += mediaTokens(item);
            }
        }
        return sum;
    }

    /** Prompt tokens the LLM (or text encoder) sees: text plus every media item's tokens. */
    public long promptTokens(RequestShape shape) {
        long sum = shape.textTokens();
        for (MediaItem item : shape.media()) {
            sum += mediaTokens(item);
        }
        return sum;
    }

    /** Throws when the request asks for something this model cannot do, naming what. */
    public void checkSupports(RequestShape shape) {
        for (MediaItem item : shape.media()) {
            if (!inputModalities.contains(item.modality())) {
                mediaTokens(item); // throws the message
            }
        }
        for (Modality m : shape.outputModalities()) {
            if (!outputModalities.contains(m)) {
                throw new IllegalArgumentException("model " + name + " cannot output " + m.jsonName() + "; it outputs "
                        + outputModalities.stream().map(Modality::jsonName).sorted().collect(Collectors.joining(", ")));
            }
        }
    }
}
