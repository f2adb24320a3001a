package org.cornserve.runtime.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cornserve.model.Modality;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.audio.Talker;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.generate.SamplingParams;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.llm.LlmEngine;
import org.cornserve.runtime.engine.tensor.Tensor;
import org.cornserve.runtime.engine.vision.ImageInput;
import org.cornserve.runtime.serve.local.LocalEngineSettings;
import org.cornserve.runtime.serve.local.LocalEngineSettings.Kind;
import org.cornserve.runtime.serve.local.LocalEngineSettings.LocalModel;
import org.cornserve.runtime.serve.local.LlmLoop;
import org.cornserve.runtime.serve.local.LocalReplicas;
import org.cornserve.runtime.serve.local.Utf8Deltas;

/**
 * A {@link ModelInvoker} that runs the tiny models in this JVM with the real compute engine: one thread per unit
 * task replica (a shared vision encoder, audio encoder, one continuous-batching LLM per model, talker, vocoder,
 * image generator) on one shared compute pool. It is not the plan's runtime: there are no executor processes, no
 * sidecar and no shared scheduling core here, only the engine behind the same seam, so the gateway and apps can be
 * built and tested before (and without) the control plane.
 *
 * <p>Admission: at most {@code maxInFlight} requests are inside at once; one more fails at once with 429. Inputs
 * are decoded on the calling thread, so a bad image or WAV fails at once with 400. Text streams per LLM step.
 * {@link InvocationHandle#cancel()} drops the request's queued work and aborts its sequence, freeing its KV blocks.
 */
public final class LocalEngineInvoker implements ModelInvoker, ServingStats {

    private final LocalEngineSettings settings;
    private final Kernels kernels;
    private final LocalReplicas replicas;
    private final Map<String, LocalModel> models = new LinkedHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Loads every model's components (seeded weights) and starts their threads. */
    public LocalEngineInvoker(LocalEngineSettings settings) {
        this.settings = settings;
        this.kernels = Kernels.create(Kernels.Choice.AUTO, settings.computeThreads());
        this.replicas = new LocalReplicas(settings, kernels);
        settings.models().forEach(m -> models.put(m.id(), m));
    }

    @Override
    public List<String> models() {
        return List.copyOf(models.keySet());
    }

    /** Requests inside now (admitted and not yet answered). */
    public int inFlight() {
        return inFlight.get();
    }

    /** Free KV blocks of a model's LLM, and its capacity: equal when no sequence holds any. */
    public int[] kvBlocks(String model) {
        return new int[] {replicas.llm(model).freeKvBlocks(), settings.kvCacheTokens() / 16};
    }

    @Override
    public List<Deployment> deployments() {
        return replicas.stats();
    }

    @Override
    public InvocationHandle invoke(ModelRequest request, OutputSink sink) {
        long id = ids.incrementAndGet();
        LocalModel model = models.get(request.model());
        if (model == null) {
            return refuse(id, sink, 404, "model", "unknown model '" + request.model() + "'; this server has "
                    + String.join(", ", models.keySet()));
        }
        if (closed.get()) {
            return refuse(id, sink, 503, "admission", "the server is shutting down");
        }
        Inputs inputs;
        try {
            inputs = decode(model, request);
        } catch (IllegalArgumentException e) {
            return refuse(id, sink, 400, model.id() + "/input", e.getMessage());
        }
        if (inFlight.incrementAndGet() > settings.maxInFlight()) {
            inFlight.decrementAndGet();
            return refuse(id, sink, 429, "admission", settings.maxInFlight() + " requests are already in flight "
                    + "(the admission bound); retry later");
        }
        Flow flow = new Flow(id, model, request, sink, inputs);
        flow.start();
        return flow;
    }

    private static InvocationHandle refuse(long id, OutputSink sink, int status, String stage, String message) {
        sink.failed(new OutputSink.Failure(status, stage, message));
        return InvocationHandle.finished(id);
    }

    /** Decoded media, checked against what the model can take. */
    private record Inputs(List<ImageInput> images, List<float[]> clips) {
    }

