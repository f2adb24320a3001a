package org.cornserve.traces;

/**
 * How to read a trace. Every reader honours {@code app} and {@code skipBad}; the others matter to some
 * formats only.
 *
 * @param app the app name to give every record, or null for the format's default
 *     ({@link TraceRecord#DEFAULT_APP}, or BurstGPT's Model column, or the JSONL file's own field)
 * @param skipBad count and skip bad lines instead of stopping at the first
 * @param seed seed of the formats that generate requests from distributions (servegen)
 * @param windowStartS start of the time window to generate, seconds of the day (servegen)
 * @param windowEndS end (exclusive) of the window, seconds of the day (servegen)
 * @param imageTokensEach azure-mm: encoder tokens per image, moved out of ContextTokens into each image
 *     item; 0 keeps all ContextTokens as text and leaves image tokens unknown (0)
 */
public record ReadOptions(String app, boolean skipBad, long seed, double windowStartS, double windowEndS,
        int imageTokensEach) {

    /** Defaults: format's app, stop at the first bad line, seed 1, window 0:3600, image tokens unknown. */
    public static final ReadOptions DEFAULTS = new ReadOptions(null, false, 1, 0, 3600, 0);

    public ReadOptions {
        if (app != null && app.isBlank()) {
            throw new IllegalArgumentException("app must be a non-blank name");
        }
        if (!(windowStartS >= 0) || !(windowEndS > windowStartS) || Double.isInfinite(windowEndS)) {
            throw new IllegalArgumentException("window must satisfy 0 <= start < end, got "
                    + windowStartS + ":" + windowEndS);
        }
        if (imageTokensEach < 0) {
            throw new IllegalArgumentException("image tokens per image must be >= 0, got " + imageTokensEach);
        }
    }

    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    public ReadOptions withApp(String newApp) {
        return new ReadOptions(newApp, skipBad, seed, windowStartS, windowEndS, imageTokensEach);
    }

    public ReadOptions withSkipBad(boolean newSkipBad) {
        return new ReadOptions(app, newSkipBad, seed, windowStartS, windowEndS, imageTokensEach);
    }

    public ReadOptions withSeed(long newSeed) {
        return new ReadOptions(app, skipBad, newSeed, windowStartS, windowEndS, imageTokensEach);
    }

    public ReadOptions withWindow(double startS, double endS) {
        return new ReadOptions(app, skipBad, seed, startS, endS, imageTokensEach);
    }

    public ReadOptions withImageTokensEach(int tokens) {
        return new ReadOptions(app, skipBad, seed, windowStartS, windowEndS, tokens);
    }

    /** The app to use when the source names none. */
    public String appOrDefault() {
        return app == null ? TraceRecord.DEFAULT_APP : app;
    }
}
