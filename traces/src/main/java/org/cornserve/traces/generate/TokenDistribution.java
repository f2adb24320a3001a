package org.cornserve.traces.generate;

import org.apache.commons.math3.distribution.EnumeratedIntegerDistribution;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.distribution.IntegerDistribution;
import org.apache.commons.math3.distribution.LogNormalDistribution;
import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.distribution.UniformIntegerDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * A distribution of a whole number of tokens (or items), written as a short spec string:
 *
 * <ul>
 *   <li>{@code 512}: always 512;</li>
 *   <li>{@code uniform:100:900}: uniform over 100..900 inclusive;</li>
 *   <li>{@code exp:300}: exponential with mean 300, rounded;</li>
 *   <li>{@code lognormal:300:1.5}: log-normal with mean 300 and coefficient of variation 1.5, rounded;</li>
 *   <li>{@code gamma:300:0.5}: gamma with mean 300 and coefficient of variation 0.5, rounded;</li>
 *   <li>{@code enum:136=0.25,372=0.75}: the listed values with their probabilities (normalised).</li>
 * </ul>
 * Samplers are Commons Math distributions drawing from the caller's seeded generator; continuous ones
 * are rounded to the nearest whole number and floored at 0.
 *
 * @param spec the spec string
 */
public record TokenDistribution(String spec) {

    public TokenDistribution {
        spec = spec.trim();
        validate(spec);
    }

    public static TokenDistribution constant(int value) {
        return new TokenDistribution(Integer.toString(value));
    }

    /** Draws whole numbers. */
    @FunctionalInterface
    public interface Sampler {
        int sample();
    }

    public Sampler sampler(RandomGenerator random) {
        String[] p = spec.split(":", -1);
        switch (p[0]) {
            case "uniform" -> {
                IntegerDistribution d = new UniformIntegerDistribution(random, parseInt(p[1]), parseInt(p[2]));
                return d::sample;
            }
            case "exp" -> {
                return rounded(new ExponentialDistribution(random, parseDouble(p[1])));
            }
            case "lognormal" -> {
                double mean = parseDouble(p[1]);
                double cv = parseDouble(p[2]);
                double sigma2 = Math.log1p(cv * cv);
                return rounded(new LogNormalDistribution(random, Math.log(mean) - sigma2 / 2, Math.sqrt(sigma2)));
            }
            case "gamma" -> {
                double mean = parseDouble(p[1]);
                double cv = parseDouble(p[2]);
                double shape = 1 / (cv * cv);
                return rounded(new GammaDistribution(random, shape, mean / shape));
            }
            case "enum" -> {
                IntegerDistribution d = enumerated(random, spec.substring("enum:".length()));
                return d::sample;
            }
            default -> {
                int value = parseInt(p[0]);
                return () -> value;
            }
        }
    }

    /** The distribution's mean (before rounding for the continuous kinds). */
    public double mean() {
        String[] p = spec.split(":", -1);
        return switch (p[0]) {
            case "uniform" -> (parseInt(p[1]) + parseInt(p[2])) / 2.0;
            case "exp", "lognormal", "gamma" -> parseDouble(p[1]);
            case "enum" -> enumerated(null, spec.substring("enum:".length())).getNumericalMean();
            default -> parseInt(p[0]);
        };
    }

    private static Sampler rounded(RealDistribution d) {
        return () -> (int) Math.max(0, Math.min(Integer.MAX_VALUE, Math.round(d.sample())));
    }

    private static EnumeratedIntegerDistribution enumerated(RandomGenerator random, String body) {
        String[] entries = body.split(",");
        int[] values = new int[entries.length];
        double[] probabilities = new double[entries.length];
        for (int i = 0; i < entries.length; i++) {
            String[] kv = entries[i].split("=", -1);
            if (kv.length != 2) {
                throw new IllegalArgumentException("enum entries are VALUE=PROBABILITY, got '" + entries[i] + "'");
            }
            values[i] = parseInt(kv[0]);
            probabilities[i] = parseDouble(kv[1]);
            if (values[i] < 0 || !(probabilities[i] >= 0)) {
                throw new IllegalArgumentException("enum values and probabilities must be >= 0: '" + entries[i] + "'");
            }
        }
        return random == null ? new EnumeratedIntegerDistribution(values, probabilities)
                : new EnumeratedIntegerDistribution(random, values, probabilities);
    }

    private static void validate(String spec) {
        String[] p = spec.split(":", -1);
        String usage = "token distribution must be N, uniform:MIN:MAX, exp:MEAN, lognormal:MEAN:CV, gamma:MEAN:CV"
                + " or enum:V=P,V=P...; got '" + spec + "'";
        try {
            switch (p[0]) {
                case "uniform" -> {
                    require(p.length == 3, usage);
                    int lo = parseInt(p[1]);
                    int hi = parseInt(p[2]);
                    require(lo >= 0 && hi >= lo, "uniform needs 0 <= MIN <= MAX: '" + spec + "'");
                }
                case "exp" -> {
                    require(p.length == 2, usage);
                    require(parseDouble(p[1]) > 0, "exp needs MEAN > 0: '" + spec + "'");
                }
                case "lognormal", "gamma" -> {
                    require(p.length == 3, usage);
                    require(parseDouble(p[1]) > 0 && parseDouble(p[2]) > 0, p[0] + " needs MEAN > 0 and CV > 0: '" + spec + "'");
                }
                case "enum" -> {
                    require(p.length == 2, usage);
                    enumerated(null, p[1]);
                }
                default -> {
                    require(p.length == 1, usage);
                    require(parseInt(p[0]) >= 0, "a constant must be >= 0: '" + spec + "'");
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage);
        } catch (org.apache.commons.math3.exception.MathIllegalArgumentException e) {
            throw new IllegalArgumentException("bad token distribution '" + spec + "': " + e.getMessage());
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static int parseInt(String s) {
        return Integer.parseInt(s.trim());
    }

    private static double parseDouble(String s) {
        double v = Double.parseDouble(s.trim());
        if (!Double.isFinite(v)) {
            throw new NumberFormatException(s);
        }
        return v;
    }

    @Override
    public String toString() {
        return spec;
    }
}
