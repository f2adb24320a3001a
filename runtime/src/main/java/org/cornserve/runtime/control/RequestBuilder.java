package org.cornserve.runtime.control;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.graph.RequestGraph;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.model.task.DiffusionTransformer;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.planner.schedule.graph.RequestGraphs;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.engine.vision.ImageInput;
import org.cornserve.runtime.serve.ModelRequest;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * Builds a request's invocation graph from the model's composite task and the request's real inputs, on the
 * caller's thread: images are decoded and resized as the vision encoder wants them, audio decoded and resampled,
 * both placed in the sidecar for the encoders; the prompt is tokenized with a placeholder per media token, in the
 * order the engine splices embeddings (images, then audio, then text). The shape handed to the composite task
 * carries the exact token counts, so the graph's work is the work the executors will do; a mismatch is a bug and
 * is refused. A model whose LLM the plan splits into prefill and decode gets the split graph (the composite task's,
 * as the simulator builds it): the prefill node takes the prompt and the media, the decode node the prompt's ids
 * (for a recompute after preemption) and the KV cache its prefill hands over.
 */
public final class RequestBuilder {
    /** A request's graph and each node's own inputs. */
    public record Built(InvocationGraph graph, List<NodeInput> inputs, int promptTokens, List<TensorRef> placed) {
    }

    private final ModelCatalog catalog;
    private final SharedMemorySidecar sidecar;
    private final ByteTokenizer tokenizer = new ByteTokenizer();

    /** Prompt tokens the LLM prefills for a text prompt without media: the BOS token and the text's tokens. */
    public static int textPromptTokens(String prompt) {
        return 1 + new ByteTokenizer().encode(prompt).length;
    }
    private final int streamChunkTokens;
    private final Set<String> splitModels;

    /** Hands an Omni thinker's whole answer to its talker (no streamed hand-off). */
    public RequestBuilder(ModelCatalog catalog, SharedMemorySidecar sidecar) {
        this(catalog, sidecar, 0);
    }

    /**
     * @param streamChunkTokens thinker tokens per chunk of hidden states streamed to a talker (the plan's {@code
     *     stream_chunk_tokens}), 0 to hand the whole answer over
     */
    public RequestBuilder(ModelCatalog catalog, SharedMemorySidecar sidecar, int streamChunkTokens) {
        this(catalog, sidecar, streamChunkTokens, Set.of());
    }

    /**
     * As above; {@code splitModels}: the models whose LLM runs split into prefill and decode tasks (the plan's, {@link
     * #splitModels(org.cornserve.model.plan.ResolvedPlan)}).
     */
    public RequestBuilder(ModelCatalog catalog, SharedMemorySidecar sidecar, int streamChunkTokens,
            Set<String> splitModels) {
        this.splitModels = Set.copyOf(splitModels);
        if (streamChunkTokens < 0) {
            throw new IllegalArgumentException("stream chunk must be >= 0 tokens, got " + streamChunkTokens);
        }
        this.catalog = catalog;
        this.sidecar = sidecar;
        this.streamChunkTokens = streamChunkTokens;
    }

    /** The models a plan runs with their LLM split into prefill and decode tasks. */
    public static Set<String> splitModels(org.cornserve.model.plan.ResolvedPlan plan) {
        Set<String> out = new java.util.TreeSet<>();
        for (org.cornserve.model.plan.ResolvedDeployment d : plan.deployments()) {
            for (org.cornserve.model.task.UnitTask t : d.tasks()) {
                if (t.phase() != org.cornserve.model.task.LlmPhase.WHOLE) {
                    out.add(t.model());
                }
            }
        }
        return out;
    }

    /**
     * @throws IllegalArgumentException for input the model cannot take (bad media, a modality it lacks), with the
     *     reason
     */
    public Built build(ModelRequest request) {
        TinyModels.Model tiny = TinyModels.Model.parse(request.model());
        ModelSpec spec = catalog.model(request.model());
        return tiny == TinyModels.Model.TINY_IMAGE ? generation(request, spec) : understanding(request, spec);
    }

