package org.cornserve.runtime.replay;

import java.net.URI;
import java.time.Duration;

/**
 * How to replay a trace.
 *
 * @param url the server's base URL ({@code http://127.0.0.1:8000})
 * @param api the endpoint to call
 * @param target the model id (chat) or app id (invoke)
 * @param rateScale arrival rate multiplier: arrivals are sent at {@code arrival / rateScale}
 * @param timeout how long one request may take in all before it counts as failed ({@code timeout})
 * @param stream whether to ask for a streamed answer (chat; apps decide for themselves)
 * @param maxConcurrency a closed loop of this many slots, as {@code vllm bench serve --max-concurrency}: a request
 *     due while that many are in flight is sent when one ends (in trace order); 0 sends each when due (open loop)
 */
public record ReplaySettings(URI url, ReplayApi api, String target, double rateScale, Duration timeout,
        boolean stream, int maxConcurrency) {

    /** Open loop: each request sent when due. */
    public ReplaySettings(URI url, ReplayApi api, String target, double rateScale, Duration timeout, boolean stream) {
        this(url, api, target, rateScale, timeout, stream, 0);
    }

    public ReplaySettings {
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("max concurrency must be >= 0 (0: open loop), got " + maxConcurrency);
        }
        if (url == null || url.getScheme() == null || !url.getScheme().startsWith("http")) {
            throw new IllegalArgumentException("replay needs an http(s) URL, got " + url);
        }
        if (api == null || target == null || target.isBlank()) {
            throw new IllegalArgumentException("replay needs an API and a target (model or app id)");
        }
        if (!(rateScale > 0) || Double.isInfinite(rateScale)) {
            throw new IllegalArgumentException("rate scale must be > 0, got " + rateScale);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
        }
    }

    /** The endpoint's full URI. */
    public URI endpoint() {
        String base = url.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + api.path(target));
    }
}
