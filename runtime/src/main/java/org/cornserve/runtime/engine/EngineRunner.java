package org.cornserve.runtime.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cornserve.runtime.engine.audio.AudioEncoder;
import org.cornserve.runtime.engine.audio.Talker;
import org.cornserve.runtime.engine.audio.Vocoder;
import org.cornserve.runtime.engine.generate.BpeTokenizer;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.generate.SamplingParams;
import org.cornserve.runtime.engine.generate.Tokenizer;
import org.cornserve.runtime.engine.image.DiffusionTransformer;
import org.cornserve.runtime.engine.image.VaeDecoder;
import org.cornserve.runtime.engine.io.ImageFiles;
import org.cornserve.runtime.engine.io.WavFiles;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmConfig;
import org.cornserve.runtime.engine.llm.LlmEngine;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.llm.SeqChunk;
import org.cornserve.runtime.engine.tensor.Tensor;
import org.cornserve.runtime.engine.vision.ImageInput;
import org.cornserve.runtime.engine.vision.VisionEncoder;
import org.cornserve.runtime.engine.vision.VitConfig;
import org.cornserve.runtime.engine.weights.HfConfigs;
import org.cornserve.runtime.engine.weights.SafetensorsWeights;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.cornserve.runtime.engine.weights.WeightSource;

/**
 * Runs one request through every component a tiny model's graph needs, in one process: encoders for
 * the given media, the LLM, and the talker + vocoder (tiny-omni) or text encoder + diffusion
 * transformer + VAE (tiny-image); writes the text, WAV or PNG produced. Weights are seeded unless a
 * Hugging Face directory is given, from which the LLM (and a Qwen2-VL vision tower, when present) load.
 */
public final class EngineRunner {
    /**
     * One request.
     *
     * @param prompt user text
     * @param image image file or null
     * @param audio WAV file or null
     * @param maxTokens text tokens to generate at most
     * @param seed sampling and noise seed
     * @param temperature 0 for greedy
     * @param imageSizePx side of a generated image (tiny-image)
     * @param outDir where outputs are written
     */
    public record RunRequest(String prompt, Path image, Path audio, int maxTokens, long seed, double temperature,
            int imageSizePx, Path outDir) {
        public RunRequest {
            if (prompt == null || prompt.isEmpty() || maxTokens < 1 || outDir == null) {
                throw new IllegalArgumentException("a run needs a prompt, max tokens >= 1 and an output directory");
            }
        }
    }

    /** Time spent in one component. */
    public record ComponentTiming(String component, double millis, String detail) {
    }

    /** What a run produced. */
    public record RunResult(String text, int[] tokens, List<Path> files, List<ComponentTiming> timings,
            List<String> weightSources) {
    }

    private final TinyModels.Model model;
    private final Kernels kernels;
    private final long weightSeed;
    private final Path weightsDir;

    /** A runner for {@code model} on {@code kernels}; weights from {@code weightsDir} (null: seeded by weightSeed). */
    public EngineRunner(TinyModels.Model model, Kernels kernels, long weightSeed, Path weightsDir) {
        this.model = model;
        this.kernels = kernels;
        this.weightSeed = weightSeed;
        this.weightsDir = weightsDir;
    }

