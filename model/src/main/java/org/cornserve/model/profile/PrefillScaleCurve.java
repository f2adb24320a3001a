package org.cornserve.model.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongToDoubleFunction;

/**
 * A prefill's speed against its profile as a function of its tokens: scales measured at a few prompt lengths,
 * linear in the tokens between them and constant beyond the first and the last. A profile measured in a minute when
 * the machine ran its long prefills slow charges them slow for good; a served engine's probe at a few lengths just
 * before a replay re-anchors the profile's points ({@link Profile#withComputeScale(LongToDoubleFunction, double)}).
 *
 * @param tokens ascending prompt tokens, at least one
 * @param scales the measured compute over the profile's charge at each, positive and finite
 */
public record PrefillScaleCurve(List<Long> tokens, List<Double> scales) implements LongToDoubleFunction {
    public PrefillScaleCurve {
        tokens = List.copyOf(tokens);
        scales = List.copyOf(scales);
        if (tokens.isEmpty() || tokens.size() != scales.size()) {
            throw new IllegalArgumentException("prefill scale curve: needs one scale per token count, at least one,"
                    + " got " + tokens.size() + " token counts and " + scales.size() + " scales");
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) < 1 || (i > 0 && tokens.get(i) <= tokens.get(i - 1))) {
                throw new IllegalArgumentException("prefill scale curve: token counts must be >= 1 and ascending, got "
                        + tokens);
            }
            double s = scales.get(i);
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("prefill scale curve: a scale must be positive and finite, got " + s
                        + " at " + tokens.get(i) + " tokens");
            }
        }
    }

    /** The scale at {@code t} tokens: linear between the two measured lengths around it, the end's beyond them. */
    @Override
    public double applyAsDouble(long t) {
        int n = tokens.size();
        if (t <= tokens.get(0)) {
            return scales.get(0);
        }
        if (t >= tokens.get(n - 1)) {
            return scales.get(n - 1);
        }
        int i = 1;
        while (tokens.get(i) < t) {
            i++;
        }
        double f = (double) (t - tokens.get(i - 1)) / (tokens.get(i) - tokens.get(i - 1));
        return scales.get(i - 1) + f * (scales.get(i) - scales.get(i - 1));
    }

    /**
     * This curve as {@link #toString} writes it and {@link #parse} reads it back (each scale to four decimals): what a
     * run that records its curve in a file should charge itself, so that a run judged again from that file charges
     * the same.
     */
    public PrefillScaleCurve asWritten() {
        return parse(toString());
    }

    /** {@code T=X,T=X,...}, as {@link #parse} reads it. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            parts.add(String.format(Locale.ROOT, "%d=%.4f", tokens.get(i), scales.get(i)));
        }
        return String.join(",", parts);
    }

    /**
     * Reads {@code T=X,T=X,...} (prompt tokens, then the scale there).
     *
     * @throws IllegalArgumentException naming the part it cannot read
     */
    public static PrefillScaleCurve parse(String text) {
        List<Long> tokens = new ArrayList<>();
        List<Double> scales = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String[] kv = part.trim().split("=", -1);
            try {
                if (kv.length != 2) {
                    throw new NumberFormatException("expected TOKENS=SCALE");
                }
                tokens.add(Long.parseLong(kv[0].trim()));
                scales.add(Double.parseDouble(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("prefill scale curve: cannot read '" + part + "' (TOKENS=SCALE,"
                        + " comma-separated): " + e.getMessage(), e);
            }
        }
        return new PrefillScaleCurve(tokens, scales);
    }
}
