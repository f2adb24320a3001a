package org.cornserve.runtime.profile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.stat.regression.SimpleRegression;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.task.UnitTask;
import org.cornserve.runtime.launch.ExecutorLauncher;

/**
 * Why served decode steps cost more than the profile's point for the same batch: times decode steps of one executor
 * under the ways a served step differs from the profiler's, paired. Each {@link Variant} is a way of opening the
 * sequences: contexts all equal (the profiler's grid) or ragged around the same mean (as served batches are), and
 * tokens sampled greedily (the profiler's opens) or at a temperature (a served chat request: the chat API's default
 * is 1). Every round opens fresh sequences for each variant and batch (prefilled untimed), runs one untimed decode
 * step, then {@code stepsPerPoint} timed ones; the variants take turns within a round in an order that rotates from
 * round to round, so a change in the machine's other load falls on every variant alike and their ratios stay paired.
 *
 * <p>Cost: rounds x variants x sum(batches) prefills of about {@code context} tokens, plus the decode steps; about
 * 20-40 s for tiny-omni at the defaults on this machine.
 */
public final class DecodeShapeProbe {
    /**
     * A way of opening the sequences of a decode step.
     *
     * @param name as printed
     * @param ragged contexts spread from a quarter to 1.75 times the mean, instead of all equal to it
     * @param temperature sampling temperature of the sequences (0: greedy)
     */
    public record Variant(String name, boolean ragged, double temperature) {
        public Variant {
            if (!(temperature >= 0)) {
                throw new IllegalArgumentException("variant " + name + ": temperature must be >= 0");
            }
        }
    }

    /** The profiler's opens (equal contexts, greedy) and the served ones (ragged, sampled), and the two mixed. */
    public static final List<Variant> VARIANTS = List.of(new Variant("equal, greedy", false, 0),
            new Variant("equal, sampled", false, 1), new Variant("ragged, greedy", true, 0),
            new Variant("ragged, sampled", true, 1));

    /**
     * One variant at one batch: the per-iteration compute ms of its timed steps.
     *
     * @param meanContextTokens the sequences' mean cached tokens at the first timed step
     */
    public record Point(Variant variant, int batch, double meanContextTokens, double[] computeMs) {
        public Point {
            computeMs = computeMs.clone();
        }

        public double mean() {
            return Arrays.stream(computeMs).average().orElse(Double.NaN);
        }

        public double min() {
            return Arrays.stream(computeMs).min().orElse(Double.NaN);
        }

        public double median() {
            double[] v = computeMs.clone();
            Arrays.sort(v);
            return Fits.median(v);
        }
    }

    private final ExecutorLauncher launcher;
    private final Path shmDir;
    private final long startupTimeoutMillis;
    private final long decodeIterations;

    /** @param decodeIterations decode iterations per step, as the runtime runs them between reports */
    public DecodeShapeProbe(ExecutorLauncher launcher, Path shmDir, long startupTimeoutMillis, long decodeIterations) {
        this.launcher = launcher;
        this.shmDir = shmDir;
        this.startupTimeoutMillis = startupTimeoutMillis;
        this.decodeIterations = decodeIterations;
    }

