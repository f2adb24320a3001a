package org.cornserve.planner;

import java.util.List;

/**
 * What the planner plans for: requests arriving at {@code rateRps}, each drawn from {@code samples}
 * (equally likely; a seeded sample of a trace's requests).
 *
 * @param rateRps mean arrival rate in requests per second
 * @param samples request mix
 */
public record Workload(double rateRps, List<RequestWork> samples) {
    public Workload {
        if (!(rateRps > 0) || Double.isInfinite(rateRps)) {
            throw new IllegalArgumentException("workload rate must be a positive finite number, got " + rateRps);
        }
        if (samples == null || samples.isEmpty()) {
            throw new IllegalArgumentException("workload needs at least one request");
        }
        samples = List.copyOf(samples);
    }

    public Workload withRate(double newRateRps) {
        return new Workload(newRateRps, samples);
    }
}
