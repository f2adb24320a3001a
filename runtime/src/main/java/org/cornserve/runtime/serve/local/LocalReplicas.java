package org.cornserve.runtime.serve.local;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.audio.AudioEncoder;
import org.cornserve.runtime.engine.audio.Talker;
import org.cornserve.runtime.engine.audio.Vocoder;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.image.DiffusionTransformer;
import org.cornserve.runtime.engine.image.VaeDecoder;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmEngine;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.llm.SeqChunk;
import org.cornserve.runtime.engine.tensor.Tensor;
import org.cornserve.runtime.engine.vision.ImageInput;
import org.cornserve.runtime.engine.vision.VisionEncoder;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.cornserve.runtime.serve.ServingStats;
import org.cornserve.runtime.serve.local.LocalEngineSettings.Kind;
import org.cornserve.runtime.serve.local.LocalEngineSettings.LocalModel;

/**
 * The in-process replicas of every unit task the settings' models need, one thread each, built once: a vision
 * encoder shared by every model with an image input (same weights, so one deployment, as equivalent unit tasks are
 * shared), and per model its LLM loop, audio encoder, talker and vocoder, or image generator. Encoders, talker,
 * vocoder and generator load weights seeded 0; each LLM loads weights seeded by its model's {@code llmWeightSeed}.
 */
public final class LocalReplicas implements AutoCloseable {

    /** One image to generate. */
    public record ImageJob(String prompt, long seed, int sizePx) {
    }

    private final BatchWorker<ImageInput, Tensor> vision;
    private final Map<String, LlmLoop> llms = new LinkedHashMap<>();
    private final Map<String, String> llmNames = new LinkedHashMap<>();
    private final Map<String, BatchWorker<float[], Tensor>> audio = new LinkedHashMap<>();
    private final Map<String, BatchWorker<Talker.Request, int[]>> talkers = new LinkedHashMap<>();
    private final Map<String, BatchWorker<int[], float[]>> vocoders = new LinkedHashMap<>();
    private final Map<String, BatchWorker<ImageJob, byte[]>> generators = new LinkedHashMap<>();

    /** Loads and starts every replica. */
    public LocalReplicas(LocalEngineSettings settings, Kernels kernels) {
        SeededWeights seed0 = new SeededWeights(0);
        boolean anyVision = settings.models().stream().anyMatch(m -> m.kind() != Kind.IMAGE);
        if (anyVision) {
            VisionEncoder encoder = new VisionEncoder(TinyModels.VISION, seed0, kernels);
            vision = new BatchWorker<>("vision-encoder", settings.maxEncoderBatch(), encoder::encode);
        } else {
            vision = null;
        }
        for (LocalModel m : settings.models()) {
            switch (m.kind()) {
                case VL, OMNI -> {
                    String name = m.id() + (m.kind() == Kind.OMNI ? "/thinker" : "/llm");
                    LlmModel llm = new LlmModel(TinyModels.LLM, new SeededWeights(m.llmWeightSeed()), "", kernels,
                            Set.of(ByteTokenizer.IMAGE, ByteTokenizer.AUDIO));
                    int blocks = settings.kvCacheTokens() / 16;
                    llms.put(m.id(), new LlmLoop(name, () -> new LlmEngine(llm,
                            new KvCache(TinyModels.LLM, blocks, 16), settings.maxBatchTokens()),
                            settings.maxRunningSequences()));
                    llmNames.put(m.id(), name);
                    if (m.kind() == Kind.OMNI) {
                        AudioEncoder enc = new AudioEncoder(TinyModels.AUDIO, seed0, kernels);
                        audio.put(m.id(), new BatchWorker<>(m.id() + "/audio-encoder", settings.maxEncoderBatch(),
                                enc::encode));
                        Talker talker = new Talker(TinyModels.TALKER, seed0, kernels, 16384);
                        talkers.put(m.id(), new BatchWorker<>(m.id() + "/talker", settings.maxEncoderBatch(),
                                talker::generate));
                        Vocoder vocoder = new Vocoder(TinyModels.VOCODER, seed0, kernels);
                        vocoders.put(m.id(), new BatchWorker<>(m.id() + "/vocoder", settings.maxEncoderBatch(),
                                vocoder::synthesize));
                    }
                }
                case IMAGE -> {
                    ImageGenerator gen = new ImageGenerator(seed0, kernels);
                    generators.put(m.id(), new BatchWorker<>(m.id() + "/generator", 1,
                            jobs -> jobs.stream().map(gen::generate).toList()));
                }
            }
        }
    }