    private Built understanding(ModelRequest request, ModelSpec spec) {
        List<ImageInput> images = new ArrayList<>();
        for (int i = 0; i < request.images().size(); i++) {
            images.add(ImageInput.of(ImageFiles.read(request.images().get(i), "image " + (i + 1)), TinyModels.VISION));
        }
        List<float[]> clips = new ArrayList<>();
        for (int i = 0; i < request.audioClips().size(); i++) {
            clips.add(WavFiles.resample(WavFiles.read(request.audioClips().get(i), "audio " + (i + 1)),
                    TinyModels.AUDIO.sampleRate()).samples());
        }
        List<MediaItem> media = new ArrayList<>();
        List<Integer> prompt = new ArrayList<>();
        prompt.add(ByteTokenizer.BOS);
        for (ImageInput img : images) {
            int tokens = TinyModels.VISION.tokens(img.height(), img.width());
            media.add(MediaItem.imageTokens(tokens));
            for (int t = 0; t < tokens; t++) {
                prompt.add(ByteTokenizer.IMAGE);
            }
        }
        for (float[] clip : clips) {
            int tokens = TinyModels.AUDIO.tokens(clip.length);
            if (tokens < 1) {
                throw new IllegalArgumentException("audio of " + clip.length + " samples is too short for one token");
            }
            media.add(MediaItem.audioTokens(tokens));
            for (int t = 0; t < tokens; t++) {
                prompt.add(ByteTokenizer.AUDIO);
            }
        }
        int[] text = tokenizer.encode(request.prompt());
        for (int t : text) {
            prompt.add(t);
        }
        RequestShape shape = new RequestShape(1 + text.length, media, request.maxTokens(), outputs(request));
        RequestGraph rg = new CompositeTask(spec).requestGraph(shape, splitModels.contains(request.model()));
        InvocationGraph graph = capped(RequestGraphs.toInvocations(rg, 0, request.maxTokens(), streamChunkTokens),
                rg);
        int[] promptIds = prompt.stream().mapToInt(Integer::intValue).toArray();
        // refused here with a 400, as vLLM refuses prompt + max_tokens past max_model_len; audio is left to its
        // encoder's own limit (it names the stage), and the LLM's executor refuses a sequence past its positions alone
        long audioTokens = media.stream().filter(m -> m.modality() == Modality.AUDIO).mapToLong(MediaItem::tokens)
                .sum();
        if (promptIds.length - audioTokens + request.maxTokens() > TinyModels.MAX_POSITIONS) {
            throw new IllegalArgumentException("the prompt's " + promptIds.length + " tokens plus max_tokens "
                    + request.maxTokens() + " exceed " + request.model() + "'s context of " + TinyModels.MAX_POSITIONS
                    + " positions; shorten the prompt or lower max_tokens");
        }
        List<TensorRef> placed = new ArrayList<>();
        List<NodeInput> inputs = new ArrayList<>();
        boolean speech = shape.wants(Modality.AUDIO);
        try {
            for (int i = 0; i < graph.size(); i++) {
                String key = graph.node(i).taskKey();
                String component = key.substring(key.indexOf('/') + 1);
                inputs.add(switch (component) {
                    case "llm", "llm:prefill", "llm:decode" -> {
                        if (graph.node(i).work().tokens() != promptIds.length) {
                            throw new IllegalStateException("the graph prefills " + graph.node(i).work().tokens()
                                    + " tokens but the prompt has " + promptIds.length);
                        }
                        yield new NodeInput(promptIds, null, null, request.maxTokens(), speech, false);
                    }
                    case "vision-encoder" -> {
                        List<TensorRef> refs = new ArrayList<>();
                        int[] dims = new int[2 * images.size()];
                        for (int k = 0; k < images.size(); k++) {
                            refs.add(sidecar.putFloats(images.get(k).pixels(), 1));
                            dims[2 * k] = images.get(k).height();
                            dims[2 * k + 1] = images.get(k).width();
                        }
                        placed.addAll(refs);
                        yield new NodeInput(null, refs, dims, 0, false, false);
                    }
                    case "audio-encoder" -> {
                        List<TensorRef> refs = new ArrayList<>();
                        for (float[] clip : clips) {
                            refs.add(sidecar.putFloats(clip, 1));
                        }
                        placed.addAll(refs);
                        yield new NodeInput(null, refs, null, 0, false, false);
                    }
                    case "talker" -> new NodeInput(null, null, null, (int) graph.node(i).work().maxTokens(), false,
                            false);
                    case "vocoder" -> new NodeInput(null, null, null, 0, false, true);
                    default -> throw new IllegalStateException("no input rule for task " + key);
                });
            }
        } catch (RuntimeException e) {
            releaseAll(placed);
            throw e;
        }
        return new Built(graph, inputs, promptIds.length, placed);
    }

