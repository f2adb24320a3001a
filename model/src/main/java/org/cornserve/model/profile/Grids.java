package org.cornserve.model.profile;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.math3.analysis.interpolation.LinearInterpolator;
import org.apache.commons.math3.analysis.polynomials.PolynomialSplineFunction;

/** Rectangular grids of profile points and their piecewise-linear interpolation (Commons Math). */
final class Grids {
    private Grids() {}

    static void checkRectangular(String what, List<long[]> points) {
        Set<Long> xs = new TreeSet<>();
        Set<Long> ys = new TreeSet<>();
        Set<List<Long>> seen = new HashSet<>();
        for (long[] p : points) {
            xs.add(p[0]);
            ys.add(p[1]);
            if (!seen.add(List.of(p[0], p[1]))) {
                throw new IllegalArgumentException("profile " + what + ": duplicate point (" + p[0] + ", " + p[1] + ")");
            }
        }
        if ((long) xs.size() * ys.size() != points.size()) {
            throw new IllegalArgumentException("profile " + what + ": points must form a full grid; " + xs.size()
                    + " x values times " + ys.size() + " y values is " + (xs.size() * ys.size()) + " points, found "
                    + points.size());
        }
    }

    /**
     * A function of two variables, linear between grid lines along each axis: one Commons Math
     * linear spline per x grid line along y, then linear in x between the two neighbouring lines.
     * A single grid value on an axis makes the function constant along it.
     */
    static final class Bilinear {
        private final double[] xs;
        private final double[] ys;
        private final PolynomialSplineFunction[] alongY; // one per x; null when ys has one value
        private final double[] constantAlongY;

        Bilinear(double[] xs, double[] ys, double[][] values) {
            this.xs = xs.clone();
            this.ys = ys.clone();
            this.alongY = new PolynomialSplineFunction[xs.length];
            this.constantAlongY = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                if (ys.length >= 2) {
                    alongY[i] = new LinearInterpolator().interpolate(this.ys, values[i].clone());
                } else {
                    constantAlongY[i] = values[i][0];
                }
            }
        }

        boolean contains(double x, double y) {
            return x >= xs[0] && x <= xs[xs.length - 1] && y >= ys[0] && y <= ys[ys.length - 1];
        }

        double minX() {
            return xs[0];
        }

        double minY() {
            return ys[0];
        }

        /** {@code x} moved into the grid's x range (the nearest edge when outside it). */
        double clampX(double x) {
            return Math.max(xs[0], Math.min(xs[xs.length - 1], x));
        }

        /** {@code y} moved into the grid's y range (the nearest edge when outside it). */
        double clampY(double y) {
            return Math.max(ys[0], Math.min(ys[ys.length - 1], y));
        }

        private double line(int i, double y) {
            return alongY[i] == null ? constantAlongY[i] : alongY[i].value(y);
        }

        double value(double x, double y) {
            if (!contains(x, y)) {
                throw new IllegalArgumentException("(" + x + ", " + y + ") outside the grid");
            }
            int hi = Arrays.binarySearch(xs, x);
            if (hi >= 0) {
                return line(hi, y);
            }
            hi = -hi - 1;
            int lo = hi - 1;
            double t = (x - xs[lo]) / (xs[hi] - xs[lo]);
            return (1 - t) * line(lo, y) + t * line(hi, y);
        }

        static Bilinear of(List<double[]> points) {
            double[] xs = points.stream().mapToDouble(p -> p[0]).distinct().sorted().toArray();
            double[] ys = points.stream().mapToDouble(p -> p[1]).distinct().sorted().toArray();
            double[][] values = new double[xs.length][ys.length];
            for (double[] p : points) {
                values[Arrays.binarySearch(xs, p[0])][Arrays.binarySearch(ys, p[1])] = p[2];
            }
            return new Bilinear(xs, ys, values);
        }
    }

    /** A function of one variable, linear between points (Commons Math), constant for a single point. */
    static final class Linear {
        private final double[] xs;
        private final PolynomialSplineFunction spline;
        private final double constant;

        Linear(double[] xs, double[] values) {
            this.xs = xs.clone();
            if (xs.length >= 2) {
                spline = new LinearInterpolator().interpolate(this.xs, values.clone());
                constant = 0;
            } else {
                spline = null;
                constant = values[0];
            }
        }

        boolean contains(double x) {
            return x >= xs[0] && x <= xs[xs.length - 1];
        }

        /** {@code x} moved into the grid's range (the nearest end when outside it). */
        double clamp(double x) {
            return Math.max(xs[0], Math.min(xs[xs.length - 1], x));
        }

        double value(double x) {
            return spline == null ? constant : spline.value(x);
        }
    }
}
