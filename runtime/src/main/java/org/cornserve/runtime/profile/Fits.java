package org.cornserve.runtime.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.cornserve.model.json.Json;

/**
 * Least-squares fits of measured latencies (Commons Math): {@code latency = a + b x1 + c x2} with the features a
 * task's cost grows with (decode: sequences and cached tokens read; prefill: tokens and tokens squared; batches:
 * tokens and tokens times tokens per item). Every fourth point (the third of each four) is held back, the fit is
 * made on the rest and judged on the held-back points.
 */
final class Fits {
    private Fits() {
    }

    /**
     * A fit's coefficients and its relative error on held-back points.
     *
     * @param coefficients a, b, c
     * @param heldBack points held back
     * @param meanRelativeError mean of |predicted - measured| / measured over them
     * @param maxRelativeError the largest of those
     */
    record HoldOut(double[] coefficients, int trained, int heldBack, double meanRelativeError,
            double maxRelativeError) {
        JsonNode toJson() {
            ObjectNode o = Json.mapper().createObjectNode();
            o.put("model", "latency_ms = a + b*x1 + c*x2");
            o.set("coefficients", Json.mapper().valueToTree(coefficients));
            o.put("points_fitted", trained);
            o.put("points_held_back", heldBack);
            o.put("held_back_mean_relative_error", meanRelativeError);
            o.put("held_back_max_relative_error", maxRelativeError);
            return o;
        }
    }

    /** A decode point as a fit row: sequences, cached tokens read (sequences x context), latency. */
    static double[] decodeRow(int sequences, long contextTokens, double latencyMs) {
        return new double[] {sequences, (double) sequences * contextTokens, latencyMs};
    }

    /** A prefill point as a fit row: tokens, tokens squared (attention), latency. */
    static double[] prefillRow(long tokens, double latencyMs) {
        return new double[] {tokens, (double) tokens * tokens, latencyMs};
    }

    /**
     * A batch point (an encoder's, a VAE's, or one denoising step of a diffusion batch) as a fit row: tokens, tokens
     * times tokens per item (attention within each item), latency.
     */
    static double[] batchRow(int items, long tokensPerItem, double latencyMs) {
        double tokens = (double) items * tokensPerItem;
        return new double[] {tokens, tokens * tokensPerItem, latencyMs};
    }

    /**
     * One denoising step of a diffusion batch as a fit row: a job's joint attention runs over its text tokens and its
     * latent tokens together, so the rows are the batch's with {@code textTokens + latentTokens} tokens per item (the
     * text rows make a step cost grow with jobs even for a tiny latent).
     */
    static double[] diffusionRow(int jobs, long latentTokens, long textTokens, double latencyMs) {
        return batchRow(jobs, latentTokens + textTokens, latencyMs);
    }

    static double median(double[] values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("no values to take the median of");
        }
        return new Median().evaluate(values);
    }

    /** Fits rows {x1, x2, y} with every fourth row held back (or, with fewer than 5 rows, none). */
    static HoldOut holdOut(List<double[]> rows) {
        List<double[]> train = new ArrayList<>();
        List<double[]> test = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            (rows.size() >= 5 && i % 4 == 2 ? test : train).add(rows.get(i));
        }
        double[] beta = fit(train);
        double sum = 0;
        double max = 0;
        for (double[] r : test) {
            double e = Math.abs(predict(beta, r[0], r[1]) - r[2]) / r[2];
            sum += e;
            max = Math.max(max, e);
        }
        return new HoldOut(beta, train.size(), test.size(), test.isEmpty() ? Double.NaN : sum / test.size(),
                test.isEmpty() ? Double.NaN : max);
    }

    static double predict(double[] beta, double x1, double x2) {
        return beta[0] + beta[1] * x1 + beta[2] * x2;
    }

    /** Ordinary least squares of y on (1, x1, x2); needs four rows or more, and falls back to a line on fewer. */
    static double[] fit(List<double[]> rows) {
        if (rows.size() < 4) {
            throw new IllegalArgumentException("a fit needs at least 4 points, got " + rows.size());
        }
        double[] y = new double[rows.size()];
        double[][] x = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            x[i] = new double[] {rows.get(i)[0], rows.get(i)[1]};
            y[i] = rows.get(i)[2];
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.newSampleData(y, x);
        try {
            return ols.estimateRegressionParameters();
        } catch (org.apache.commons.math3.linear.SingularMatrixException e) {
            // a degenerate grid (one axis constant): fall back to a + b x1
            double[][] x1 = new double[rows.size()][];
            for (int i = 0; i < rows.size(); i++) {
                x1[i] = new double[] {rows.get(i)[0]};
            }
            ols.newSampleData(y, x1);
            return Arrays.copyOf(ols.estimateRegressionParameters(), 3);
        }
    }
}
