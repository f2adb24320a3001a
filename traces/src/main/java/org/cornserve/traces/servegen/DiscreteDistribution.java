package org.cornserve.traces.servegen;

import java.util.Arrays;
import org.apache.commons.math3.distribution.EnumeratedIntegerDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * A distribution over whole numbers given as value-probability pairs, as ServeGen's dataset files
 * write them: a Python dict literal such as {@code "{136: 0.2557, 372: 0.7443}"}. Probabilities are
 * normalised to sum to one.
 *
 * @param values the values, ascending
 * @param probabilities their probabilities (same length, non-negative, summing to 1)
 */
public record DiscreteDistribution(int[] values, double[] probabilities) {

    public DiscreteDistribution {
        if (values.length == 0 || values.length != probabilities.length) {
            throw new IllegalArgumentException("need as many probabilities as values, and at least one");
        }
        double sum = 0;
        for (double p : probabilities) {
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("probabilities must be finite and >= 0: " + Arrays.toString(probabilities));
            }
            sum += p;
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("probabilities must not all be 0");
        }
        values = values.clone();
        double[] normalised = new double[probabilities.length];
        for (int i = 0; i < normalised.length; i++) {
            normalised[i] = probabilities[i] / sum;
        }
        probabilities = normalised;
    }

    /** Parses {@code {v: p, v: p, ...}} (whole-number values; an empty dict is an error). */
    public static DiscreteDistribution parsePythonDict(String text) {
        String s = text.trim();
        if (s.length() < 2 || s.charAt(0) != '{' || s.charAt(s.length() - 1) != '}') {
            throw new IllegalArgumentException("expected a dict like {136: 0.25, 372: 0.75}, got '" + abbreviate(s) + "'");
        }
        String body = s.substring(1, s.length() - 1).trim();
        if (body.isEmpty()) {
            throw new IllegalArgumentException("empty distribution {}");
        }
        String[] entries = body.split(",");
        int[] values = new int[entries.length];
        double[] probabilities = new double[entries.length];
        for (int i = 0; i < entries.length; i++) {
            int colon = entries[i].indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("entry without ':' in distribution: '" + entries[i].trim() + "'");
            }
            String key = entries[i].substring(0, colon).trim();
            String value = entries[i].substring(colon + 1).trim();
            try {
                values[i] = Integer.parseInt(key);
                probabilities[i] = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad entry in distribution: '" + entries[i].trim() + "'");
            }
        }
        // sort by value so that the record is canonical
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(values[a], values[b]));
        int[] v = new int[values.length];
        double[] p = new double[values.length];
        for (int i = 0; i < order.length; i++) {
            v[i] = values[order[i]];
            p[i] = probabilities[order[i]];
        }
        return new DiscreteDistribution(v, p);
    }

    public double mean() {
        double m = 0;
        for (int i = 0; i < values.length; i++) {
            m += values[i] * probabilities[i];
        }
        return m;
    }

    public double variance() {
        double m = mean();
        double v = 0;
        for (int i = 0; i < values.length; i++) {
            v += (values[i] - m) * (values[i] - m) * probabilities[i];
        }
        return v;
    }

    /** A sampler drawing from {@code random}. */
    public EnumeratedIntegerDistribution sampler(RandomGenerator random) {
        return new EnumeratedIntegerDistribution(random, values, probabilities);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiscreteDistribution d && Arrays.equals(values, d.values)
                && Arrays.equals(probabilities, d.probabilities);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + Arrays.hashCode(probabilities);
    }

    @Override
    public String toString() {
        return "DiscreteDistribution[" + values.length + " values, mean " + mean() + "]";
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
