package org.cornserve.planner;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.graph.RequestGraph;
import org.cornserve.model.graph.TaskNode;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.task.LanguageModel;
import org.cornserve.model.task.UnitTask;
import org.cornserve.traces.TraceRecord;

/**
 * Builds a {@link PlanningProblem} from catalog models, a hardware kind and a trace: the models' distinct
 * unit tasks (equivalent tasks of several models once), each request's work from its composite-task graph,
 * and the trace's mean rate.
 *
 * <p>A model is planned with the unit tasks its requests use: its LLM always, and each other component (an
 * encoder, a talker, a vocoder) only when some request of the trace needs it, so a text-only workload of a
 * multimodal model is served by its LLM alone (the resulting plan leaves the rest out, which the plan validator
 * accepts; a later request that needs a left-out component is rejected naming it). A model without a decoding LLM
 * (a text-to-image pipeline) keeps every component.
 *
 * <p>Requests go to the model named by their app; when the app names no served model they are spread over
 * the models at random (seeded). At most {@code maxSamples} requests, drawn at random (seeded), make up the
 * workload mix; the rate comes from the whole trace.
 */
public final class CatalogProblems {
    private CatalogProblems() {}

    /**
     * @param rateRps the rate to plan for, or 0 to use the trace's mean rate
     * @throws IllegalArgumentException when a request asks for something a model cannot do (naming it)
     */
    public static PlanningProblem build(ModelCatalog catalog, List<String> models, Hardware hardware, int nodes,
            int devicesPerNode, List<TraceRecord> trace, Slo slo, long seed, int maxSamples, double rateRps) {
        return build(catalog, models, hardware, nodes, devicesPerNode, trace, slo, seed, maxSamples, rateRps,
                org.cornserve.model.profile.ProfileBook.EMPTY);
    }

    /** As above, the analytic estimate costing tasks from {@code profiles} where given (else the roofline). */
    public static PlanningProblem build(ModelCatalog catalog, List<String> models, Hardware hardware, int nodes,
            int devicesPerNode, List<TraceRecord> trace, Slo slo, long seed, int maxSamples, double rateRps,
            org.cornserve.model.profile.ProfileBook profiles) {
        if (trace.isEmpty()) {
            throw new IllegalArgumentException("the trace has no requests");
        }
        List<ModelSpec> specs = models.stream().map(catalog::model).toList();
        Map<String, CompositeTask> composites = new LinkedHashMap<>();
        for (ModelSpec m : specs) {
            composites.put(m.name(), new CompositeTask(m));
        }
        CatalogTasks costs = new CatalogTasks(hardware, profiles);
        Set<String> used = usedTasks(trace, specs, composites, seed);
        Map<String, PlannerTask> tasks = new LinkedHashMap<>();
        for (ModelSpec m : specs) {
            Map<String, Integer> depth = depths(composites.get(m.name()).structure(false));
            boolean llmAlone = hasDecodingLlm(m);
            for (UnitTask u : m.unitTasks(false)) {
                if (llmAlone && !isDecodingLlm(u) && !used.contains(u.id())) {
                    continue;
                }
                tasks.computeIfAbsent(u.id(), id -> costs.task(u, depth.getOrDefault(
                        u.component().id(), 1)));
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> picked = sample(trace.size(), maxSamples, random);
        List<RequestWork> samples = new ArrayList<>();
        for (int index : picked) {
            TraceRecord r = trace.get(index);
            String model = modelOf(r, index, specs.stream().map(ModelSpec::name).toList(), seed);
            RequestGraph graph;
            try {
                graph = composites.get(model).requestGraph(r.shape(), false);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trace request " + (index + 1) + " (app " + r.app() + ") cannot go to "
                        + model + ": " + e.getMessage(), e);
            }
            samples.add(work(graph, catalog.model(model).vocoder().map(v -> v.sampleRateHz()).orElse(0)));
        }
        double rate = rateRps > 0 ? rateRps : meanRate(trace);
        ClusterShape cluster = new ClusterShape(hardware.name(), nodes, devicesPerNode, hardware.memoryBytes());
        return new PlanningProblem(models.stream().map(catalog::model).map(ModelSpec::name).toList(),
                List.copyOf(tasks.values()), cluster, new Workload(rate, samples), slo, seed);
    }

    private static boolean isDecodingLlm(UnitTask u) {
        return u.component() instanceof LanguageModel lm && !lm.prefillOnly();
    }

    private static boolean hasDecodingLlm(ModelSpec m) {
        return m.components().stream().anyMatch(c -> c instanceof LanguageModel lm && !lm.prefillOnly());
    }

    /**
     * Task ids some request of the whole trace uses, from one request graph per (model, media modalities, output
     * modalities): which components a request touches depends on nothing else. Requests a model cannot take are
     * skipped here (the sampled ones are reported by {@link #build}).
     */
    private static Set<String> usedTasks(List<TraceRecord> trace, List<ModelSpec> specs,
            Map<String, CompositeTask> composites, long seed) {
        record Kind(String model, Set<Modality> media, Set<Modality> outputs) {}
        List<String> names = specs.stream().map(ModelSpec::name).toList();
        Set<Kind> seen = new HashSet<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < trace.size(); i++) {
            TraceRecord r = trace.get(i);
            String model = modelOf(r, i, names, seed);
            Set<Modality> media = EnumSet.noneOf(Modality.class);
            r.shape().media().forEach(item -> media.add(item.modality()));
            if (!seen.add(new Kind(model, media, r.shape().outputModalities()))) {
                continue;
            }
            try {
                composites.get(model).requestGraph(r.shape(), false).taskNodes().forEach(n -> used.add(n.taskId()));
            } catch (IllegalArgumentException e) {
                // reported for the sampled requests
            }
        }
        return used;
    }

