package org.cornserve.experiments.headline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * A mean with a two-sided Student-t confidence interval over replicates.
 *
 * @param mean the point estimate
 * @param low lower end
 * @param high upper end
 * @param n replicates
 */
public record Interval(
        @JsonProperty("mean") double mean,
        @JsonProperty("low") double low,
        @JsonProperty("high") double high,
        @JsonProperty("n") int n) {

    /** Arithmetic mean and t-interval of {@code values} (a single value gives a zero-width interval). */
    public static Interval of(List<Double> values, double confidence) {
        int n = values.size();
        if (n == 0) {
            throw new IllegalArgumentException("an interval needs at least one value");
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        if (n == 1) {
            return new Interval(mean, mean, mean, 1);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double half = quantile(n, confidence) * Math.sqrt(ss / (n - 1) / n);
        return new Interval(mean, mean - half, mean + half, n);
    }

    /**
     * Geometric mean of positive ratios with the interval taken on their logarithms (a ratio and its inverse
     * get mirrored intervals).
     */
    public static Interval ofRatios(List<Double> ratios, double confidence) {
        for (double r : ratios) {
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("ratios must be positive and finite, got " + ratios);
            }
        }
        Interval log = of(ratios.stream().map(Math::log).toList(), confidence);
        return new Interval(Math.exp(log.mean()), Math.exp(log.low()), Math.exp(log.high()), log.n());
    }

    /**
     * {@code gain} when the whole interval lies above 1, {@code loss} below, {@code tie} when it holds 1;
     * {@code one run} without replicates to form an interval.
     */
    public String verdict() {
        if (n < 2) {
            return "one run";
        }
        if (low > 1) {
            return "gain";
        }
        if (high < 1) {
            return "loss";
        }
        return "tie";
    }

    private static double quantile(int n, double confidence) {
        return new TDistribution(n - 1).inverseCumulativeProbability(0.5 + confidence / 2);
    }
}
