package org.cornserve.cli.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileSet;

/**
 * Two measurements of the same profiles, before and after a served replay: how far their points moved, and their
 * point-by-point mean. On a shared virtual machine the executors' speed moves by a sixth to a third between minutes
 * (experiments/validation-tails.md, section 9), and a profile measured once before the replay carries the speed of
 * that moment into every step the simulation charges; the mean of a measurement on each side of the replay charges the
 * machine's speed over it, and the drift between the two says how far to trust the comparison.
 *
 * @param points the latency points compared (LLM decode and prefill points, batch points)
 * @param medianRatio the median of after over before
 * @param medianMove the median of |after / before - 1|
 * @param largestMove the largest |after / before - 1|
 */
record ProfileDrift(@JsonProperty("points") int points, @JsonProperty("median_after_over_before") double medianRatio,
        @JsonProperty("median_move") double medianMove, @JsonProperty("largest_move") double largestMove) {

    /**
     * The drift from {@code before} to {@code after} over the points both measured (the same task, degree and grid).
     */
    static ProfileDrift of(ProfileSet before, ProfileSet after) {
        List<Double> ratios = new ArrayList<>();
        for (Profile b : before.profiles()) {
            Optional<Profile> a = after.find(b.task(), b.tensorParallel());
            if (a.isPresent() && sameGrid(b, a.get())) {
                double[] x = latencies(b);
                double[] y = latencies(a.get());
                for (int i = 0; i < x.length; i++) {
                    ratios.add(y[i] / x[i]);
                }
            }
        }
        if (ratios.isEmpty()) {
            return new ProfileDrift(0, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] moves = ratios.stream().mapToDouble(v -> Math.abs(v - 1)).sorted().toArray();
        return new ProfileDrift(r.length, Validation.median(r), Validation.median(moves), moves[moves.length - 1]);
    }

    /**
     * {@code before} with every profile that {@code after} measured on the same grid replaced by the point-by-point
     * mean of the two (latencies and the per-iteration overhead); the rest, and the measurement section, as before.
     */
    static ProfileSet mean(ProfileSet before, ProfileSet after) {
        List<Profile> out = new ArrayList<>();
        for (Profile b : before.profiles()) {
            Optional<Profile> a = after.find(b.task(), b.tensorParallel());
            out.add(a.isPresent() && sameGrid(b, a.get()) ? mean(b, a.get()) : b);
        }
        return new ProfileSet(before.model(), before.hardware(), out, before.measurement());
    }

    /** One line for a person. */
    String line() {
        if (points == 0) {
            return "profile drift over the run: no point measured twice";
        }
        return String.format(Locale.ROOT, "profile drift over the run: %d points measured before and after it moved"
                + " by %.1f%% at the median (after / before %.3f), %.1f%% at most; the simulation charges their mean",
                points, 100 * medianMove, medianRatio, 100 * largestMove);
    }

    private static boolean sameGrid(Profile a, Profile b) {
        return a.kind() == b.kind()
                && a.decode().stream().map(p -> List.of((long) p.batch(), p.contextTokens())).toList()
                        .equals(b.decode().stream().map(p -> List.of((long) p.batch(), p.contextTokens())).toList())
                && a.prefill().stream().map(Profile.PrefillPoint::tokens).toList()
                        .equals(b.prefill().stream().map(Profile.PrefillPoint::tokens).toList())
                && a.batch().stream().map(p -> List.of((long) p.items(), p.tokensPerItem())).toList()
                        .equals(b.batch().stream().map(p -> List.of((long) p.items(), p.tokensPerItem())).toList());
    }

    /** A profile's latencies in a fixed order: decode, prefill, batch points. */
    private static double[] latencies(Profile p) {
        double[] d = p.decode().stream().mapToDouble(Profile.DecodePoint::latencyMs).toArray();
        double[] f = p.prefill().stream().mapToDouble(Profile.PrefillPoint::latencyMs).toArray();
        double[] b = p.batch().stream().mapToDouble(Profile.BatchPoint::latencyMs).toArray();
        double[] all = Arrays.copyOf(d, d.length + f.length + b.length);
        System.arraycopy(f, 0, all, d.length, f.length);
        System.arraycopy(b, 0, all, d.length + f.length, b.length);
        return all;
    }

    private static Profile mean(Profile b, Profile a) {
        List<Profile.DecodePoint> decode = new ArrayList<>();
        for (int i = 0; i < b.decode().size(); i++) {
            Profile.DecodePoint p = b.decode().get(i);
            decode.add(new Profile.DecodePoint(p.batch(), p.contextTokens(),
                    (p.latencyMs() + a.decode().get(i).latencyMs()) / 2));
        }
        List<Profile.PrefillPoint> prefill = new ArrayList<>();
        for (int i = 0; i < b.prefill().size(); i++) {
            Profile.PrefillPoint p = b.prefill().get(i);
            prefill.add(new Profile.PrefillPoint(p.tokens(), (p.latencyMs() + a.prefill().get(i).latencyMs()) / 2));
        }
        List<Profile.BatchPoint> batch = new ArrayList<>();
        for (int i = 0; i < b.batch().size(); i++) {
            Profile.BatchPoint p = b.batch().get(i);
            batch.add(new Profile.BatchPoint(p.items(), p.tokensPerItem(),
                    (p.latencyMs() + a.batch().get(i).latencyMs()) / 2));
        }
        return new Profile(b.task(), b.hardware(), b.tensorParallel(), b.source(),
                (b.note() == null ? "" : b.note() + "; ") + "mean of a measurement before and one after a served replay",
                b.kind(), b.kvBytesPerToken(), (b.cpuOverheadMs() + a.cpuOverheadMs()) / 2, decode, prefill, batch);
    }
}
