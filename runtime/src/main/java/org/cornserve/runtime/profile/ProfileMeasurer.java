package org.cornserve.runtime.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.json.Json;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.LlmParallelism;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileCosts;
import org.cornserve.model.profile.ProfileSet;
import org.cornserve.model.profile.ProfileSource;
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.profile.ThroughputLatency;
import org.cornserve.model.task.UnitTask;
import org.cornserve.runtime.control.ExecutorEvents;
import org.cornserve.runtime.control.ExecutorHandle;
import org.cornserve.runtime.control.ExecutorHub;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.executor.ExecutorCommand;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.launch.ExecutorLauncher;
import org.cornserve.runtime.launch.ExecutorSpec;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * The profiler: starts real executor processes (the ones the runtime serves with), drives each unit task of a model
 * through a grid of batch sizes and token counts over the executor's own protocol, at each device count, and turns
 * the medians into {@code measured} profiles. A point's latency is what the control plane sees: from sending the
 * step to its report, so the engine's per-iteration overhead (framing, the socket, the executor's loop) is in it;
 * the executor's own compute time is reported beside it, and their difference is the profile's
 * {@code cpu_overhead_ms}. A least-squares fit per task (Commons Math) is checked on held-back points and its error
 * reported; throughput-latency curves and Pareto frontiers per device count come from the measured profiles.
 * Outside the measured grid the simulator uses the roofline estimate ({@link ProfileCosts}).
 */
public final class ProfileMeasurer {
    /** Tasks the profiler can drive: autoregressive and single-pass tasks of the tiny models. */
    static final List<String> MEASURABLE = List.of("vision-encoder", "audio-encoder", "llm", "talker", "vocoder");

    /** Progress: {@code done} of {@code total} points, the one just measured named. */
    public interface Progress {
        void advance(int done, int total, String what);
    }

    /**
     * What was measured.
     *
     * @param profiles the measured profile set (with its {@code measurement} section)
     * @param skipped components the profiler cannot drive, which keep their estimates
     * @param wallSeconds time the measurement took
     */
    public record Result(ProfileSet profiles, List<String> skipped, double wallSeconds) {
    }

    private final ExecutorLauncher launcher;
    private final Path shmDir;
    private final long startupTimeoutMillis;
    private final long decodeIterations;

    /** @param launcher starts the executors (a {@link org.cornserve.runtime.launch.LocalProcessLauncher} here) */
    public ProfileMeasurer(ExecutorLauncher launcher, Path shmDir, long startupTimeoutMillis) {
        this(launcher, shmDir, startupTimeoutMillis,
                org.cornserve.runtime.control.RuntimeOptions.defaults().maxRunIterations());
    }

    /**
     * @param decodeIterations decode iterations per step, as the runtime runs them between reports (its
     *     {@code maxRunIterations}); a decode point is the step's time divided by the iterations it ran
     */
    public ProfileMeasurer(ExecutorLauncher launcher, Path shmDir, long startupTimeoutMillis, long decodeIterations) {
        if (decodeIterations < 1) {
            throw new IllegalArgumentException("decode iterations must be >= 1, got " + decodeIterations);
        }
        this.launcher = launcher;
        this.shmDir = shmDir;
        this.startupTimeoutMillis = startupTimeoutMillis;
        this.decodeIterations = decodeIterations;
    }

    /**
     * Measures {@code model}'s tasks at 1 to {@code maxDevices} devices of {@code threadsPerDevice} CPU threads.
     *
     * @param hardware the hardware the profiles are for (its roofline answers outside the grid)
     */
    public Result measure(String model, Hardware hardware, int maxDevices, int threadsPerDevice, MeasureGrid grid,
            Progress progress) {
        return measure(model, null, hardware, maxDevices, threadsPerDevice, grid, progress);
    }