    private Built generation(ModelRequest request, ModelSpec spec) {
        if (!request.images().isEmpty() || !request.audioClips().isEmpty()) {
            throw new IllegalArgumentException(request.model() + " takes a text prompt only");
        }
        int[] text = tokenizer.encode(request.prompt());
        if (text.length == 0) {
            throw new IllegalArgumentException(request.model() + " needs a non-empty prompt");
        }
        int limit = spec.textEncoder().orElseThrow().maxInputTokens();
        if (limit > 0 && text.length > limit) {
            text = Arrays.copyOf(text, limit);
        }
        RequestShape shape = new RequestShape(text.length, List.of(), 0, Set.of(Modality.IMAGE));
        InvocationGraph base = RequestGraphs.toInvocations(new CompositeTask(spec).requestGraph(shape));
        List<Invocation> nodes = new ArrayList<>();
        for (Invocation inv : base.nodes()) {
            // the text encoder runs its prompt once and hands its states on: one step, capped at one token
            nodes.add(inv.taskKey().endsWith("/text-encoder")
                    ? new Invocation(inv.taskKey(), Work.llm(inv.work().tokens(), 1), inv.output()) : inv);
        }
        InvocationGraph graph = InvocationGraph.of(nodes, base.edges());
        DiffusionTransformer dit = spec.diffusionTransformer().orElseThrow();
        int scale = TinyModels.VAE.scale();
        int[] latent = {dit.defaultHeightPx() / scale, dit.defaultWidthPx() / scale};
        List<NodeInput> inputs = new ArrayList<>();
        for (int i = 0; i < graph.size(); i++) {
            String key = graph.node(i).taskKey();
            String component = key.substring(key.indexOf('/') + 1);
            inputs.add(switch (component) {
                case "text-encoder" -> new NodeInput(text, null, null, 1, true, false);
                case "diffusion-transformer" -> new NodeInput(null, null, latent, 0, false, false);
                case "vae-decoder" -> new NodeInput(null, null, latent, 0, false, true);
                default -> throw new IllegalStateException("no input rule for task " + key);
            });
        }
        return new Built(graph, inputs, text.length, List.of());
    }

    /**
     * The talker's cap in codes is not the client's {@code max_tokens} (that caps the thinker's text): it is the
     * composite task's code frames for that many tokens, which the request graph carries as the talker's output.
     */
    private static InvocationGraph capped(InvocationGraph graph, RequestGraph rg) {
        List<Invocation> nodes = new ArrayList<>();
        for (Invocation inv : graph.nodes()) {
            if (inv.taskKey().endsWith("/talker")) {
                long codes = rg.taskNodes().stream().filter(n -> n.taskId().equals(inv.taskKey())).findFirst()
                        .orElseThrow().work().outputTokens();
                nodes.add(new Invocation(inv.taskKey(), Work.llm(inv.work().tokens(), Math.max(1, codes)),
                        inv.output()));
            } else {
                nodes.add(inv);
            }
        }
        return InvocationGraph.of(nodes, graph.edges());
    }

    private static Set<Modality> outputs(ModelRequest request) {
        return request.outputs();
    }

    /** Releases tensors placed for a request that will not run. */
    public void releaseAll(List<TensorRef> refs) {
        for (TensorRef r : refs) {
            sidecar.release(r);
        }
    }
}
