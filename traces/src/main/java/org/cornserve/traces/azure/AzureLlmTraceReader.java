package org.cornserve.traces.azure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.io.LineProblem;

/**
 * Reads the Azure LLM inference trace of 2023 ({@code TIMESTAMP,ContextTokens,GeneratedTokens}):
 * text-only requests, arrival = offset from the first timestamp, ContextTokens as text tokens and
 * GeneratedTokens as output tokens.
 */
public final class AzureLlmTraceReader extends AzureCsvTraceReader {

    public static final String HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens";

    private final String app;

    public AzureLlmTraceReader(InputStream in, String sourceName, ReadOptions options) {
        super(in, sourceName, options.skipBad(), HEADER);
        this.app = options.appOrDefault();
    }

    public static AzureLlmTraceReader open(Path file, ReadOptions options) throws IOException {
        return new AzureLlmTraceReader(openFile(file), file.toString(), options);
    }

    @Override
    protected TraceRecord parseRest(long arrivalNanos) throws LineProblem {
        int context = fields.nextInt("ContextTokens");
        int generated = fields.nextInt("GeneratedTokens");
        return new TraceRecord(arrivalNanos, app, RequestShape.text(context, generated));
    }
}