    /**
     * The model a request goes to: the one its app names, else one of the models picked by a seeded hash of
     * the request's position (so the planner and the simulator agree).
     */
    public static String modelOf(TraceRecord record, int index, List<String> models, long seed) {
        if (models.contains(record.app())) {
            return record.app();
        }
        return models.get(Math.floorMod(Long.hashCode(seed * 0x9E3779B97F4A7C15L + index), models.size()));
    }

    /** The trace with every request's app set to the model it goes to ({@link #modelOf}). */
    public static List<TraceRecord> routeToModels(List<TraceRecord> trace, List<String> models, long seed) {
        List<TraceRecord> out = new ArrayList<>(trace.size());
        for (int i = 0; i < trace.size(); i++) {
            out.add(trace.get(i).withApp(modelOf(trace.get(i), i, models, seed)));
        }
        return out;
    }

    /** Requests per second over the trace's span (first to last arrival). */
    public static double meanRate(List<TraceRecord> trace) {
        if (trace.size() < 2) {
            throw new IllegalArgumentException("a trace needs at least two requests to have a rate; pass --rate");
        }
        double span = (trace.get(trace.size() - 1).arrivalNanos() - trace.get(0).arrivalNanos()) / 1e9;
        if (!(span > 0)) {
            throw new IllegalArgumentException("every request of the trace arrives at the same time; pass --rate");
        }
        return (trace.size() - 1) / span;
    }

    private static List<Integer> sample(int size, int maxSamples, SplittableRandom random) {
        List<Integer> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(i);
        }
        if (size <= maxSamples) {
            return all;
        }
        for (int i = 0; i < maxSamples; i++) {
            int j = i + random.nextInt(size - i);
            Integer tmp = all.get(i);
            all.set(i, all.get(j));
            all.set(j, tmp);
        }
        List<Integer> out = new ArrayList<>(all.subList(0, maxSamples));
        out.sort(Integer::compare);
        return out;
    }

    /**
     * The planner's work per task id from a request graph (conventions of the scheduler core), with the speech's
     * duration: the vocoders' waveform samples over {@code sampleRateHz} (0: none counted).
     */
    static RequestWork work(RequestGraph graph, int sampleRateHz) {
        Map<String, TaskWork> work = new HashMap<>();
        long samples = 0;
        for (TaskNode n : graph.taskNodes()) {
            if (n.kind() == org.cornserve.model.task.UnitTaskKind.VOCODER) {
                samples += n.work().outputTokens();
            }
            org.cornserve.model.graph.TaskWork w = n.work();
            int items = Math.max(1, w.items());
            TaskWork mine = switch (n.kind()) {
                case ENCODER, VOCODER, VAE_DECODER -> TaskWork.batch(items, w.inputTokens());
                case LLM, TALKER -> TaskWork.llm(w.inputTokens(), w.outputTokens());
                case GENERATOR -> TaskWork.diffusion(1, w.outputTokens(), Math.max(1, w.steps()));
            };
            work.merge(n.taskId(), mine, (a, b) -> new TaskWork(a.items() + b.items(), a.tokens() + b.tokens(),
                    a.outputTokens() + b.outputTokens(), Math.max(a.steps(), b.steps())));
        }
        return new RequestWork(work, sampleRateHz > 0 ? (double) samples / sampleRateHz : 0);
    }

    /** Longest path (in tasks) from the input to each task node of a composite task's structure. */
    private static Map<String, Integer> depths(RequestGraph structure) {
        Map<String, Integer> depth = new HashMap<>();
        for (TaskNode n : structure.nodes()) {
            int d = 0;
            for (String p : structure.predecessors(n.name())) {
                d = Math.max(d, depth.getOrDefault(p, 0) + (structure.node(p).isTask() ? 1 : 0));
            }
            depth.put(n.name(), d);
        }
        return depth;
    }
}
