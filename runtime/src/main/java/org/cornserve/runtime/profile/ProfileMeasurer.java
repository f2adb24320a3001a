package org.cornserve.runtime.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.profile.ThroughputLatency;
import org.cornserve.model.task.AudioEncoder;
import org.cornserve.model.task.DiffusionTransformer;
import org.cornserve.model.task.LanguageModel;
import org.cornserve.model.task.Talker;
import org.cornserve.model.task.UnitTask;
import org.cornserve.model.task.VaeDecoder;
import org.cornserve.model.task.VisionEncoder;
import org.cornserve.model.task.Vocoder;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.generate.SamplingParams;
import org.cornserve.runtime.launch.ExecutorLauncher;

/**
 * The profiler: starts real executor processes (the ones the runtime serves with), drives each unit task of a model
 * through a grid of batch sizes and token counts over the executor's own protocol, at each device count, and turns
 * the medians into {@code measured} profiles of the task's kind: {@code llm} for LLMs and talkers (prefill and
 * decode) and for a text encoder (prefill only), {@code batch} for encoders, vocoders and VAE decoders,
 * {@code diffusion} (one denoising step of a batch of jobs) for a diffusion transformer ({@link ExecutorDriver}). A point's latency is what the control plane sees: from sending the
 * step to its report, so the engine's per-iteration overhead (framing, the socket, the executor's loop) is in it;
 * the executor's own compute time is reported beside it, and their difference is the profile's
 * {@code cpu_overhead_ms}. A least-squares fit per task (Commons Math) is checked on held-back points and its error
 * reported; throughput-latency curves and Pareto frontiers per device count come from the measured profiles.
 * Outside the measured grid the simulator uses the roofline estimate ({@link ProfileCosts}).
 */
public final class ProfileMeasurer {
    /** Tasks the profiler can drive: every unit task of the tiny models. */
    static final List<String> MEASURABLE = List.of("vision-encoder", "audio-encoder", "llm", "talker", "vocoder",
            "text-encoder", "diffusion-transformer", "vae-decoder");

