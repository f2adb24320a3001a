package org.cornserve.model.graph;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelSpec;
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
 * A model's composite task: the graph of its unit tasks, built per request from the request's shape so
 * that a request touches only what it needs (no image or video, no vision encoder; no audio in, no audio
 * encoder; no audio out, no talker or vocoder). Every flow carries its size in bytes.
 *
 * <p>Byte conventions (documented, not measured): token ids and codec codes are int32; pixels going into a
 * vision encoder are the processor's patch tensor (patches x 3 x temporal patch x patch^2 values) and mel
 * features are frames x mel bins, both at the component's activation width (its bytes per param, 2 for
 * bf16); embeddings and hidden states are tokens x width at the same width; the thinker hands the talker
 * both its input embeddings and its last hidden states (2 x width per position); the KV cache is the LLM's
 * {@code kvBytesPerToken} per prompt token; latents are channels x latent pixels; an output image is 8-bit
 * RGB; a waveform is float32 samples. A split LLM's prefill task produces the first output token and its
 * decode task the rest (the decode node exists even when that is zero tokens).
 *
 * <p>Cost: O(components + media items) per request.
 */
public final class CompositeTask {
    private static final int TOKEN_ID_BYTES = 4;
    private static final int CODE_BYTES = 4;
    private static final int SAMPLE_BYTES = 4;

    private final ModelSpec model;

    public CompositeTask(ModelSpec model) {
        this.model = model;
    }

    public ModelSpec model() {
        return model;
    }

    /** The request's graph with the LLM as one task. */
    public RequestGraph requestGraph(RequestShape shape) {
        return requestGraph(shape, false);
    }

    /**
     * The request's graph.
     *
     * @param splitLlm true to run the LLM as separate prefill and decode tasks joined by a KV-cache flow
     * @throws IllegalArgumentException when the model cannot take an input or give an output the shape asks
     */
    public RequestGraph requestGraph(RequestShape shape, boolean splitLlm) {
        model.checkSupports(shape);
        Builder b = new Builder(splitLlm);
        if (model.llm().isPresent()) {
            b.understanding(shape);
        } else {
            b.generation(shape);
        }
        return new RequestGraph(model.name(), b.nodes, b.flows);
    }

    /**
     * The composite task's full structure: the graph of a small request that uses every input and output
     * modality the model supports (one default-size item each, 16 text tokens in, 16 out).
     */
    public RequestGraph structure(boolean splitLlm) {
        return structure(splitLlm, model.outputModalities());
    }

    /**
     * The graph of a small request that uses every input modality the model supports and asks for {@code outputs}
     * (every unit task such a request can touch: an app's task that wants only text leaves out a talker).
     *
     * @throws IllegalArgumentException when the model cannot give one of {@code outputs}
     */
    public RequestGraph structure(boolean splitLlm, Set<Modality> outputs) {
        List<MediaItem> media = new ArrayList<>();
        for (Modality m : model.inputModalities()) {
            switch (m) {
                case IMAGE -> media.add(new MediaItem(Modality.IMAGE, 0, 0, 0, 0, 0));
                case AUDIO -> media.add(MediaItem.audioSeconds(1));
                case VIDEO -> media.add(new MediaItem(Modality.VIDEO, 0, 0, 0, 0, 2));
                case TEXT -> { }
            }
        }
        Set<Modality> out = EnumSet.copyOf(outputs);
        return requestGraph(new RequestShape(16, media, model.llm().isPresent() ? 16 : 0, out), splitLlm);
    }

    /** Accumulates nodes and flows for one request. */
    private final class Builder {
        private final boolean splitLlm;
        private final List<TaskNode> nodes = new ArrayList<>();
        private final List<Flow> flows = new ArrayList<>();

        Builder(boolean splitLlm) {
            this.splitLlm = splitLlm;
            nodes.add(TaskNode.input());
            nodes.add(TaskNode.output());
        }

        private String add(Component c, LlmPhase phase, TaskWork work) {
            UnitTask task = new UnitTask(model.name(), c, phase);
            String name = c.id() + phase.suffix();
            nodes.add(new TaskNode(name, TaskNode.Role.TASK, task.id(), c.kind(), phase, work));
            return name;
        }

        private void flow(String from, String to, FlowKind kind, long elements, long bytes) {
            flows.add(new Flow(from, to, kind, elements, bytes));
        }

        void understanding(RequestShape shape) {
            LanguageModel llm = model.llm().orElseThrow();
            int act = llm.bytesPerParam();
            long prompt = model.promptTokens(shape);
            long out = shape.outputTokens();
            String entry;
            String exit;
            if (splitLlm) {
                entry = add(llm, LlmPhase.PREFILL, new TaskWork(1, prompt, Math.min(1, out), 1));
                exit = add(llm, LlmPhase.DECODE, new TaskWork(1, prompt, Math.max(0, out - 1), 1));
                flow(entry, exit, FlowKind.KV_CACHE, prompt, prompt * llm.kvBytesPerToken());
            } else {
                entry = add(llm, LlmPhase.WHOLE, new TaskWork(1, prompt, out, 1));
                exit = entry;
            }
            flow(TaskNode.INPUT, entry, FlowKind.TEXT_TOKENS, shape.textTokens(), (long) shape.textTokens() * TOKEN_ID_BYTES);
            vision(shape, entry);
            audio(shape, entry);
            if (shape.wants(Modality.TEXT)) {
                flow(exit, TaskNode.OUTPUT, FlowKind.TEXT_TOKENS, out, out * TOKEN_ID_BYTES);
            }
            if (shape.wants(Modality.AUDIO)) {
                speech(exit, llm, prompt, out, act);
            }
        }