    private Inputs decode(LocalModel model, ModelRequest r) {
        Set<Modality> outs = r.outputs();
        switch (model.kind()) {
            case IMAGE -> {
                if (!r.images().isEmpty() || !r.audioClips().isEmpty()) {
                    throw new IllegalArgumentException(model.id() + " takes a text prompt only, got "
                            + r.images().size() + " images and " + r.audioClips().size() + " audio clips");
                }
                if (!outs.equals(Set.of(Modality.IMAGE))) {
                    throw new IllegalArgumentException(model.id() + " produces an image only; outputs " + outs
                            + " were asked for");
                }
                if (r.prompt().isBlank()) {
                    throw new IllegalArgumentException(model.id() + " needs a non-empty prompt");
                }
                return new Inputs(List.of(), List.of());
            }
            case VL -> {
                if (!r.audioClips().isEmpty()) {
                    throw new IllegalArgumentException(model.id() + " has no audio encoder; send audio to an omni "
                            + "model");
                }
                if (!outs.equals(Set.of(Modality.TEXT))) {
                    throw new IllegalArgumentException(model.id() + " produces text only; outputs " + outs
                            + " were asked for");
                }
            }
            case OMNI -> {
                if (outs.contains(Modality.IMAGE) || outs.contains(Modality.VIDEO)) {
                    throw new IllegalArgumentException(model.id() + " produces text and speech; outputs " + outs
                            + " were asked for");
                }
            }
        }
        List<ImageInput> images = new ArrayList<>();
        for (int i = 0; i < r.images().size(); i++) {
            images.add(ImageInput.of(ImageFiles.read(r.images().get(i), "image " + (i + 1)), TinyModels.VISION));
        }
        List<float[]> clips = new ArrayList<>();
        for (int i = 0; i < r.audioClips().size(); i++) {
            WavFiles.Audio a = WavFiles.resample(WavFiles.read(r.audioClips().get(i), "audio clip " + (i + 1)),
                    TinyModels.AUDIO.sampleRate());
            if (a.seconds() > TinyModels.AUDIO.maxSeconds()) {
                throw new IllegalArgumentException(String.format("audio clip %d lasts %.1f s, more than the %s "
                        + "audio encoder's %.0f s", i + 1, a.seconds(), model.id(), TinyModels.AUDIO.maxSeconds()));
            }
            if (TinyModels.AUDIO.tokens(a.samples().length) < 1) {
                throw new IllegalArgumentException("audio clip " + (i + 1) + " is too short for one audio token");
            }
            clips.add(a.samples());
        }
        return new Inputs(images, clips);
    }

    /** One request's way through the replicas; its sink is called under its lock, never after it ended. */
    private final class Flow implements InvocationHandle {
        private final long id;
        private final LocalModel model;
        private final ModelRequest request;
        private final OutputSink sink;
        private final Inputs inputs;
        private final Tensor[] embeddings;
        private final AtomicInteger encodesLeft;
        private final Utf8Deltas deltas = new Utf8Deltas();
        private boolean ended;
        private volatile boolean cancelled;
        private volatile boolean inLlm;
        private int promptTokens;

        Flow(long id, LocalModel model, ModelRequest request, OutputSink sink, Inputs inputs) {
            this.id = id;
            this.model = model;
            this.request = request;
            this.sink = sink;
            this.inputs = inputs;
            this.embeddings = new Tensor[inputs.images().size() + inputs.clips().size()];
            this.encodesLeft = new AtomicInteger(embeddings.length);
        }

        @Override
        public long requestId() {
            return id;
        }

        void start() {
            if (model.kind() == Kind.IMAGE) {
                replicas.imageGenerator(model.id()).submit(
                        new LocalReplicas.ImageJob(request.prompt(), request.seed(), settings.imageSizePx()),
                        this::isCancelled, LocalReplicas.callback(png -> {
                            emit(s -> s.image(png));
                            complete(new OutputSink.Usage(new ByteTokenizer().encode(request.prompt()).length, 0));
                        }, e -> fail(500, model.id() + "/generator", e)));
                return;
            }
            if (embeddings.length == 0) {
                prefill();
                return;
            }
            for (int i = 0; i < inputs.images().size(); i++) {
                int slot = i;
                replicas.visionEncoder().submit(inputs.images().get(i), this::isCancelled,
                        LocalReplicas.callback(t -> encoded(slot, t), e -> fail(500, "vision-encoder", e)));
            }
            for (int i = 0; i < inputs.clips().size(); i++) {
                int slot = inputs.images().size() + i;
                replicas.audioEncoder(model.id()).submit(inputs.clips().get(i), this::isCancelled,
                        LocalReplicas.callback(t -> encoded(slot, t), e -> fail(500, model.id() + "/audio-encoder",
                                e)));
            }
        }

        private void encoded(int slot, Tensor t) {
            embeddings[slot] = t;
            if (encodesLeft.decrementAndGet() == 0) {
                prefill();
            }
        }

