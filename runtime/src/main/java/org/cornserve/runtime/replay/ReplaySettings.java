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
 */
public record ReplaySettings(URI url, ReplayApi api, String target, double rateScale, Duration timeout,
        boolean stream) {

    public ReplaySettings {
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