    /** How a task is driven, and the kind of profile it gets. */
    enum Shape {
        /** an autoregressive task (LLM, talker): prefill and decode iterations, an llm profile */
        LLM,
        /** a text encoder run for its prompt only: prefill iterations, an llm profile without decode points */
        PREFILL_ONLY,
        /** a single-pass task (encoders, vocoder, VAE decoder): batches, a batch profile */
        BATCH,
        /** a diffusion transformer: one denoising step over a batch of jobs, a diffusion profile */
        DIFFUSION
    }

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
    private final boolean barrier;
    private Measured.Estimator estimator = Measured.Estimator.MIN;
    private int hostSharingExecutors = -1;
    private double samplingTemperature = SamplingParams.CHAT_DEFAULT_TEMPERATURE;

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
        this(launcher, shmDir, startupTimeoutMillis, decodeIterations, true);
    }

    /**
     * @param barrier wait until the executor has handled a step's opens before timing the step (the measurement);
     *     false times from the opens' arrival, as the profiler once did, to show what that costs the overhead figure
     */
    public ProfileMeasurer(ExecutorLauncher launcher, Path shmDir, long startupTimeoutMillis, long decodeIterations,
            boolean barrier) {
        if (decodeIterations < 1) {
            throw new IllegalArgumentException("decode iterations must be >= 1, got " + decodeIterations);
        }
        this.launcher = launcher;
        this.shmDir = shmDir;
        this.startupTimeoutMillis = startupTimeoutMillis;
        this.decodeIterations = decodeIterations;
        this.barrier = barrier;
    }

    /**
     * How a point's repeated runs become its latency: {@code min} (the default: the fastest run's compute plus the
     * task's median per-step overhead, see {@code Measured.Estimator}) or {@code median} (the median wall time).
     */
    public ProfileMeasurer estimator(String name) {
        this.estimator = Measured.Estimator.byName(name);
        return this;
    }

    /**
     * The temperature the LLM sequences' tokens are sampled at (0: greedy). By default a chat request's
     * ({@link SamplingParams#CHAT_DEFAULT_TEMPERATURE}, what a replayed trace is served at): a decode point then holds
     * the sampling a served step does once per sequence per iteration. The profiler sampled greedily until served
     * decode steps were found to cost more per sequence than its points ({@code profile decode-check}).
     */
    public ProfileMeasurer sampling(double temperature) {
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("sampling temperature must be >= 0, got " + temperature);
        }
        this.samplingTemperature = temperature;
        return this;
    }

    /**
     * How many single-slot executors at once the host-sharing probe runs ({@link HostSharingProbe}: how executors
     * sharing this host's CPU slow each other); 0 or 1 for none; by default the largest device count measured.
     */
    public ProfileMeasurer hostSharing(int executors) {
        this.hostSharingExecutors = executors;
        return this;
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
        TinyModels.Model.parse(model); // the executors run the tiny models only: refuse any other here, naming them
        List<UnitTask> tasks = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (UnitTask t : spec.unitTasks(false)) {
            String component = component(t);
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
            total += switch (shape(t)) {
                case LLM -> grid.prefillTokens().size() + grid.decodeBatches().size() * grid.contextTokens().size();
                case PREFILL_ONLY -> grid.prefillTokens().size();
                case BATCH, DIFFUSION -> grid.batchItems().size() * grid.tokensPerItem().size();
            };
        }
        total *= maxDevices * grid.passes();
        RooflineTaskCosts roofline = new RooflineTaskCosts(hardware);
        List<Profile> profiles = new ArrayList<>();
        ObjectNode measurement = Json.mapper().createObjectNode();
        measurement.put("grid_repetitions", grid.repetitions());
        measurement.put("grid_passes", grid.passes());
        measurement.set("grid", Json.mapper().valueToTree(grid));
        measurement.put("threads_per_device", threadsPerDevice);
        measurement.put("barrier_before_timed_steps", barrier);
        measurement.put("estimator", estimator.name().toLowerCase(java.util.Locale.ROOT));
        measurement.put("sampling_temperature", samplingTemperature);
        ArrayNode perTask = measurement.putArray("tasks");
        int[] done = {0};
        for (int devices = 1; devices <= maxDevices; devices++) {
            try (ExecutorDriver s = new ExecutorDriver(launcher, shmDir, startupTimeoutMillis, "d" + devices,
                    devices * threadsPerDevice, tasks, grid, decodeIterations, barrier, estimator)) {
                s.sampling(samplingTemperature);
                for (UnitTask t : tasks) {
                    int d = devices;
                    int tot = total;
                    java.util.function.Consumer<String> step = what -> progress.advance(++done[0], tot,
                            t.id() + " x" + d + " " + what);
                    TaskCost estimate = roofline.cost(t, LlmParallelism.tensor(devices));
                    Measured m = switch (shape(t)) {
                        case LLM -> s.llm(t, step);
                        case PREFILL_ONLY -> s.prefillOnly(t, step);
                        case BATCH -> s.batch(t, step);
                        case DIFFUSION -> s.diffusion(t, step);
                    };
                    Profile p = m.toProfile(t, hardware.name(), devices, estimate, grid);
                    profiles.add(p);
                    perTask.add(m.report(t.id(), devices, p, estimate, grid));
                }
            }
        }
        java.util.Optional<UnitTask> llm = tasks.stream().filter(t -> shape(t) == Shape.LLM).findFirst();
        int sharing = hostSharingExecutors < 0 ? maxDevices : hostSharingExecutors;
        if (sharing >= 2 && llm.isPresent()) {
            // the runtime serves one executor per replica, each on its own slots of this host's CPU
            measurement.set("host_sharing", HostSharingProbe.measure(launcher, shmDir, startupTimeoutMillis,
                    sharing, threadsPerDevice, llm.get(), grid, decodeIterations));
        }
        measurement.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
        // the machine the profile holds for: another CPU generation or vector width runs the kernels at another speed
        org.cornserve.model.hardware.CpuInfo.detect().ifPresent(cpu -> measurement.set(ProfileSet.MACHINE_FIELD,
                Json.mapper().valueToTree(cpu.record())));
        measurement.set("not_measured", Json.mapper().valueToTree(skipped));
        measurement.set("frontiers", frontiers(profiles, tasks, hardware, maxDevices, grid));
        ProfileSet set = new ProfileSet(model, hardware.name(), profiles, measurement);
        return new Result(set, skipped, (System.nanoTime() - t0) / 1e9);
    }

    static String component(UnitTask t) {
        return t.id().substring(t.id().indexOf('/') + 1);
    }

    static Shape shape(UnitTask t) {
        return switch (t.component()) {
            case LanguageModel l when l.prefillOnly() -> Shape.PREFILL_ONLY;
            case LanguageModel l -> Shape.LLM;
            case Talker talker -> Shape.LLM;
            case DiffusionTransformer d -> Shape.DIFFUSION;
            case VisionEncoder v -> Shape.BATCH;
            case AudioEncoder a -> Shape.BATCH;
            case Vocoder v -> Shape.BATCH;
            case VaeDecoder v -> Shape.BATCH;
        };
    }

    /**
     * Tokens per item a batch or diffusion task is measured at: the grid's, except for a VAE decoder, whose items
     * are latents of the images the diffusion transformer's grid makes ({@code patch^2} latent pixels per image
     * token), so both are measured on the same image sizes and the default image falls inside both grids.
     */
    static List<Long> itemTokens(UnitTask t, MeasureGrid grid) {
        if (t.component() instanceof VaeDecoder) {
            long perToken = (long) TinyModels.DIT.patch() * TinyModels.DIT.patch();
            return grid.tokensPerItem().stream().map(k -> k * perToken).toList();
        }
        return grid.tokensPerItem();
    }

    /** A prefill-only task's batch of {@code items} prompts of {@code tokens} tokens in all, as one iteration. */
    private static BatchCost prefills(LlmCost cost) {
        return (items, tokens) -> {
            long perItem = tokens / items;
            return cost.iterationSeconds(tokens, items * perItem * (perItem + 1) / 2, 0, 0);
        };
    }

    private static long middle(List<Long> axis) {
        return axis.get(axis.size() / 2);
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
                int maxItems = grid.batchItems().stream().mapToInt(Integer::intValue).max().orElseThrow();
                curves.put(p.tensorParallel(), switch (estimate) {
                    // a text encoder: requests of the middle prompt length, prefilled together
                    case TaskCost.Llm l when p.decode().isEmpty() -> ThroughputLatency.batch(
                            prefills(ProfileCosts.llm(p, l.cost(), null)), p.tensorParallel(),
                            grid.prefillTokens().get(grid.prefillTokens().size() / 2), maxItems);
                    case TaskCost.Llm l -> ThroughputLatency.llmDecode(ProfileCosts.llm(p, l.cost(), null),
                            p.tensorParallel(), grid.contextTokens().get(grid.contextTokens().size() / 2),
                            grid.maxBatch());
                    case TaskCost.Batch b -> ThroughputLatency.batch(ProfileCosts.batch(p, b.cost(), null),
                            p.tensorParallel(), middle(itemTokens(t, grid)), maxItems);
                    // a diffusion transformer: one denoising step per point (a job takes its steps of them)
                    case TaskCost.Diffusion d -> ThroughputLatency.batch(
                            ProfileCosts.diffusion(p, d.cost(), null)::stepSeconds, p.tensorParallel(),
                            middle(itemTokens(t, grid)), maxItems);
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
}
