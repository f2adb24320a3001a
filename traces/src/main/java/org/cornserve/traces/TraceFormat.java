package org.cornserve.traces;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.cornserve.traces.azure.AzureLlmTraceReader;
import org.cornserve.traces.azure.AzureMultimodalTraceReader;
import org.cornserve.traces.burstgpt.BurstGptTraceReader;
import org.cornserve.traces.jsonl.JsonlTraceReader;
import org.cornserve.traces.mooncake.MooncakeTraceReader;
import org.cornserve.traces.servegen.ServeGenPool;
import org.cornserve.traces.servegen.ServeGenTraceGenerator;

/**
 * The trace formats this module reads, by the name the command line and experiment specs use.
 *
 * <pre>{@code
 * try (TraceReader r = TraceFormat.byName("azure-llm").open(Path.of("conv.csv"), ReadOptions.defaults())) {
 *     for (TraceRecord rec; (rec = r.read()) != null; ) { ... }
 * }
 * }</pre>
 */
public enum TraceFormat {
    /** Azure LLM inference trace 2023: {@code TIMESTAMP,ContextTokens,GeneratedTokens}. */
    AZURE_LLM("azure-llm", AzureLlmTraceReader::open),
    /** Azure multimodal inference trace 2025: {@code TIMESTAMP,NumImages,ContextTokens,GeneratedTokens}. */
    AZURE_MM("azure-mm", AzureMultimodalTraceReader::open),
    /** Mooncake JSON Lines: {@code timestamp} (ms), {@code input_length}, {@code output_length}, {@code hash_ids}. */
    MOONCAKE("mooncake", MooncakeTraceReader::open),
    /** BurstGPT CSV: {@code Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type}. */
    BURSTGPT("burstgpt", BurstGptTraceReader::open),
    /** A ServeGen folder of per-client distributions, generated for the options' window and seed. */
    SERVEGEN("servegen", (path, options) -> new ServeGenTraceGenerator(ServeGenPool.load(path),
            options.windowStartS(), options.windowEndS(), options.seed(), options.appOrDefault())),
    /** This project's canonical JSON Lines (see {@link org.cornserve.traces.jsonl.JsonlTraceWriter}). */
    JSONL("jsonl", JsonlTraceReader::open);

    /** Opens a reader of one format. */
    @FunctionalInterface
    public interface Opener {
        TraceReader open(Path path, ReadOptions options) throws IOException;
    }

    private final String formatName;
    private final Opener opener;

    TraceFormat(String formatName, Opener opener) {
        this.formatName = formatName;
        this.opener = opener;
    }

    /** The name used on the command line ({@code azure-llm}, {@code jsonl}, ...). */
    public String formatName() {
        return formatName;
    }

    /** Opens {@code path} (a file, or a folder for servegen) as a streaming reader. */
    public TraceReader open(Path path, ReadOptions options) throws IOException {
        if (!java.nio.file.Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no such " + formatName + " trace");
        }
        return opener.open(path, options);
    }

    /** A reopenable source of {@code path} in this format. */
    public TraceSource source(Path path, ReadOptions options) {
        return () -> open(path, options);
    }

    /** The format of the given name; an unknown name lists the known ones. */
    public static TraceFormat byName(String name) {
        for (TraceFormat f : values()) {
            if (f.formatName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown trace format '" + name + "'; known: " + names());
    }

    /** The known names, comma separated. */
    public static String names() {
        return Arrays.stream(values()).map(TraceFormat::formatName).collect(Collectors.joining(", "));
    }
}
