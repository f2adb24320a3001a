package org.cornserve.cli.catalog;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.cornserve.model.Modality;
import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.graph.Flow;
import org.cornserve.model.json.Json;
import org.cornserve.model.task.AudioEncoder;
import org.cornserve.model.task.Component;
import org.cornserve.model.task.DiffusionTransformer;
import org.cornserve.model.task.LanguageModel;
import org.cornserve.model.task.Talker;
import org.cornserve.model.task.UnitTask;
import org.cornserve.model.task.VaeDecoder;
import org.cornserve.model.task.VisionEncoder;
import org.cornserve.model.task.Vocoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cornserve models [NAME] [--json]}: the model catalog, or one model's components in detail. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"List the built-in models (components, parameters, weight memory).",
            "With a NAME, show each component's architecture, parameters, weight memory, token rules and sources."})
public final class ModelsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "model name, e.g. qwen2.5-omni-7b")
    String name;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        ModelCatalog catalog = ModelCatalog.builtIn();
        if (name != null) {
            ModelSpec m = catalog.model(name);
            if (json) {
                out.println(Json.write(m));
            } else {
                detail(out, m);
            }
        } else if (json) {
            out.println(Json.write(new ModelCatalog.File(catalog.models())));
        } else {
            TextTable t = new TextTable("NAME", "IN", "OUT", "COMPONENTS", "PARAMS", "ACTIVE", "WEIGHTS");
            for (ModelSpec m : catalog.models()) {
                long active = m.components().stream().mapToLong(Component::activeParams).sum();
                t.row(m.name(), modalities(m.inputModalities()), modalities(m.outputModalities()),
                        m.components().stream().map(c -> c.shareId().isEmpty() ? c.id() : c.id() + "=" + c.shareId())
                                .collect(Collectors.joining(",")),
                        TextTable.count(m.params()), active == m.params() ? "-" : TextTable.count(active),
                        TextTable.bytes(m.weightBytes()));
            }
            t.print(out);
            out.println();
            out.println("Weights at each component's bytes per param (bf16 = 2; the tiny models run fp32 = 4)."
                    + " `cornserve models NAME` shows components and sources.");
        }
        out.flush();
    }

    private static String modalities(java.util.Set<Modality> set) {
        return set.stream().sorted().map(Modality::jsonName).collect(Collectors.joining(","));
    }

    private static void detail(PrintWriter out, ModelSpec m) {
        out.println(m.name() + " (" + m.displayName() + "): " + m.description());
        out.println("  input " + modalities(m.inputModalities()) + "; output " + modalities(m.outputModalities())
                + "; " + TextTable.count(m.params()) + " parameters, " + TextTable.bytes(m.weightBytes()) + " of weights");
        for (Map.Entry<String, String> e : m.sources().entrySet()) {
            out.println("  " + e.getKey() + ": " + e.getValue());
        }
        for (Component c : m.components()) {
            out.println();
            UnitTask task = UnitTask.whole(m.name(), c);
            out.println("  " + c.id() + "  [" + c.kind().jsonName() + ", task id " + task.id() + "]"
                    + (c.shareId().isEmpty() ? "" : "  shared by every model that uses " + c.shareId()));
            if (!descriptionOf(c).isEmpty()) {
                out.println("    " + descriptionOf(c));
            }
            for (String line : architecture(c)) {
                out.println("    " + line);
            }
            String params = TextTable.count(c.params()) + " parameters";
            if (c.publishedParams() > 0) {
                params += " (published; from the architecture " + TextTable.count(c.computedParams()) + ")";
            } else {
                params += " (from the architecture)";
            }
            if (c.activeParams() != c.params()) {
                params += ", " + TextTable.count(c.activeParams()) + " active per token";
            }
            out.println("    " + params + "; weights " + TextTable.bytes(c.weightBytes()) + " at " + c.bytesPerParam()
                    + " bytes/param");
            out.println("    sources:");
            for (Map.Entry<String, String> e : c.sources().entrySet()) {
                out.println("      " + e.getKey() + ": " + e.getValue());
            }
        }
        out.println();
        out.println("  composite task (all components, a small request using every modality):");
        for (Flow f : new CompositeTask(m).structure(false).flows()) {
            out.println("    " + f.source() + " -> " + f.target() + ": " + f.kind().jsonName());
        }
    }

    private static String descriptionOf(Component c) {
        return switch (c) {
            case VisionEncoder v -> v.description();
            case AudioEncoder a -> a.description();
            case LanguageModel l -> l.description();
            case Talker t -> t.description();
            case DiffusionTransformer d -> d.description();
            case Vocoder v -> v.description();
            case VaeDecoder v -> v.description();
        };
    }

    static String arch(TransformerArch a) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "hidden %d, layers %d, heads %d (kv %d, head_dim %d)", a.hiddenSize(), a.layers(), a.attentionHeads(),
                a.kvHeads(), a.headDim()));
        if (a.intermediateSize() > 0) {
            sb.append(", ").append(a.gatedMlp() ? "gated MLP " : "MLP ").append(a.intermediateSize());
        }
        if (a.isMoe()) {
            sb.append(String.format(Locale.ROOT, ", MoE %d experts x %d, %d per token", a.experts(),
                    a.moeIntermediateSize(), a.expertsPerToken()));
        }
        if (a.vocabSize() > 0) {
            sb.append(", vocab ").append(a.vocabSize()).append(a.tiedEmbeddings() ? " (tied)" : "");
        }
        return sb.toString();
    }

    private static List<String> architecture(Component c) {
        List<String> lines = new ArrayList<>();
        switch (c) {
            case VisionEncoder v -> {
                lines.add("ViT: " + arch(v.arch()));
                lines.add(String.format(Locale.ROOT, "patch %d, spatial merge %d, temporal patch %d, out width %d",
                        v.patchSize(), v.spatialMergeSize(), v.temporalPatchSize(), v.outHiddenSize()));
                var r = v.tokenRule();
                lines.add("image tokens: " + r.method().jsonName() + switch (r.method()) {
                    case SMART_RESIZE -> String.format(Locale.ROOT, " (multiples of %d px, %d..%d pixels)",
                            v.resizeFactorPx(), r.minPixels(), r.maxPixels());
                    case DYNAMIC_TILES -> String.format(Locale.ROOT, " (%d tokens per %d px tile, up to %d tiles%s)",
                            r.tokensPerTile(), r.tileSizePx(), r.maxTiles(), r.thumbnail() ? " + thumbnail" : "");
                    case FIXED -> String.format(Locale.ROOT, " (%d tokens per image)", r.fixedTokens());
                } + String.format(Locale.ROOT, "; unknown size = %dx%d -> %d tokens", r.defaultWidthPx(),
                        r.defaultHeightPx(), v.defaultImageTokens()));
            }
            case AudioEncoder a -> {
                lines.add("encoder: " + arch(a.arch()));
                lines.add(String.format(Locale.ROOT, "%d mel bins at %d frames/s, rule %s: %.1f tokens per second, out width %d",
                        a.melBins(), a.melFramesPerSecond(), a.tokenRule().jsonName(), a.tokensPerSecond(), a.outHiddenSize()));
            }
            case LanguageModel l -> {
                lines.add((l.prefillOnly() ? "text encoder (prefill only): " : "decoder: ") + arch(l.arch()));
                lines.add(String.format(Locale.ROOT, "KV cache %d bytes per token%s%s", l.kvBytesPerToken(),
                        l.maxPositionEmbeddings() > 0 ? ", context " + l.maxPositionEmbeddings() : "",
                        l.maxInputTokens() > 0 ? ", at most " + l.maxInputTokens() + " input tokens" : ""));
            }
            case Talker t -> {
                lines.add("talker: " + arch(t.arch()));
                if (t.codePredictor() != null) {
                    lines.add("code predictor: " + arch(t.codePredictor()));
                }
                lines.add(String.format(Locale.ROOT, "%d code group(s) per frame, %.1f frames/s, reads width %d;"
                        + " speech rate %.1f text tokens/s (assumption)", t.codeGroups(), t.codeFramesPerSecond(),
                        t.thinkerHiddenSize(), t.textTokensPerSecondOfSpeech()));
            }
            case DiffusionTransformer d -> {
                lines.add("DiT (" + d.streams() + " stream" + (d.streams() > 1 ? "s" : "") + "): " + arch(d.arch()));
                lines.add(String.format(Locale.ROOT, "patch %d, latent channels %d, text width %d, %d steps x %d passes,"
                        + " default %dx%d px = %d tokens", d.patchSize(), d.latentChannels(), d.jointAttentionDim(),
                        d.defaultSteps(), d.guidancePasses(), d.defaultWidthPx(), d.defaultHeightPx(), d.defaultImageTokens()));
            }
            case Vocoder v -> {
                if (v.arch() != null) {
                    lines.add("transformer: " + arch(v.arch()) + String.format(Locale.ROOT, ", %d step(s) x %d pass(es)",
                            v.diffusionSteps(), v.guidancePasses()));
                }
                lines.add(String.format(Locale.ROOT, "upsampler %d -> %d channels, rates %s: %d samples per code at %d Hz"
                        + " (%.1f codes/s)", v.upsampler().inputChannels(), v.upsampler().initialChannels(),
                        v.upsampler().upsampleRates(), v.samplesPerCode(), v.sampleRateHz(), v.codesPerSecond()));
            }
            case VaeDecoder v -> lines.add(String.format(Locale.ROOT,
                    "z %d -> RGB, %dx upsampling, base %d x %s, %d res blocks, kernel volume %d", v.latentChannels(),
                    v.spatialCompression(), v.baseDim(), v.dimMult(), v.numResBlocks(), v.kernelVolume()));
        }
        return lines;
    }
}