    /**
     * Measures {@code model}'s LLM on one executor of {@code threads} compute threads.
     *
     * @param contextTokens the mean context of every batch
     * @param batches the decode batches, each >= 1
     * @param rounds rounds (each variant and batch once per round)
     * @param stepsPerPoint timed steps per variant, batch and round
     * @return a point per variant and batch, in the order of {@link #VARIANTS} then {@code batches}
     */
    public List<Point> measure(String model, int threads, long contextTokens, List<Integer> batches, int rounds,
            int stepsPerPoint, ProfileMeasurer.Progress progress) {
        if (contextTokens < 4 || rounds < 1 || stepsPerPoint < 1 || batches.isEmpty()
                || batches.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("decode probe: context >= 4 tokens, rounds >= 1, steps >= 1 and"
                    + " batches >= 1, got context " + contextTokens + ", rounds " + rounds + ", steps "
                    + stepsPerPoint + ", batches " + batches);
        }
        UnitTask llm = ModelCatalog.builtIn().model(model).unitTasks(false).stream()
                .filter(t -> ProfileMeasurer.shape(t) == ProfileMeasurer.Shape.LLM).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("model " + model + " has no LLM to decode"));
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElseThrow();
        long longest = contexts(true, maxBatch, contextTokens)[maxBatch - 1];
        long grown = longest + decodeIterations * (stepsPerPoint + 1) + 8;
        MeasureGrid sizing = new MeasureGrid(List.of(maxBatch), List.of(grown), List.of(grown), List.of(1),
                List.of(1L), 1, MeasureGrid.DEFAULT_DIFFUSION_TEXT_TOKENS);
        List<List<List<Double>>> runs = new ArrayList<>();
        double[][] contextSums = new double[VARIANTS.size()][batches.size()];
        for (int v = 0; v < VARIANTS.size(); v++) {
            runs.add(new ArrayList<>());
            for (int b = 0; b < batches.size(); b++) {
                runs.get(v).add(new ArrayList<>());
            }
        }
        int total = rounds * VARIANTS.size();
        try (ExecutorDriver driver = new ExecutorDriver(launcher, shmDir, startupTimeoutMillis, "shape", threads,
                List.of(llm), sizing, decodeIterations, true, Measured.Estimator.MIN)) {
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < VARIANTS.size(); k++) {
                    int v = (k + r) % VARIANTS.size();
                    Variant variant = VARIANTS.get(v);
                    driver.sampling(variant.temperature());
                    for (int b = 0; b < batches.size(); b++) {
                        int batch = batches.get(b);
                        List<Long> seqs = new ArrayList<>();
                        for (long c : contexts(variant.ragged(), batch, contextTokens)) {
                            seqs.add(driver.prefilled(llm, c));
                            contextSums[v][b] += c;
                        }
                        driver.decodeComputeMs(llm, seqs); // untimed: the first decode after the prefills
                        for (int s = 0; s < stepsPerPoint; s++) {
                            runs.get(v).get(b).add(driver.decodeComputeMs(llm, seqs));
                        }
                        driver.close(seqs);
                    }
                    progress.advance(r * VARIANTS.size() + k + 1, total, variant.name() + ", round " + (r + 1));
                }
            }
        }
        List<Point> points = new ArrayList<>();
        for (int v = 0; v < VARIANTS.size(); v++) {
            for (int b = 0; b < batches.size(); b++) {
                double[] ms = runs.get(v).get(b).stream().mapToDouble(Double::doubleValue).toArray();
                // prompt tokens, plus the one the prefill sampled, plus the untimed step's iterations
                double context = contextSums[v][b] / rounds / batches.get(b) + 1 + decodeIterations;
                points.add(new Point(VARIANTS.get(v), batches.get(b), context, ms));
            }
        }
        return points;
    }

    /**
     * Prompt tokens of a batch's sequences: all {@code mean}, or (ragged) spread evenly from a quarter to 1.75 times
     * it, so their mean stays {@code mean} (rounded); a batch of one is {@code mean} either way.
     */
    static long[] contexts(boolean ragged, int batch, long mean) {
        long[] c = new long[batch];
        for (int i = 0; i < batch; i++) {
            double f = !ragged || batch == 1 ? 1 : 0.25 + 1.5 * i / (batch - 1);
            c[i] = Math.max(1, Math.round(mean * f));
        }
        return c;
    }

    /** A table: per variant and batch, the per-iteration compute (mean, median, min) and its ratio to the first variant. */
    public static String table(List<Point> points) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-17s %5s %8s %5s %9s %9s %9s %11s %11s%n",
                "variant", "batch", "context", "n", "mean ms", "median", "min", "mean/first", "min/first"));
        for (Point p : points) {
            Point first = points.stream().filter(q -> q.batch() == p.batch()).findFirst().orElseThrow();
            sb.append(String.format(Locale.ROOT, "%-17s %5d %8.0f %5d %9.3f %9.3f %9.3f %11.2f %11.2f%n",
                    p.variant().name(), p.batch(), p.meanContextTokens(), p.computeMs().length, p.mean(), p.median(),
                    p.min(), p.mean() / first.mean(), p.min() / first.min()));
        }
        for (Variant v : VARIANTS) {
            List<Point> of = points.stream().filter(p -> p.variant().equals(v)).toList();
            if (of.stream().map(Point::batch).distinct().count() < 2) {
                continue; // a slope needs two batches
            }
            sb.append(String.format(Locale.ROOT, "%-17s per extra sequence: mean %.3f ms, min %.3f ms (least squares"
                    + " over the batches)%n", v.name(), slope(of, true), slope(of, false)));
        }
        return sb.toString();
    }

    /** The least-squares slope of per-iteration compute (mean or min) against the batch (Commons Math). */
    static double slope(List<Point> points, boolean mean) {
        SimpleRegression fit = new SimpleRegression();
        for (Point p : points) {
            fit.addData(p.batch(), mean ? p.mean() : p.min());
        }
        return fit.getSlope();
    }
}