    /** Runs {@code req}, writing outputs under {@code req.outDir()}. */
    public RunResult run(RunRequest req) throws IOException {
        Files.createDirectories(req.outDir());
        if (model == TinyModels.Model.TINY_IMAGE) {
            return runImage(req);
        }
        List<ComponentTiming> timings = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        WeightSource seeded = new SeededWeights(weightSeed);
        WeightSource hf = weightsDir == null ? null : new SafetensorsWeights(weightsDir);
        JsonNode hfConfig = weightsDir == null ? null : HfConfigs.read(weightsDir);
        LlmConfig llmConfig = hf == null ? TinyModels.LLM : HfConfigs.llm(hfConfig, weightsDir);
        Tokenizer tokenizer = weightsDir != null && Files.exists(weightsDir.resolve("tokenizer.json"))
                ? BpeTokenizer.load(weightsDir.resolve("tokenizer.json")) : new ByteTokenizer();
        int imageToken = hfConfig == null ? ByteTokenizer.IMAGE : hfConfig.path("image_token_id").asInt(ByteTokenizer.IMAGE);
        int audioToken = hfConfig == null ? ByteTokenizer.AUDIO : hfConfig.path("audio_token_id").asInt(ByteTokenizer.AUDIO);
        int bos = hfConfig == null ? ByteTokenizer.BOS : hfConfig.path("bos_token_id").asInt(-1);
        Set<Integer> stops = new HashSet<>();
        if (hfConfig == null) {
            stops.add(ByteTokenizer.EOS);
        } else {
            JsonNode eos = hfConfig.path("eos_token_id");
            if (eos.isArray()) {
                eos.forEach(e -> stops.add(e.asInt()));
            } else if (eos.canConvertToInt()) {
                stops.add(eos.asInt());
            }
        }
        List<Integer> prompt = new ArrayList<>();
        if (bos >= 0) {
            prompt.add(bos);
        }
        List<float[]> spliced = new ArrayList<>();
        if (req.image() != null) {
            boolean realVision = hf != null && hf.has("visual.patch_embed.proj.weight");
            VitConfig vit = realVision ? HfConfigs.vision(hfConfig, weightsDir, TinyModels.VISION.maxTokens())
                    : TinyModels.VISION;
            long t0 = System.nanoTime();
            VisionEncoder enc = new VisionEncoder(vit, realVision ? hf : seeded, kernels);
            ImageInput img = ImageInput.of(ImageFiles.read(req.image()), vit);
            long t1 = System.nanoTime();
            Tensor emb = enc.encode(List.of(img)).get(0);
            timings.add(new ComponentTiming("vision-encoder", ms(t1, System.nanoTime()), img.width() + "x"
                    + img.height() + " px -> " + emb.dim(0) + " tokens (load " + Math.round(ms(t0, t1)) + " ms)"));
            sources.add("vision-encoder: " + (realVision ? hf.describe() : seeded.describe()));
            for (int i = 0; i < emb.dim(0); i++) {
                prompt.add(imageToken);
            }
            spliced.add(emb.data());
        }
        if (req.audio() != null) {
            if (model != TinyModels.Model.TINY_OMNI) {
                throw new IllegalArgumentException(model.id() + " has no audio encoder; use tiny-omni for --audio");
            }
            long t0 = System.nanoTime();
            AudioEncoder enc = new AudioEncoder(TinyModels.AUDIO, seeded, kernels);
            WavFiles.Audio wav = WavFiles.resample(WavFiles.read(req.audio()), TinyModels.AUDIO.sampleRate());
            long t1 = System.nanoTime();
            Tensor emb = enc.encode(List.of(wav.samples())).get(0);
            timings.add(new ComponentTiming("audio-encoder", ms(t1, System.nanoTime()),
                    String.format("%.2f s -> %d tokens", wav.seconds(), emb.dim(0))));
            sources.add("audio-encoder: " + seeded.describe());
            for (int i = 0; i < emb.dim(0); i++) {
                prompt.add(audioToken);
            }
            spliced.add(emb.data());
        }
        for (int t : tokenizer.encode(req.prompt())) {
            prompt.add(t);
        }
        long t0 = System.nanoTime();
        LlmModel llm = new LlmModel(llmConfig, hf == null ? seeded : hf, "", kernels, Set.of(imageToken, audioToken));
        sources.add("llm: " + (hf == null ? seeded.describe() : hf.describe()));
        int[] promptIds = prompt.stream().mapToInt(Integer::intValue).toArray();
        int capacity = promptIds.length + req.maxTokens();
        KvCache cache = new KvCache(llmConfig, (capacity + 15) / 16, 16);
        LlmEngine engine = new LlmEngine(llm, cache, 2048);
        boolean omni = model == TinyModels.Model.TINY_OMNI;
        engine.submit(new LlmEngine.Request(1, promptIds, spliced.isEmpty() ? null : Ops.concat(spliced), req.maxTokens(),
                new SamplingParams(req.temperature(), req.temperature() == 0 ? 1 : 0.95, req.seed()), stops, omni));
        long t1 = System.nanoTime();
        LlmEngine.Finished out = engine.runToCompletion().get(0);
        String text = tokenizer.decode(out.tokens());
        timings.add(new ComponentTiming(omni ? "thinker" : "llm", ms(t1, System.nanoTime()), promptIds.length
                + " prompt tokens, " + out.tokens().length + " generated (" + out.reason() + ")"));
        Path textFile = req.outDir().resolve("answer.txt");
        Files.writeString(textFile, text, StandardCharsets.UTF_8);
        files.add(textFile);
        if (omni) {
            long t2 = System.nanoTime();
            Talker talker = new Talker(TinyModels.TALKER, seeded, kernels, 8192);
            int codes = Math.max(TinyModels.TALKER.codesPerSecond(), Math.min(4 * out.tokens().length, 4000));
            int[] codeIds = talker.generate(List.of(new Talker.Request(out.hidden(), codes,
                    new SamplingParams(0.9, 0.95, req.seed())))).get(0);
            long t3 = System.nanoTime();
            timings.add(new ComponentTiming("talker", ms(t2, t3), codeIds.length + " codes"));
            Vocoder vocoder = new Vocoder(TinyModels.VOCODER, seeded, kernels);
            long t4 = System.nanoTime();
            float[] wave = vocoder.synthesize(List.of(codeIds)).get(0);
            timings.add(new ComponentTiming("vocoder", ms(t4, System.nanoTime()), String.format("%d samples, %.2f s",
                    wave.length, wave.length / (double) TinyModels.VOCODER.sampleRate())));
            Path wav = req.outDir().resolve("answer.wav");
            WavFiles.write(wav, wave, TinyModels.VOCODER.sampleRate());
            files.add(wav);
            sources.add("talker, vocoder: " + seeded.describe());
        }
        timings.add(0, new ComponentTiming("load-llm", ms(t0, t1), String.format(
                "%d params, %.1f MB weights, KV cache %d blocks x 16 tokens = %.1f MB", llmConfig.params(),
                llm.weightBytes() / 1e6, cache.capacityBlocks(), cache.bytes() / 1e6)));
        return new RunResult(text, out.tokens(), files, timings, sources);
    }

