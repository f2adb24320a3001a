package org.cornserve.runtime.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.model.task.AudioEncoder;
import org.cornserve.model.task.VisionEncoder;

/**
 * Turns a trace record's shape into real inputs for one model: prompt text of the traced text tokens, a PNG per
 * image whose pixel size gives the traced image tokens under the model's token rule ({@link MediaSizes}), a WAV
 * per audio clip of the traced seconds (or of the traced tokens under the model's audio rule).
 *
 * <p>Prompt text is ASCII words, one byte per token: exact for the byte-level tokenizer of the tiny models; a
 * subword tokenizer would count fewer tokens. Each request's words are drawn from its own seed, so prompts do not
 * share prefixes. Encoded media are cached by size (a trace reuses a few sizes), so synthesis stays off the
 * replay's critical path after the first few requests; the cache holds at most {@value #CACHE_ENTRIES} entries.
 * Not thread-safe.
 */
public final class RequestSynthesizer implements InputSynthesizer {
    private static final int CACHE_ENTRIES = 64;
    private static final String[] WORDS = {"the", "image", "shows", "a", "river", "under", "bright", "sky", "with",
        "two", "boats", "and", "some", "trees", "near", "old", "stone", "bridge", "please", "describe", "what",
        "you", "see", "in", "detail", "then", "answer", "briefly", "why", "it", "matters"};

    private final ModelSpec model;
    private final Map<String, byte[]> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    /** @param model the model whose token rules size the media, or null for text-only traces */
    public RequestSynthesizer(ModelSpec model) {
        this.model = model;
    }

    /**
     * The inputs for one record.
     *
     * @throws IllegalArgumentException when the model does not take one of the record's media
     */
    @Override
    public SynthesizedRequest synthesize(RequestShape shape, long seed) {
        List<byte[]> pngs = new ArrayList<>();
        List<byte[]> wavs = new ArrayList<>();
        long inputTokens = shape.textTokens();
        for (MediaItem item : shape.media()) {
            if (model == null) {
                throw new IllegalArgumentException("the trace has " + item.modality().jsonName() + " input; name the"
                        + " model whose token rules size it (--model)");
            }
            inputTokens += model.mediaTokens(item); // throws, naming the model, when it does not take this input
            switch (item.modality()) {
                case IMAGE -> {
                    VisionEncoder v = model.visionEncoder().orElseThrow();
                    MediaSizes.Pixels p = MediaSizes.image(v, item);
                    pngs.add(cache.computeIfAbsent("png:" + p.widthPx() + "x" + p.heightPx(),
                            k -> SyntheticMedia.png(p.widthPx(), p.heightPx(), p.widthPx() * 31L + p.heightPx())));
                }
                case AUDIO -> {
                    AudioEncoder a = model.audioEncoder().orElse(null);
                    double seconds = MediaSizes.audioSeconds(a, item);
                    int samples = SyntheticMedia.samples(seconds);
                    wavs.add(cache.computeIfAbsent("wav:" + samples, k -> SyntheticMedia.wav(seconds, samples)));
                }
                default -> throw new IllegalArgumentException("replay cannot synthesise " + item.modality().jsonName()
                        + " input yet");
            }
        }
        return new SynthesizedRequest(prompt(shape.textTokens(), seed), pngs, wavs, Math.max(1, shape.outputTokens()),
                shape.outputModalities(), inputTokens, expectedAudioSeconds(shape));
    }

    /** The speech a record asks back by the model's composite task (the simulator's figure), 0 when unknown. */
    private double expectedAudioSeconds(RequestShape shape) {
        if (model == null || !shape.wants(Modality.AUDIO) || model.vocoder().isEmpty()) {
            return 0;
        }
        try {
            return org.cornserve.planner.schedule.graph.RequestGraphs.toInvocations(
                    new org.cornserve.model.graph.CompositeTask(model).requestGraph(shape),
                    model.vocoder().orElseThrow().sampleRateHz()).audioSeconds();
        } catch (IllegalArgumentException e) {
            return 0; // the model cannot answer this shape: the server's error says so
        }
    }

    /** ASCII text of exactly {@code bytes} bytes (at least one), seeded words separated by spaces. */
    static String prompt(int bytes, long seed) {
        int n = Math.max(1, bytes);
        StringBuilder sb = new StringBuilder(n + 16);
        long x = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        while (sb.length() < n) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(WORDS[(int) Math.floorMod(x, (long) WORDS.length)]);
        }
        sb.setLength(n);
        return sb.toString();
    }

    public ModelSpec model() {
        return model;
    }

    /** Whether the record asks for speech back. */
    static boolean wantsSpeech(SynthesizedRequest r) {
        return r.outputs().contains(Modality.AUDIO);
    }
}
