package org.cornserve.cli.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;
import org.cornserve.model.hardware.Efficiency;
import org.cornserve.model.hardware.Hardware;

/**
 * Searches a hardware kind's compute efficiency, memory-bandwidth efficiency and per-iteration overhead for the
 * least value of an objective (each evaluation is typically one or more simulations of a measured run).
 *
 * <p>A coarse grid (efficiencies 0.3, 0.5, 0.7, 0.9; overhead 0.3, 1, 3, 10 ms; 64 evaluations, the starting point
 * among them) picks the start: bandwidth and overhead trade off against each other in decode-heavy runs, which
 * leaves local minima a purely local search can stop in. Commons Math's Nelder-Mead simplex (derivative-free: a
 * simulator is not differentiable, and its batches shift discretely with timing) then refines it within bounds
 * (efficiencies in [0.05, 1], overhead in [0, 50] ms; outside them the objective is the boundary's plus the
 * distance), restarted from its best point while that still improves, from each of the three best grid points in turn
 * (each with a third of the evaluations; the best result wins). Cost: 65 + at most {@code maxEvaluations}
 * evaluations.
 */
final class EfficiencySearch {

    /** The best hardware found, its objective and the evaluations spent. */
    record Result(Hardware hardware, double objective, int evaluations) {}

    private static final double[] GRID_EFFICIENCY = {0.3, 0.5, 0.7, 0.9};
    private static final double[] GRID_OVERHEAD_MS = {0.3, 1, 3, 10};
    private static final double[] LOWER = {0.05, 0.05, 0};
    private static final double[] UPPER = {1, 1, 5};  // overhead in units of 10 ms

    /** Grid points Nelder-Mead is started from, best first. */
    private static final int STARTS = 3;

    private final Hardware start;
    private final int maxEvaluations;

    /**
     * @param start the kind to fit, whose efficiencies are the starting point
     * @param maxEvaluations most objective evaluations Nelder-Mead may use after the grid
     */
    EfficiencySearch(Hardware start, int maxEvaluations) {
        if (maxEvaluations < 1) {
            throw new IllegalArgumentException("--max-evaluations must be >= 1, got " + maxEvaluations);
        }
        this.start = start;
        this.maxEvaluations = maxEvaluations;
    }

    /** {@code start} with the three fitted values of point {@code x} (compute, bandwidth, overhead / 10 ms). */
    Hardware hardware(double[] x) {
        Efficiency e = start.efficiency().withFitted(x[0], x[1], x[2] * 10, "compute, memory_bandwidth and"
                + " iteration_overhead_ms fitted by cornserve profile calibrate to a measured run (see sources)");
        return start.withEfficiency(e, start.sources());
    }

    /**
     * Minimises {@code objective} over the three values. The grid's 65 points are evaluated side by side on the
     * common fork-join pool (one thread per core; each evaluation is independent, so {@code objective} must be safe
     * to call from several threads at once, as a simulation of its own per call is), in the same order of results as
     * one by one: the search finds the same point either way.
     */
    Result minimise(ToDoubleFunction<Hardware> objective) {
        int[] evaluations = {0};
        ObjectiveFunction f = new ObjectiveFunction(x -> {
            evaluations[0]++;
            return objective.applyAsDouble(hardware(x));
        });
        Efficiency e0 = start.efficiency();
        List<double[]> points = new ArrayList<>();
        points.add(new double[] {e0.compute(), e0.memoryBandwidth(), Math.min(UPPER[2], e0.iterationOverheadMs() / 10)});
        for (double c : GRID_EFFICIENCY) {
            for (double m : GRID_EFFICIENCY) {
                for (double o : GRID_OVERHEAD_MS) {
                    points.add(new double[] {c, m, o / 10});
                }
            }
        }
        double[] values = points.parallelStream().mapToDouble(x -> objective.applyAsDouble(hardware(x))).toArray();
        evaluations[0] = points.size();
        List<PointValuePair> seeds = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            seeds.add(new PointValuePair(points.get(i), values[i]));
        }
        // stable: equal values keep the grid's order, as one by one
        seeds.sort(Comparator.comparingDouble(PointValuePair::getValue));
        int gridEvaluations = evaluations[0];
        // the best point inside the bounds evaluated so far, kept when a refinement runs out of evaluations
        PointValuePair[] seen = {seeds.get(0)};
        ObjectiveFunction bounded = new ObjectiveFunction(x -> {
            double[] inside = new double[x.length];
            double outside = 0;
            for (int k = 0; k < x.length; k++) {
                inside[k] = Math.min(UPPER[k], Math.max(LOWER[k], x[k]));
                outside += Math.abs(inside[k] - x[k]);
            }
            double v = f.getObjectiveFunction().value(inside);
            if (v < seen[0].getValue()) {
                seen[0] = new PointValuePair(inside, v);
            }
            return v + outside;
        });
        // refined from the best STARTS grid points in turn, each with its share of the evaluations: the valley where
        // bandwidth and overhead trade off holds more than one local minimum (seen with the GEMM roofline)
        int starts = Math.min(STARTS, seeds.size());
        for (int s = 0; s < starts; s++) {
            int until = s == starts - 1 ? maxEvaluations
                    : Math.min(maxEvaluations, evaluations[0] - gridEvaluations + maxEvaluations / starts);
            refine(bounded, seeds.get(s), evaluations, gridEvaluations, until);
        }
        // every refinement's points pass through the bounded objective, so the best point seen is the answer
        PointValuePair best = seen[0];
        return new Result(hardware(best.getPoint()), best.getValue(), evaluations[0]);
    }

    /**
     * Nelder-Mead from {@code from}, restarted from its best point while that still improves, until the search has
     * spent {@code until} evaluations after the grid.
     */
    private static void refine(ObjectiveFunction bounded, PointValuePair from, int[] evaluations,
            int gridEvaluations, int until) {
        PointValuePair best = from;
        for (int round = 0; round < 4 && evaluations[0] - gridEvaluations < until; round++) {
            PointValuePair found;
            try {
                found = new SimplexOptimizer(1e-6, 1e-9).optimize(
                        new MaxEval(until - (evaluations[0] - gridEvaluations)), bounded, GoalType.MINIMIZE,
                        new InitialGuess(best.getPoint()),
                        new NelderMeadSimplex(round == 0 ? new double[] {0.1, 0.1, 0.1} : new double[] {0.02, 0.02, 0.02}));
            } catch (TooManyEvaluationsException e) {
                break;
            }
            boolean improved = found.getValue() < best.getValue() * (1 - 1e-3);
            if (found.getValue() < best.getValue()) {
                double[] p = found.getPoint();
                for (int k = 0; k < p.length; k++) {
                    p[k] = Math.min(UPPER[k], Math.max(LOWER[k], p[k]));
                }
                best = new PointValuePair(p, found.getValue());
            }
            if (!improved) {
                break;
            }
        }
    }
}
