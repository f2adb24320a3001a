package org.cornserve.traces.azure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.io.LineProblem;

/**
 * Reads the Azure multimodal inference trace of 2025 ({@code TIMESTAMP,NumImages,ContextTokens,GeneratedTokens}).
 *
 * <p>The trace counts images but not their tokens, and its ContextTokens is the whole prompt as the
 * service billed it, image tokens included. By default every image becomes a {@link MediaItem} with
 * {@code tokens = 0} (unknown; a model derives its own count) and all ContextTokens stay text tokens.
 * With {@link ReadOptions#imageTokensEach()} {@code = N > 0} each image gets N tokens and
 * {@code ContextTokens - NumImages * N} (at least 0) remain text.
 */
public final class AzureMultimodalTraceReader extends AzureCsvTraceReader {

    public static final String HEADER = "TIMESTAMP,NumImages,ContextTokens,GeneratedTokens";

    private final String app;
    private final int imageTokensEach;
    private final List<List<MediaItem>> imagesByCount = new ArrayList<>();

    public AzureMultimodalTraceReader(InputStream in, String sourceName, ReadOptions options) {
        super(in, sourceName, options.skipBad(), HEADER);
        this.app = options.appOrDefault();
        this.imageTokensEach = options.imageTokensEach();
    }

    public static AzureMultimodalTraceReader open(Path file, ReadOptions options) throws IOException {
        return new AzureMultimodalTraceReader(openFile(file), file.toString(), options);
    }

    @Override
    protected TraceRecord parseRest(long arrivalNanos) throws LineProblem {
        int images = fields.nextInt("NumImages");
        int context = fields.nextInt("ContextTokens");
        int generated = fields.nextInt("GeneratedTokens");
        int text = (int) Math.max(0, context - (long) images * imageTokensEach);
        RequestShape shape = new RequestShape(text, images(images), generated, Set.of(Modality.TEXT));
        return new TraceRecord(arrivalNanos, app, shape);
    }

    /** The (shared, immutable) list of {@code count} images. */
    private List<MediaItem> images(int count) {
        if (count > 10_000) {
            return Collections.nCopies(count, MediaItem.imageTokens(imageTokensEach));
        }
        while (imagesByCount.size() <= count) {
            imagesByCount.add(List.copyOf(Collections.nCopies(imagesByCount.size(),
                    MediaItem.imageTokens(imageTokensEach))));
        }
        return imagesByCount.get(count);
    }
}