    private RunResult runImage(RunRequest req) throws IOException {
        if (req.image() != null || req.audio() != null) {
            throw new IllegalArgumentException("tiny-image takes a text prompt only");
        }
        if (weightsDir != null) {
            throw new IllegalArgumentException("tiny-image runs on seeded weights only; --weights loads LLM and "
                    + "vision weights (tiny-vl, tiny-omni)");
        }
        int scale = TinyModels.VAE.scale() * TinyModels.DIT.patch();
        if (req.imageSizePx() % scale != 0 || req.imageSizePx() <= 0) {
            throw new IllegalArgumentException("image size " + req.imageSizePx() + " must be a positive multiple of "
                    + scale + " px");
        }
        WeightSource seeded = new SeededWeights(weightSeed);
        List<ComponentTiming> timings = new ArrayList<>();
        int[] ids = new ByteTokenizer().encode(req.prompt());
        long tLoad = System.nanoTime();
        LlmModel textEncoder = new LlmModel(TinyModels.TEXT_ENCODER, seeded, "text_encoder.", kernels, Set.of());
        long t0 = System.nanoTime();
        float[] states = textEncoder.step(List.of(new SeqChunk(1, 0, ids, null, false, true)),
                new KvCache(TinyModels.TEXT_ENCODER, (ids.length + 15) / 16, 16)).get(0).hidden();
        long t1 = System.nanoTime();
        timings.add(new ComponentTiming("text-encoder", ms(t0, t1), ids.length + " tokens (load "
                + Math.round(ms(tLoad, t0)) + " ms)"));
        DiffusionTransformer dit = new DiffusionTransformer(TinyModels.DIT, seeded, kernels);
        int latent = req.imageSizePx() / TinyModels.VAE.scale();
        long t2 = System.nanoTime();
        float[] z = dit.generate(states, ids.length, latent, latent, req.seed());
        long t3 = System.nanoTime();
        timings.add(new ComponentTiming("diffusion-transformer", ms(t2, t3), TinyModels.DIT.steps() + " steps, "
                + (latent / TinyModels.DIT.patch()) * (latent / TinyModels.DIT.patch()) + " image tokens"));
        VaeDecoder vae = new VaeDecoder(TinyModels.VAE, seeded, kernels);
        long t4 = System.nanoTime();
        float[] rgb = vae.decode(z, latent, latent);
        timings.add(new ComponentTiming("vae-decoder", ms(t4, System.nanoTime()), req.imageSizePx() + "x"
                + req.imageSizePx() + " px"));
        Path png = req.outDir().resolve("image.png");
        ImageFiles.writePng(png, rgb, req.imageSizePx(), req.imageSizePx());
        return new RunResult("", new int[0], List.of(png), timings, List.of("all components: " + seeded.describe()));
    }

    private static double ms(long from, long to) {
        return (to - from) / 1e6;
    }

}