        private void prefill() {
            List<Integer> prompt = new ArrayList<>();
            prompt.add(ByteTokenizer.BOS);
            int rows = 0;
            for (int i = 0; i < embeddings.length; i++) {
                int placeholder = i < inputs.images().size() ? ByteTokenizer.IMAGE : ByteTokenizer.AUDIO;
                for (int r = 0; r < embeddings[i].dim(0); r++) {
                    prompt.add(placeholder);
                }
                rows += embeddings[i].data().length;
            }
            for (int t : new ByteTokenizer().encode(request.prompt())) {
                prompt.add(t);
            }
            float[] spliced = null;
            if (rows > 0) {
                spliced = new float[rows];
                int o = 0;
                for (Tensor t : embeddings) {
                    System.arraycopy(t.data(), 0, spliced, o, t.data().length);
                    o += t.data().length;
                }
            }
            promptTokens = prompt.size();
            boolean speech = model.kind() == Kind.OMNI && request.outputs().contains(Modality.AUDIO);
            double temp = request.temperature();
            LlmEngine.Request seq = new LlmEngine.Request(id, prompt.stream().mapToInt(Integer::intValue).toArray(),
                    spliced, request.maxTokens(), new SamplingParams(temp, temp == 0 ? 1 : 0.95, request.seed()),
                    settings.ignoreEos() ? Set.of() : Set.of(ByteTokenizer.EOS), speech);
            inLlm = true;
            replicas.llm(model.id()).submit(seq, new LlmListener(speech));
            if (cancelled) {
                replicas.llm(model.id()).abort(id);
            }
        }

        private final class LlmListener implements LlmLoop.Listener {
            private final boolean speech;
            private final boolean text = request.outputs().contains(Modality.TEXT);
            private boolean first = true;

            LlmListener(boolean speech) {
                this.speech = speech;
            }

            @Override
            public void token(int token) {
                if (first && text) {
                    first = false;
                    emit(OutputSink::firstToken);
                }
                String delta = deltas.feed(token);
                if (text && !delta.isEmpty()) {
                    emit(s -> s.text(delta));
                }
            }

            @Override
            public void finished(LlmEngine.Finished f) {
                inLlm = false;
                String tail = deltas.finish();
                if (text && !tail.isEmpty()) {
                    emit(s -> s.text(tail));
                }
                OutputSink.Usage usage = new OutputSink.Usage(promptTokens, f.tokens().length);
                if (!speech) {
                    complete(usage);
                    return;
                }
                int codes = Math.max(TinyModels.TALKER.codesPerSecond(), Math.min(4 * f.tokens().length, 4000));
                replicas.talker(model.id()).submit(new Talker.Request(f.hidden(), codes,
                        new SamplingParams(0.9, 0.95, request.seed())), Flow.this::isCancelled,
                        LocalReplicas.callback(codeIds -> replicas.vocoder(model.id()).submit(codeIds,
                                Flow.this::isCancelled, LocalReplicas.callback(wave -> {
                                    emit(s -> s.audio(WavFiles.toBytes(wave, TinyModels.VOCODER.sampleRate())));
                                    complete(usage);
                                }, e -> fail(500, model.id() + "/vocoder", e))),
                                e -> fail(500, model.id() + "/talker", e)));
            }

            @Override
            public void failed(int httpStatus, String message) {
                inLlm = false;
                fail(httpStatus, replicas.llmName(model.id()), message);
            }
        }

        boolean isCancelled() {
            return cancelled;
        }

        private synchronized void emit(java.util.function.Consumer<OutputSink> call) {
            if (!ended) {
                call.accept(sink);
            }
        }

        private void complete(OutputSink.Usage usage) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                inFlight.decrementAndGet();
                sink.completed(usage);
            }
        }

        private void fail(int status, String stage, RuntimeException e) {
            int code = closed.get() ? 503 : e instanceof IllegalArgumentException ? 400 : status;
            fail(code, stage, String.valueOf(e.getMessage()));
        }

        private void fail(int status, String stage, String message) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                inFlight.decrementAndGet();
                sink.failed(new OutputSink.Failure(status, stage, message));
            }
        }

        @Override
        public void cancel() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                cancelled = true;
                inFlight.decrementAndGet();
            }
            if (inLlm) {
                replicas.llm(model.id()).abort(id);
            }
        }
    }

    /** Stops every replica thread; requests still inside fail with 503. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            replicas.close();
            kernels.close();
        }
    }

    /** The settings this invoker runs with. */
    public LocalEngineSettings settings() {
        return settings;
    }
}