    /**
     * As above, for the tasks in {@code only} (task ids; an LLM's phases count as the LLM), or all when null: a plan
     * that deploys some of a model's components needs only theirs.
     */
    public Result measure(String model, java.util.Set<String> only, Hardware hardware, int maxDevices,
            int threadsPerDevice, MeasureGrid grid, Progress progress) {
        long t0 = System.nanoTime();
        ModelSpec spec = ModelCatalog.builtIn().model(model);
        List<UnitTask> tasks = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (UnitTask t : spec.unitTasks(false)) {
            String component = t.id().substring(t.id().indexOf('/') + 1);
            if (only != null && !only.contains(t.id())) {
                continue;
            }
            if (MEASURABLE.contains(component)) {
                tasks.add(t);
            } else {
                skipped.add(t.id());
            }
        }
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("model " + model + " has no task the profiler can drive on this"
                    + " machine's executors (it drives " + MEASURABLE + " of the tiny models)");
        }
        int total = 0;
        for (UnitTask t : tasks) {
            total += isLlm(t) ? grid.prefillTokens().size() + grid.decodeBatches().size() * grid.contextTokens().size()
                    : grid.batchItems().size() * grid.tokensPerItem().size();
        }
        total *= maxDevices;
        RooflineTaskCosts roofline = new RooflineTaskCosts(hardware);
        List<Profile> profiles = new ArrayList<>();
        ObjectNode measurement = Json.mapper().createObjectNode();
        measurement.put("grid_repetitions", grid.repetitions());
        measurement.set("grid", Json.mapper().valueToTree(grid));
        measurement.put("threads_per_device", threadsPerDevice);
        ArrayNode perTask = measurement.putArray("tasks");
        int[] done = {0};
        for (int devices = 1; devices <= maxDevices; devices++) {
            try (Session s = new Session(devices, devices * threadsPerDevice, tasks, grid)) {
                for (UnitTask t : tasks) {
                    int d = devices;
                    int tot = total;
                    java.util.function.Consumer<String> step = what -> progress.advance(++done[0], tot,
                            t.id() + " x" + d + " " + what);
                    TaskCost estimate = roofline.cost(t, LlmParallelism.tensor(devices));
                    Measured m = isLlm(t) ? s.llm(t, step) : s.batch(t, step);
                    Profile p = m.toProfile(t.id(), hardware.name(), devices, estimate, grid);
                    profiles.add(p);
                    perTask.add(m.report(t.id(), devices, p, estimate, grid));
                }
            }
        }
        measurement.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
        measurement.set("not_measured", Json.mapper().valueToTree(skipped));
        measurement.set("frontiers", frontiers(profiles, tasks, hardware, maxDevices, grid));
        ProfileSet set = new ProfileSet(model, hardware.name(), profiles, measurement);
        return new Result(set, skipped, (System.nanoTime() - t0) / 1e9);
    }

    static boolean isLlm(UnitTask t) {
        String c = t.id().substring(t.id().indexOf('/') + 1);
        return c.equals("llm") || c.equals("talker");
    }

    /** Throughput-latency curves of each measured task per device count, and the Pareto frontier over devices. */
    private static JsonNode frontiers(List<Profile> profiles, List<UnitTask> tasks, Hardware hardware, int maxDevices,
            MeasureGrid grid) {
        RooflineTaskCosts roofline = new RooflineTaskCosts(hardware);
        ObjectNode out = Json.mapper().createObjectNode();
        for (UnitTask t : tasks) {
            Map<Integer, List<ThroughputLatency.Point>> curves = new LinkedHashMap<>();
            for (Profile p : profiles) {
                if (!p.task().equals(t.id())) {
                    continue;
                }
                TaskCost estimate = roofline.cost(t, LlmParallelism.tensor(p.tensorParallel()));
                curves.put(p.tensorParallel(), switch (estimate) {
                    case TaskCost.Llm l -> ThroughputLatency.llmDecode(ProfileCosts.llm(p, l.cost(), null),
                            p.tensorParallel(), grid.contextTokens().get(grid.contextTokens().size() / 2),
                            grid.maxBatch());
                    case TaskCost.Batch b -> ThroughputLatency.batch(ProfileCosts.batch(p, b.cost(), null),
                            p.tensorParallel(), grid.tokensPerItem().get(grid.tokensPerItem().size() / 2),
                            grid.batchItems().stream().mapToInt(Integer::intValue).max().orElseThrow());
                    case TaskCost.Diffusion d -> List.of();
                });
            }
            List<Integer> counts = new ArrayList<>();
            for (int d = 1; d <= maxDevices; d++) {
                counts.add(d);
            }
            ObjectNode task = out.putObject(t.id());
            task.set("curves", Json.mapper().valueToTree(curves));
            task.set("pareto_frontier", Json.mapper().valueToTree(ThroughputLatency.frontierByDevices(curves, counts)));
        }
        return out;
    }

    /** Timed points of one task at one device count. */
    static final class Measured {
        final boolean llm;
        final Map<String, double[]> wall = new LinkedHashMap<>();
        final List<Double> overheadMs = new ArrayList<>();
        final List<Double> computeMs = new ArrayList<>();

        Measured(boolean llm) {
            this.llm = llm;
        }

        void add(String key, double wallMs, double computeMsValue) {
            double[] old = wall.getOrDefault(key, new double[0]);
            double[] now = Arrays.copyOf(old, old.length + 1);
            now[old.length] = wallMs;
            wall.put(key, now);
            overheadMs.add(Math.max(0, wallMs - computeMsValue));
            computeMs.add(computeMsValue);
        }

        double median(String key) {
            return Fits.median(wall.get(key));
        }

        Profile toProfile(String task, String hardware, int devices, TaskCost estimate, MeasureGrid grid) {
            String note = String.format(Locale.ROOT, "measured by 'cornserve profile measure' on %d executor device(s)"
                    + " of this machine: median of %d runs per point, wall time from step sent to report; outside"
                    + " decode batch <= %d, context <= %d, prefill <= %d tokens, batch <= %d items of <= %d tokens the"
                    + " roofline estimate answers", devices, grid.repetitions(), grid.maxBatch(), grid.maxContext(),
                    grid.prefillTokens().stream().mapToLong(Long::longValue).max().orElseThrow(),
                    grid.batchItems().stream().mapToInt(Integer::intValue).max().orElseThrow(),
                    grid.tokensPerItem().stream().mapToLong(Long::longValue).max().orElseThrow());
            double overhead = Fits.median(overheadMs.stream().mapToDouble(Double::doubleValue).toArray());
            if (llm) {
                List<Profile.DecodePoint> decode = new ArrayList<>();
                for (int b : grid.decodeBatches()) {
                    for (long c : grid.contextTokens()) {
                        decode.add(new Profile.DecodePoint(b, c, median("d" + b + "x" + c)));
                    }
                }
                List<Profile.PrefillPoint> prefill = new ArrayList<>();
                for (long t : grid.prefillTokens()) {
                    prefill.add(new Profile.PrefillPoint(t, median("p" + t)));
                }
                long kv = estimate instanceof TaskCost.Llm l ? l.cost().kvBytesPerToken() : 1;
                return new Profile(task, hardware, devices, ProfileSource.MEASURED, note, Profile.Kind.LLM, kv,
                        overhead, decode, prefill, List.of());
            }
            List<Profile.BatchPoint> batch = new ArrayList<>();
            for (int n : grid.batchItems()) {
                for (long k : grid.tokensPerItem()) {
                    batch.add(new Profile.BatchPoint(n, k, median("b" + n + "x" + k)));
                }
            }
            return new Profile(task, hardware, devices, ProfileSource.MEASURED, note, Profile.Kind.BATCH, 0, 0,
                    List.of(), List.of(), batch);
        }

        /** The fit's error on held-back points, the per-iteration overhead and the measured-to-estimate ratio. */
        JsonNode report(String task, int devices, Profile p, TaskCost estimate, MeasureGrid grid) {
            ObjectNode r = Json.mapper().createObjectNode();
            r.put("task", task);
            r.put("devices", devices);
            r.put("iteration_overhead_ms", Fits.median(overheadMs.stream().mapToDouble(Double::doubleValue).toArray()));
            r.put("compute_ms_median", Fits.median(computeMs.stream().mapToDouble(Double::doubleValue).toArray()));
            List<double[]> rows = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            if (llm) {
                LlmCost est = ((TaskCost.Llm) estimate).cost();
                for (Profile.DecodePoint d : p.decode()) {
                    rows.add(new double[] {d.batch(), (double) d.batch() * d.contextTokens(), d.latencyMs()});
                    ratios.add(d.latencyMs() / (est.iterationSeconds(0, 0, d.batch(), d.contextTokens() * d.batch()) * 1e3));
                }
                r.set("decode_fit", Fits.holdOut(rows).toJson());
                rows.clear();
                for (Profile.PrefillPoint q : p.prefill()) {
                    rows.add(new double[] {q.tokens(), (double) q.tokens() * q.tokens(), q.latencyMs()});
                    ratios.add(q.latencyMs() / (est.iterationSeconds(q.tokens(), q.tokens() * (q.tokens() + 1) / 2, 0, 0) * 1e3));
                }
                r.set("prefill_fit", Fits.holdOut(rows).toJson());
            } else {
                BatchCost est = ((TaskCost.Batch) estimate).cost();
                for (Profile.BatchPoint b : p.batch()) {
                    rows.add(new double[] {(double) b.items() * b.tokensPerItem(),
                            (double) b.items() * b.tokensPerItem() * b.tokensPerItem(), b.latencyMs()});
                    ratios.add(b.latencyMs() / (est.batchSeconds(b.items(), b.items() * b.tokensPerItem()) * 1e3));
                }
                r.set("batch_fit", Fits.holdOut(rows).toJson());
            }
            r.put("measured_over_estimate_median", Fits.median(ratios.stream().mapToDouble(Double::doubleValue).toArray()));
            return r;
        }
    }

    /** One executor process hosting every measured task at one device count, driven step by step. */
    private final class Session implements AutoCloseable {
        private final BlockingQueue<Object[]> events = new LinkedBlockingQueue<>();
        private final ExecutorHub hub;
        private final ExecutorHandle handle;
        private final SharedMemorySidecar sidecar;
        private final MeasureGrid grid;
        private final SplittableRandom random = new SplittableRandom(7);
        private long ids = 1;

        Session(int devices, int threads, List<UnitTask> tasks, MeasureGrid grid) {
            this.grid = grid;
            String session = "prof" + ProcessHandle.current().pid() + "d" + devices;
            ExecutorEvents listener = new ExecutorEvents() {
                @Override
                public void ready(ExecutorHandle executor, ExecutorReport.Ready ready, long startupNanos) {
                    events.add(new Object[] {ready, System.nanoTime()});
                }

                @Override
                public void report(ExecutorHandle executor, ExecutorReport report) {
                    events.add(new Object[] {report, System.nanoTime()});
                }

                @Override
                public void down(ExecutorHandle executor, String why) {
                    events.add(new Object[] {"executor down: " + why, System.nanoTime()});
                }
            };
            try {
                hub = new ExecutorHub(launcher, listener, startupTimeoutMillis);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sidecar = new SharedMemorySidecar(shmDir, session, "profiler", 600_000, System::currentTimeMillis);
            long kv = (long) grid.maxBatch() * (grid.maxContext() + 64L * grid.repetitions() + 64)
                    + 2 * grid.prefillTokens().stream().mapToLong(Long::longValue).max().orElseThrow();
            try {
                handle = hub.start(new ExecutorSpec("prof" + devices, tasks.stream().map(UnitTask::id).toList(),
                        threads, 1, kv, grid.maxBatch() + 2, hub.address(), session, shmDir, 600_000, true));
                next(ExecutorReport.Ready.class, startupTimeoutMillis);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private Object[] next(Class<?> type, long timeoutMillis) {
            try {
                Object[] e = events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
                if (e == null) {
                    throw new IllegalStateException("profiler: no answer from the executor in " + timeoutMillis + " ms");
                }
                if (e[0] instanceof String why) {
                    throw new IllegalStateException("profiler: " + why);
                }
                if (e[0] instanceof ExecutorReport.OpenFailed f) {
                    throw new IllegalStateException("profiler: open failed: " + f.failure());
                }
                if (!type.isInstance(e[0])) {
                    throw new IllegalStateException("profiler: expected " + type.getSimpleName() + ", got " + e[0]);
                }
                return e;
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("profiler interrupted", ie);
            }
        }

        /** Runs one single-iteration step; returns {wall ms, compute ms}. */
        private double[] step(String task, List<ExecutorCommand.StepItem> items) {
            return step(task, items, 1);
        }

        /**
         * Runs one step of up to {@code iterations} iterations; returns {wall ms, compute ms} per iteration run (the
         * runtime runs decode this way, reporting every few tokens, so the round trip is shared by them).
         */
        private double[] step(String task, List<ExecutorCommand.StepItem> items, long iterations) {
            long step = ids++;
            long sent = System.nanoTime();
            handle.send(new ExecutorCommand.RunStep(step, task, items, iterations));
            Object[] e = next(ExecutorReport.StepDone.class, 600_000);
            ExecutorReport.StepDone done = (ExecutorReport.StepDone) e[0];
            if (done.failure() != null) {
                throw new IllegalStateException("profiler: step of " + task + " failed: " + done.failure());
            }
            double n = Math.max(1, done.iterations());
            return new double[] {((long) e[1] - sent) / 1e6 / n, done.computeNanos() / 1e6 / n};
        }

        private long openLlm(UnitTask t, long promptTokens) {
            long id = ids++;
            int n = (int) Math.max(1, promptTokens);
            if (t.id().endsWith("/talker")) {
                float[] hidden = new float[n * TinyModels.TALKER.thinkerHidden()];
                for (int i = 0; i < hidden.length; i++) {
                    hidden[i] = (float) (random.nextDouble() - 0.5);
                }
                TensorRef in = sidecar.putFloats(hidden, 1);
                handle.send(new ExecutorCommand.Open(id, t.id(), null, List.of(in), null, room(n), 0, id, false, 0));
            } else {
                int[] tokens = new int[n];
                for (int i = 0; i < n; i++) {
                    tokens[i] = 32 + random.nextInt(90);
                }
                handle.send(new ExecutorCommand.Open(id, t.id(), tokens, List.of(), null, room(n), 0, id, false, 0));
            }
            return id;
        }

        /** Tokens a sequence of {@code prompt} tokens may generate within the tiny models' positions. */
        private int room(int prompt) {
            if (prompt >= TinyModels.MAX_POSITIONS) {
                throw new IllegalArgumentException("profiler: a " + prompt + "-token prompt leaves no room in the"
                        + " tiny models' " + TinyModels.MAX_POSITIONS + " positions; lower the grid's token counts");
            }
            return TinyModels.MAX_POSITIONS - prompt;
        }

        private void closeAll(List<Long> invocations) {
            if (!invocations.isEmpty()) {
                handle.send(new ExecutorCommand.Close(invocations));
            }
        }

        Measured llm(UnitTask t, java.util.function.Consumer<String> pointDone) {
            Measured m = new Measured(true);
            int reps = grid.repetitions();
            for (long tokens : grid.prefillTokens()) { // warm-up: let the JIT compile every shape first
                long id = openLlm(t, tokens);
                step(t.id(), List.of(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.PREFILL, 0, tokens)));
                step(t.id(), List.of(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.DECODE, 0, 1)),
                        decodeIterations);
                closeAll(List.of(id));
            }
            for (long tokens : grid.prefillTokens()) {
                for (int r = 0; r <= reps; r++) {
                    long id = openLlm(t, tokens);
                    double[] w = step(t.id(), List.of(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.PREFILL,
                            0, tokens)));
                    if (r > 0) {
                        m.add("p" + tokens, w[0], w[1]);
                    }
                    closeAll(List.of(id));
                }
                pointDone.accept("prefill " + tokens);
            }
            for (long context : grid.contextTokens()) {
                long prompt = Math.max(1, context);
                List<Long> seqs = new ArrayList<>();
                for (int i = 0; i < grid.maxBatch(); i++) {
                    long id = openLlm(t, prompt);
                    step(t.id(), List.of(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.PREFILL, 0, prompt)));
                    seqs.add(id);
                }
                for (int b : grid.decodeBatches()) {
                    List<ExecutorCommand.StepItem> items = new ArrayList<>();
                    for (int i = 0; i < b; i++) {
                        items.add(new ExecutorCommand.StepItem(seqs.get(i), ExecutorCommand.ItemKind.DECODE, 0, 1));
                    }
                    for (int r = 0; r <= reps; r++) {
                        double[] w = step(t.id(), items, decodeIterations);
                        if (r > 0) {
                            m.add("d" + b + "x" + context, w[0], w[1]);
                        }
                    }
                    pointDone.accept("decode " + b + " x " + context);
                }
                closeAll(seqs);
            }
            return m;
        }

        Measured batch(UnitTask t, java.util.function.Consumer<String> pointDone) {
            Measured m = new Measured(false);
            String component = t.id().substring(t.id().indexOf('/') + 1);
            for (int n : grid.batchItems()) {
                for (long k : grid.tokensPerItem()) {
                    for (int r = 0; r <= grid.repetitions(); r++) {
                        List<ExecutorCommand.StepItem> items = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            long id = ids++;
                            handle.send(openBatchItem(id, t.id(), component, k));
                            items.add(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.BATCH, 0, 0));
                        }
                        double[] w = step(t.id(), items);
                        if (r > 0) {
                            m.add("b" + n + "x" + k, w[0], w[1]);
                        }
                    }
                    pointDone.accept(n + " x " + k + " tokens");
                }
            }
            return m;
        }

        /** One item of {@code tokens} tokens: a square image, a clip, or codec codes. */
        private ExecutorCommand.Open openBatchItem(long id, String task, String component, long tokens) {
            return switch (component) {
                case "vision-encoder" -> {
                    int side = (int) Math.max(1, Math.round(Math.sqrt(tokens)));
                    int px = side * TinyModels.VISION.patch() * TinyModels.VISION.merge();
                    float[] pixels = new float[px * px * 3];
                    for (int i = 0; i < pixels.length; i++) {
                        pixels[i] = (float) random.nextDouble();
                    }
                    yield new ExecutorCommand.Open(id, task, null, List.of(sidecar.putFloats(pixels, 1)),
                            new int[] {px, px}, 0, 0, 0, false, 0);
                }
                case "audio-encoder" -> {
                    float[] samples = new float[(int) (tokens * TinyModels.AUDIO.sampleRate() / 25)];
                    for (int i = 0; i < samples.length; i++) {
                        samples[i] = (float) (random.nextDouble() - 0.5);
                    }
                    yield new ExecutorCommand.Open(id, task, null, List.of(sidecar.putFloats(samples, 1)), null, 0, 0,
                            0, false, 0);
                }
                case "vocoder" -> {
                    int[] codes = new int[(int) tokens];
                    for (int i = 0; i < codes.length; i++) {
                        codes[i] = random.nextInt(200);
                    }
                    yield new ExecutorCommand.Open(id, task, null, List.of(sidecar.putInts(codes, 1)), null, 0, 0, 0,
                            false, 0);
                }
                default -> throw new IllegalArgumentException("profiler: cannot drive " + task);
            };
        }

        @Override
        public void close() {
            try {
                hub.stopAll(5_000);
            } finally {
                hub.close();
                sidecar.close();
            }
        }
    }
}
