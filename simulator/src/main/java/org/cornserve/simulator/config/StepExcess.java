package org.cornserve.simulator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How a served LLM step's compute spreads about its charge, as measured on a CPU host whose executors share their
 * cores with the serving system ({@link ServedStepCosts#stepExcess}). The simulation charges a step at the level its
 * probes measured, which is a mean (summed compute over summed charge); served, most steps run a little faster than
 * that and some much slower: the operating system and the serving JVM take the core for a while, a few ms at a time.
 * Such a wait is not a factor on the step: a 1 ms decode report that waits 2 ms runs at three times its charge, a
 * 200 ms prefill that waits 20 ms at 1.1. So each report is charged at its kind's median speed ({@code prefillScale}
 * or {@code decodeScale} times the charge, the median over the mean of measured over charged) plus an excess in ms
 * drawn from the table of its size: the excess of served steps over their charge at the median speed, for steps whose
 * charge at the median speed fell into the same bin. A decode report's bin is that of its whole size (its first
 * iteration times the iterations a report holds), and a report cut short after {@code n} of {@code g} iterations pays
 * {@code n / g} of its excess; a report never charges less than {@value #FLOOR} of its charge at the median speed. So a
 * run's charge rises with its iterations (the engine cuts a run short by binary search on it).
 *
 * <p>Measured on twenty fresh-clone demos (two replicas of one slot on two cores) by {@code TailReport step-excess}:
 * the excess's P90 rose from 0.9 ms for decode reports under 2 ms to 43 ms for prefills over 100 ms, about as the
 * square root of the charge (experiments/validation-tails.md, section 23).
 *
 * @param prefillScale a step with a prefill's median speed over its mean (measured over charged), in (0, 2]
 * @param decodeScale the same of decode-only reports
 * @param binsMs the bins' edges in ms of charge at the median speed, ascending and positive: table {@code i} holds the
 *     steps from edge {@code i - 1} (0 for the first) up to edge {@code i} (unbounded for the last)
 * @param prefillMs the excess's quantile tables (ms, ascending, at equally spaced probabilities) of steps with a
 *     prefill, one per bin ({@code binsMs.size() + 1}, each at least 2 values)
 * @param decodeMs the same of decode-only reports
 */
public record StepExcess(@JsonProperty("prefill_scale") double prefillScale,
        @JsonProperty("decode_scale") double decodeScale,
        @JsonProperty("bins_ms") List<Double> binsMs,
        @JsonProperty("prefill_ms") List<List<Double>> prefillMs,
        @JsonProperty("decode_ms") List<List<Double>> decodeMs) {

    /** The least a report is charged, as a fraction of its charge at the median speed. */
    public static final double FLOOR = 0.1;

    public StepExcess {
        for (double s : new double[] {prefillScale, decodeScale}) {
            if (!(s > 0 && s <= 2)) {
                throw new IllegalArgumentException("step excess: prefill_scale and decode_scale must be in (0, 2], got "
                        + s);
            }
        }
        binsMs = binsMs == null ? List.of() : List.copyOf(binsMs);
        for (int i = 0; i < binsMs.size(); i++) {
            double e = binsMs.get(i);
            if (!(e > 0) || Double.isInfinite(e) || (i > 0 && e <= binsMs.get(i - 1))) {
                throw new IllegalArgumentException("step excess: bins_ms must be positive, finite and ascending, got "
                        + e + " at index " + i);
            }
        }
        prefillMs = tables("prefill_ms", prefillMs, binsMs.size() + 1);
        decodeMs = tables("decode_ms", decodeMs, binsMs.size() + 1);
    }

    private static List<List<Double>> tables(String field, List<List<Double>> tables, int n) {
        if (tables == null || tables.size() != n) {
            throw new IllegalArgumentException("step excess: " + field + " needs one table per bin (" + n + "), got "
                    + (tables == null ? 0 : tables.size()));
        }
        List<List<Double>> out = new java.util.ArrayList<>();
        for (int b = 0; b < n; b++) {
            List<Double> t = tables.get(b) == null ? List.of() : List.copyOf(tables.get(b));
            if (t.size() < 2) {
                throw new IllegalArgumentException("step excess: " + field + " table " + b + " needs at least 2"
                        + " quantiles, got " + t.size());
            }
            for (int i = 0; i < t.size(); i++) {
                double v = t.get(i);
                if (!Double.isFinite(v) || (i > 0 && v < t.get(i - 1))) {
                    throw new IllegalArgumentException("step excess: " + field + " table " + b + " must be finite and"
                            + " ascending, got " + v + " at index " + i);
                }
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    /** The bin of a report whose charge at the median speed is {@code ms}. */
    public int bin(double ms) {
        return bin(binsMs, ms);
    }

    /** The bin among edges {@code binsMs} (ascending) of a charge of {@code ms}: how many edges it reaches. */
    public static int bin(List<Double> binsMs, double ms) {
        int b = 0;
        while (b < binsMs.size() && ms >= binsMs.get(b)) {
            b++;
        }
        return b;
    }
}
