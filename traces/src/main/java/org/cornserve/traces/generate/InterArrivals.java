package org.cornserve.traces.generate;

import org.apache.commons.math3.analysis.solvers.BrentSolver;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.distribution.WeibullDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.special.Gamma;

/**
 * Inter-arrival time distributions (in seconds) with a given mean rate and coefficient of variation,
 * as Commons Math distributions drawing from a caller's seeded generator.
 */
public final class InterArrivals {

    private InterArrivals() {
    }

    /** Exponential gaps: a Poisson process of {@code ratePerSecond}. */
    public static RealDistribution poisson(RandomGenerator random, double ratePerSecond) {
        checkRate(ratePerSecond);
        return new ExponentialDistribution(random, 1.0 / ratePerSecond);
    }

    /**
     * Gamma gaps with mean {@code 1/rate} and coefficient of variation {@code cv}: shape {@code 1/cv²},
     * scale {@code cv²/rate}. {@code cv = 1} is Poisson; {@code cv > 1} is bursty.
     */
    public static RealDistribution gamma(RandomGenerator random, double ratePerSecond, double cv) {
        checkRate(ratePerSecond);
        checkCv(cv);
        double shape = 1.0 / (cv * cv);
        return new GammaDistribution(random, shape, 1.0 / (ratePerSecond * shape));
    }

    /** Weibull gaps with mean {@code 1/rate} and coefficient of variation {@code cv} (shape solved numerically). */
    public static RealDistribution weibull(RandomGenerator random, double ratePerSecond, double cv) {
        checkRate(ratePerSecond);
        checkCv(cv);
        double shape = weibullShapeForCv(cv);
        double scale = 1.0 / (ratePerSecond * Math.exp(Gamma.logGamma(1 + 1 / shape)));
        return new WeibullDistribution(random, shape, scale);
    }

    /**
     * The Weibull shape k whose coefficient of variation is {@code cv}:
     * {@code Γ(1+2/k)/Γ(1+1/k)² - 1 = cv²}, solved by Brent's method on k in [0.05, 500].
     */
    public static double weibullShapeForCv(double cv) {
        checkCv(cv);
        double target = Math.log1p(cv * cv);
        BrentSolver solver = new BrentSolver(1e-12, 1e-10);
        double lo = 0.05;
        double hi = 500;
        double fLo = weibullLogCv2Gap(lo, target);
        double fHi = weibullLogCv2Gap(hi, target);
        if (fLo < 0) {
            return lo; // cv above what shape 0.05 gives (about 1.5e9): clamp
        }
        if (fHi > 0) {
            return hi;
        }
        return solver.solve(200, k -> weibullLogCv2Gap(k, target), lo, hi);
    }

    /** log(1+cv²) of a Weibull of shape k, minus the target. */
    private static double weibullLogCv2Gap(double k, double target) {
        return Gamma.logGamma(1 + 2 / k) - 2 * Gamma.logGamma(1 + 1 / k) - target;
    }

    private static void checkRate(double rate) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be a positive number of requests per second, got " + rate);
        }
    }

    private static void checkCv(double cv) {
        if (!(cv > 0) || Double.isInfinite(cv)) {
            throw new IllegalArgumentException("coefficient of variation must be > 0, got " + cv);
        }
    }
}