    /** The shared vision encoder. */
    public BatchWorker<ImageInput, Tensor> visionEncoder() {
        return require(vision, "vision encoder");
    }

    /** A model's LLM (or thinker) loop. */
    public LlmLoop llm(String model) {
        return require(llms.get(model), model + " LLM");
    }

    /** The deployment name of a model's LLM (e.g. {@code tiny-omni/thinker}). */
    public String llmName(String model) {
        return llmNames.getOrDefault(model, model + "/llm");
    }

    public BatchWorker<float[], Tensor> audioEncoder(String model) {
        return require(audio.get(model), model + " audio encoder");
    }

    public BatchWorker<Talker.Request, int[]> talker(String model) {
        return require(talkers.get(model), model + " talker");
    }

    public BatchWorker<int[], float[]> vocoder(String model) {
        return require(vocoders.get(model), model + " vocoder");
    }

    public BatchWorker<ImageJob, byte[]> imageGenerator(String model) {
        return require(generators.get(model), model + " image generator");
    }

    /** Every replica's state now. */
    public List<ServingStats.Deployment> stats() {
        List<ServingStats.Deployment> out = new ArrayList<>();
        if (vision != null) {
            out.add(vision.stats());
        }
        llms.values().forEach(l -> out.add(l.stats()));
        audio.values().forEach(w -> out.add(w.stats()));
        talkers.values().forEach(w -> out.add(w.stats()));
        vocoders.values().forEach(w -> out.add(w.stats()));
        generators.values().forEach(w -> out.add(w.stats()));
        return out;
    }

    /** A batch worker callback from two lambdas. */
    public static <O> BatchWorker.Callback<O> callback(Consumer<O> done, Consumer<RuntimeException> failed) {
        return BatchWorker.callback(done, failed);
    }

    private static <T> T require(T replica, String what) {
        if (replica == null) {
            throw new IllegalStateException("no " + what + " is deployed");
        }
        return replica;
    }

    @Override
    public void close() {
        llms.values().forEach(LlmLoop::close);
        for (Map<String, ? extends BatchWorker<?, ?>> m : List.of(audio, talkers, vocoders, generators)) {
            m.values().forEach(BatchWorker::close);
        }
        if (vision != null) {
            vision.close();
        }
    }

    /** tiny-image colocated in one replica: text encoder, diffusion transformer, VAE decoder, PNG encoding. */
    private static final class ImageGenerator {
        private final LlmModel textEncoder;
        private final DiffusionTransformer dit;
        private final VaeDecoder vae;

        ImageGenerator(SeededWeights weights, Kernels kernels) {
            this.textEncoder = new LlmModel(TinyModels.TEXT_ENCODER, weights, "text_encoder.", kernels, Set.of());
            this.dit = new DiffusionTransformer(TinyModels.DIT, weights, kernels);
            this.vae = new VaeDecoder(TinyModels.VAE, weights, kernels);
        }

        byte[] generate(ImageJob job) {
            int[] ids = new ByteTokenizer().encode(job.prompt());
            if (ids.length == 0 || ids.length > TinyModels.TEXT_ENCODER.maxPositions()) {
                throw new IllegalArgumentException("the image prompt has " + ids.length + " tokens; the text encoder "
                        + "takes 1 to " + TinyModels.TEXT_ENCODER.maxPositions());
            }
            float[] states = textEncoder.step(List.of(new SeqChunk(1, 0, ids, null, false, true)),
                    new KvCache(TinyModels.TEXT_ENCODER, (ids.length + 15) / 16, 16)).get(0).hidden();
            int latent = job.sizePx() / TinyModels.VAE.scale();
            float[] z = dit.generate(states, ids.length, latent, latent, job.seed());
            float[] rgb = vae.decode(z, latent, latent);
            return ImageFiles.pngBytes(rgb, job.sizePx(), job.sizePx());
        }
    }
}