        private void vision(RequestShape shape, String llmEntry) {
            if (shape.count(Modality.IMAGE) + shape.count(Modality.VIDEO) == 0) {
                return;
            }
            VisionEncoder v = model.visionEncoder().orElseThrow();
            int items = 0;
            long tokens = 0;
            long patches = 0;
            for (MediaItem item : shape.media()) {
                if (item.modality() == Modality.IMAGE || item.modality() == Modality.VIDEO) {
                    long t = model.mediaTokens(item);
                    items++;
                    tokens += t;
                    patches += v.patchesForTokens(t);
                }
            }
            String name = add(v, LlmPhase.WHOLE, new TaskWork(items, patches, tokens, 1));
            long valuesPerPatch = 3L * v.temporalPatchSize() * v.patchSize() * v.patchSize();
            flow(TaskNode.INPUT, name, FlowKind.IMAGES, patches, patches * valuesPerPatch * v.bytesPerParam());
            flow(name, llmEntry, FlowKind.EMBEDDINGS, tokens, tokens * v.outHiddenSize() * v.bytesPerParam());
        }

        private void audio(RequestShape shape, String llmEntry) {
            if (shape.count(Modality.AUDIO) == 0) {
                return;
            }
            AudioEncoder a = model.audioEncoder().orElseThrow();
            int items = 0;
            long tokens = 0;
            long frames = 0;
            for (MediaItem item : shape.media()) {
                if (item.modality() == Modality.AUDIO) {
                    long t = model.mediaTokens(item);
                    items++;
                    tokens += t;
                    frames += item.tokens() > 0 && item.seconds() == 0
                            ? (long) Math.ceil(t * a.melFramesPerSecond() / a.tokensPerSecond())
                            : a.melFrames(item.seconds());
                }
            }
            // positions after the first stride-2 convolution
            String name = add(a, LlmPhase.WHOLE, new TaskWork(items, (frames + 1) / 2, tokens, 1));
            flow(TaskNode.INPUT, name, FlowKind.AUDIO_FEATURES, frames, frames * a.melBins() * a.bytesPerParam());
            flow(name, llmEntry, FlowKind.EMBEDDINGS, tokens, tokens * a.outHiddenSize() * a.bytesPerParam());
        }

        private void speech(String llmExit, LanguageModel llm, long prompt, long out, int act) {
            Talker t = model.talker().orElseThrow();
            Vocoder voc = model.vocoder().orElseThrow();
            long positions = prompt + out;
            long codeFrames = t.codeFrames(out);
            String talker = add(t, LlmPhase.WHOLE, new TaskWork(1, positions, codeFrames, 1));
            flow(llmExit, talker, FlowKind.HIDDEN_STATES, positions, 2 * positions * llm.arch().hiddenSize() * act);
            long samples = codeFrames * voc.samplesPerCode();
            String vocoder = add(voc, LlmPhase.WHOLE, new TaskWork(1, codeFrames, samples, voc.diffusionSteps()));
            long codes = codeFrames * t.codeGroups();
            flow(talker, vocoder, FlowKind.AUDIO_CODES, codes, codes * CODE_BYTES);
            flow(vocoder, TaskNode.OUTPUT, FlowKind.WAVEFORM, samples, samples * SAMPLE_BYTES);
        }

        void generation(RequestShape shape) {
            LanguageModel te = model.textEncoder().orElseThrow();
            DiffusionTransformer dit = model.diffusionTransformer().orElseThrow();
            VaeDecoder vae = model.vaeDecoder().orElseThrow();
            long text = te.maxInputTokens() > 0 ? Math.min(shape.textTokens(), te.maxInputTokens()) : shape.textTokens();
            String encoder = add(te, LlmPhase.WHOLE, new TaskWork(1, text, 0, 1));
            flow(TaskNode.INPUT, encoder, FlowKind.TEXT_TOKENS, text, text * TOKEN_ID_BYTES);
            int w = dit.defaultWidthPx();
            int h = dit.defaultHeightPx();
            long imageTokens = dit.imageTokens(w, h);
            String generator = add(dit, LlmPhase.WHOLE, new TaskWork(1, text, imageTokens, dit.defaultSteps()));
            flow(encoder, generator, FlowKind.HIDDEN_STATES, text, text * te.arch().hiddenSize() * te.bytesPerParam());
            long latentPixels = (long) (w / vae.spatialCompression()) * (h / vae.spatialCompression());
            String decoder = add(vae, LlmPhase.WHOLE, new TaskWork(1, latentPixels, (long) w * h, 1));
            flow(generator, decoder, FlowKind.IMAGE_LATENTS, latentPixels * dit.latentChannels(), dit.latentBytes(w, h));
            flow(decoder, TaskNode.OUTPUT, FlowKind.OUTPUT_IMAGE, (long) w * h, vae.imageBytes(w, h));
        }
    }
}
