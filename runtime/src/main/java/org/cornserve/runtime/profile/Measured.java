package org.cornserve.runtime.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cornserve.model.json.Json;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileSource;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.task.UnitTask;

/**
 * Timed points of one task at one device count: every run's wall time (step sent to its report) and the executor's
 * compute time, turned into a {@code measured} profile of the task's kind and a report of the fit's held-back error,
 * the per-iteration overhead (wall minus compute: framing, the socket, the executor's loop) and the measured-to-
 * estimate ratio.
 */
final class Measured {
    /** How a point's repeated runs become its latency. */
    enum Estimator {
        /**
         * The fastest run's compute time plus the task's median per-step overhead (wall minus compute over every
         * run). Why: on a shared machine the noise is one-sided (another process can only add time to a step, never
         * take it away), so the fastest of N runs is the closest to the step's own cost, and it stays put from one
         * measurement to the next where a median of three moved up to 2x; the round trip (framing, the socket,
         * wake-ups) swings with the scheduler from step to step, so it enters as one median figure per task. The
         * slowdown that executors sharing the host cause each other is measured apart (host sharing) and charged
         * by the simulator only while they do share it.
         */
        MIN,
        /** The median wall time of the runs: typical of a machine as busy as it was while measuring. */
        MEDIAN;

        static Estimator byName(String name) {
            for (Estimator e : values()) {
                if (e.name().equalsIgnoreCase(name)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("estimator '" + name + "': expected min or median");
        }
    }

    private final ProfileMeasurer.Shape shape;
    private final Estimator estimator;
    private final Map<String, double[]> wall = new LinkedHashMap<>();
    private final Map<String, double[]> compute = new LinkedHashMap<>();
    private final List<Double> overheadMs = new ArrayList<>();
    private final List<Double> computeMs = new ArrayList<>();

    Measured(ProfileMeasurer.Shape shape) {
        this(shape, Estimator.MIN);
    }

    Measured(ProfileMeasurer.Shape shape, Estimator estimator) {
        this.shape = shape;
        this.estimator = estimator;
    }

    static String prefillKey(long tokens) {
        return "p" + tokens;
    }

    static String decodeKey(int batch, long context) {
        return "d" + batch + "x" + context;
    }

    static String batchKey(int items, long tokensPerItem) {
        return "b" + items + "x" + tokensPerItem;
    }

    /** One run of a point: its wall and compute time per iteration, in ms. */
    void add(String key, double wallMs, double computeMsValue) {
        append(wall, key, wallMs);
        append(compute, key, computeMsValue);
        // not clamped: the compute interval lies inside the round trip, so a negative value is a measuring bug
        overheadMs.add(wallMs - computeMsValue);
        computeMs.add(computeMsValue);
    }

    private static void append(Map<String, double[]> runs, String key, double value) {
        double[] old = runs.getOrDefault(key, new double[0]);
        double[] now = Arrays.copyOf(old, old.length + 1);
        now[old.length] = value;
        runs.put(key, now);
    }

    /** A point's latency by the estimator (see {@link Estimator}). */
    double latencyMs(String key) {
        double[] runs = wall.get(key);
        if (runs == null) {
            throw new IllegalStateException("profiler: point " + key + " was not measured");
        }
        return switch (estimator) {
            case MEDIAN -> Fits.median(runs);
            case MIN -> Arrays.stream(compute.get(key)).min().orElseThrow() + overheadMs();
        };
    }

    /** Median of wall minus compute over every run: the engine's per-iteration (or per-step) overhead. */
    double overheadMs() {
        return Fits.median(overheadMs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    Profile toProfile(UnitTask task, String hardware, int devices, TaskCost estimate, MeasureGrid grid) {
        List<Long> itemTokens = ProfileMeasurer.itemTokens(task, grid);
        String note = String.format(Locale.ROOT, "measured by 'cornserve profile measure' on %d executor device(s)"
                + " of this machine: %s of %d runs per point (after a discarded one%s), timed from step sent to report"
                + " (opens handled before the step is sent); outside %s the roofline estimate answers", devices,
                estimator == Estimator.MIN ? "the fastest run's compute plus the task's median per-step overhead"
                        : "the median wall time", grid.repetitions(), grid.passes() == 1 ? ""
                                : String.format(Locale.ROOT, ", over %d sweeps of the grid", grid.passes()),
                switch (shape) {
                    case LLM -> String.format(Locale.ROOT, "decode batch <= %d, context <= %d, prefill <= %d tokens",
                            grid.maxBatch(), grid.maxContext(), maxOf(grid.prefillTokens()));
                    case PREFILL_ONLY -> String.format(Locale.ROOT, "prefill %d..%d tokens (it never decodes)",
                            grid.prefillTokens().stream().mapToLong(Long::longValue).min().orElseThrow(),
                            maxOf(grid.prefillTokens()));
                    case BATCH -> String.format(Locale.ROOT, "batch <= %d items of <= %d tokens",
                            maxOf(grid.batchItems().stream().map(Integer::longValue).toList()), maxOf(itemTokens));
                    case DIFFUSION -> String.format(Locale.ROOT, "one denoising step of <= %d jobs of <= %d latent"
                            + " tokens (each conditioned on %d text tokens)",
                            maxOf(grid.batchItems().stream().map(Integer::longValue).toList()), maxOf(itemTokens),
                            grid.diffusionTextTokens());
                });
        String id = task.id();
        double overhead = overheadMs();
        List<Profile.PrefillPoint> prefill = new ArrayList<>();
        if (shape == ProfileMeasurer.Shape.LLM || shape == ProfileMeasurer.Shape.PREFILL_ONLY) {
            for (long t : grid.prefillTokens()) {
                prefill.add(new Profile.PrefillPoint(t, latencyMs(prefillKey(t))));
            }
        }
        return switch (shape) {
            case LLM, PREFILL_ONLY -> {
                List<Profile.DecodePoint> decode = new ArrayList<>();
                if (shape == ProfileMeasurer.Shape.LLM) {
                    for (int b : grid.decodeBatches()) {
                        for (long c : grid.contextTokens()) {
                            decode.add(new Profile.DecodePoint(b, c, latencyMs(decodeKey(b, c))));
                        }
                    }
                }
                long kv = estimate instanceof TaskCost.Llm l ? l.cost().kvBytesPerToken() : 1;
                yield new Profile(id, hardware, devices, ProfileSource.MEASURED, note, Profile.Kind.LLM, kv,
                        overhead, decode, prefill, List.of());
            }
            case BATCH, DIFFUSION -> {
                List<Profile.BatchPoint> batch = new ArrayList<>();
                for (int n : grid.batchItems()) {
                    for (long k : itemTokens) {
                        batch.add(new Profile.BatchPoint(n, k, latencyMs(batchKey(n, k))));
                    }
                }
                yield new Profile(id, hardware, devices, ProfileSource.MEASURED, note,
                        shape == ProfileMeasurer.Shape.BATCH ? Profile.Kind.BATCH : Profile.Kind.DIFFUSION, 0,
                        overhead, List.of(), List.of(), batch);
            }
        };
    }

    private static long maxOf(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    /** The fit's error on held-back points, the per-iteration overhead and the measured-to-estimate ratio. */
    JsonNode report(String task, int devices, Profile p, TaskCost estimate, MeasureGrid grid) {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("task", task);
        r.put("devices", devices);
        r.put("kind", p.kind().name().toLowerCase(Locale.ROOT));
        r.put("iteration_overhead_ms", overheadMs());
        // timed runs per point, fewest and most: the grid's repetitions, whatever the sweeps dealt them over
        r.put("runs_per_point_min", wall.values().stream().mapToInt(v -> v.length).min().orElse(0));
        r.put("runs_per_point_max", wall.values().stream().mapToInt(v -> v.length).max().orElse(0));
        // every timed run's compute per iteration, in the order run (sweep by sweep), for auditing a point
        ObjectNode runs = r.putObject("compute_runs_ms");
        compute.forEach((key, v) -> {
            com.fasterxml.jackson.databind.node.ArrayNode a = runs.putArray(key);
            for (double x : v) {
                a.add(Math.round(x * 1e4) / 1e4);
            }
        });
        r.put("compute_ms_median", Fits.median(computeMs.stream().mapToDouble(Double::doubleValue).toArray()));
        List<Double> ratios = new ArrayList<>();
        switch (estimate) {
            case TaskCost.Llm l -> {
                LlmCost est = l.cost();
                if (!p.decode().isEmpty()) {
                    List<double[]> rows = new ArrayList<>();
                    for (Profile.DecodePoint d : p.decode()) {
                        rows.add(Fits.decodeRow(d.batch(), d.contextTokens(), d.latencyMs()));
                        ratios.add(d.latencyMs() / (est.iterationSeconds(0, 0, d.batch(),
                                d.contextTokens() * d.batch()) * 1e3));
                    }
                    r.set("decode_fit", Fits.holdOut(rows).toJson());
                }
                List<double[]> rows = new ArrayList<>();
                for (Profile.PrefillPoint q : p.prefill()) {
                    rows.add(Fits.prefillRow(q.tokens(), q.latencyMs()));
                    ratios.add(q.latencyMs() / (est.iterationSeconds(q.tokens(), q.tokens() * (q.tokens() + 1) / 2,
                            0, 0) * 1e3));
                }
                r.set("prefill_fit", Fits.holdOut(rows).toJson());
            }
            case TaskCost.Batch b -> r.set("batch_fit", batchFit(p, b.cost(), 0, ratios).toJson());
            case TaskCost.Diffusion d -> {
                DiffusionCost est = d.cost();
                r.set("step_fit", batchFit(p, est::stepSeconds, grid.diffusionTextTokens(), ratios).toJson());
            }
        }
        r.put("measured_over_estimate_median", Fits.median(ratios.stream().mapToDouble(Double::doubleValue)
                .toArray()));
        return r;
    }

    /** @param textTokens a diffusion job's text tokens (0 for a batch task) */
    private static Fits.HoldOut batchFit(Profile p, BatchCost est, long textTokens, List<Double> ratios) {
        List<double[]> rows = new ArrayList<>();
        for (Profile.BatchPoint b : p.batch()) {
            rows.add(Fits.diffusionRow(b.items(), b.tokensPerItem(), textTokens, b.latencyMs()));
            ratios.add(b.latencyMs() / (est.batchSeconds(b.items(), b.items() * b.tokensPerItem()) * 1e3));
        }
        return Fits.holdOut(rows);
    }
}
