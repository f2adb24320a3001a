package org.cornserve.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cornserve.cli.progress.ProgressBar;
import org.cornserve.cli.validate.Comparison;
import org.cornserve.cli.validate.PassPercentiles;
import org.cornserve.cli.validate.PredictedReplay;
import org.cornserve.cli.validate.ProbeCounts;
import org.cornserve.cli.validate.ProbeTraces;
import org.cornserve.cli.validate.ServeRun;
import org.cornserve.cli.validate.Served;
import org.cornserve.cli.validate.Validation;
import org.cornserve.experiments.headline.HeadlineWorkloads;
import org.cornserve.experiments.headline.Interval;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.runtime.control.DeviceSlots;

/**
 * Runs an {@link ExperimentSpec}: every case (plan x rate x seed x engine), in order or, for a spec of simulator
 * cases alone, side by side ({@link #sideBySide}), each case's row appended to {@code results.jsonl} as soon as it
 * finishes (so an interrupted run keeps what was done, and a rerun into the same folder skips finished cases; the
 * file is put in the cases' order at the end), then intervals over seeds per plan, rate and engine ({@code summary.csv},
 * {@code summary.json}) and the figures. Seed {@code k} (the k-th of the list) measures the k-th disjoint window of
 * the trace: the spec's window shifted by {@code k - 1} window lengths, so replicates differ in the requests they
 * see, not only in random numbers.
 */
public final class ExperimentRunner {
    /** Metrics kept per case and summarised over seeds. */
    static final List<String> METRICS = List.of("throughput_rps", "goodput_rps", "slo_attainment", "ttft_ms.p50",
            "ttft_ms.p99", "tpot_ms.p50", "tpot_ms.p99", "e2e_ms.p50", "e2e_ms.p99");

    /** Built-in specs, by bare name. */
    static final String RESOURCE_DIR = "/org/cornserve/experiments/specs/";

    private final ExperimentSpec spec;
    private final Path specDir;
    private final Path out;
    private final PrintWriter err;
    /** Profile files measured by this run ({@code measure_profiles}), and the tasks they hold. */
    private final List<Path> measuredProfiles = new ArrayList<>();
    private final Set<String> measuredTasks = new LinkedHashSet<>();
    /** The served costs file engine {@code both} charges, read (and the embedded one written) once; empty for none. */
    private java.util.Optional<Path> servedCosts;
    /** Whether {@link #run} draws the figures at the end. */
    private boolean figures = true;
    /** Simulator cases run side by side on this many threads ({@link #sideBySide}). */
    private final int threads;
    /** One lock per file made on demand (a slice, a planning window, a plan, a generated trace): made once. */
    private final ConcurrentHashMap<Path, Object> making = new ConcurrentHashMap<>();

    /**
     * A case to run.
     *
     * @param id unique within the experiment
     * @param variant the workload variant's name ("" without variants)
     * @param plan the plan's label (file name or strategy)
     * @param planFile where its plan is (planned cases: after planning)
     * @param strategy the strategy to plan with, or null for a plan file
     * @param rate requests per second (0: the trace's own)
     * @param seedIndex position of the seed in the spec
     * @param seed the seed
     * @param engine simulator or runtime
     */
    record Case(String id, String variant, String plan, Path planFile, String strategy, double rate,
            int seedIndex, long seed, String engine) {
    }

    /** A runner that runs its cases one at a time. */
    ExperimentRunner(ExperimentSpec spec, Path specDir, Path out, PrintWriter err) {
        this(spec, specDir, out, err, 1);
    }

    /**
     * A runner whose simulator cases run side by side on {@code threads} threads where {@link #sideBySide} allows;
     * the rest one at a time.
     */
    ExperimentRunner(ExperimentSpec spec, Path specDir, Path out, PrintWriter err, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.spec = spec.resolved();
        this.specDir = specDir;
        this.out = out;
        this.err = err;
        this.threads = threads;
    }

    /**
     * Whether cases run side by side: more than one thread, every case on the simulator and no profile measured
     * here. Served cases and profiling need the machine's cores to themselves (their timings are the result), so
     * they run one at a time whatever the threads.
     */
    boolean sideBySide() {
        return threads > 1 && spec.engine().equals("simulator") && !spec.measureProfiles();
    }

    /** The confidence of the intervals over seeds. */
    double confidence() {
        return spec.confidence();
    }

    /** The built-in specs, by the bare names {@code experiment run} takes. */
    static final java.util.List<String> BUILT_IN = java.util.List.of("headline", "scaling", "sensitivity", "validation");

    /** Reads a spec file, or a built-in spec by bare name (see {@link #BUILT_IN}), as {@code type}. */
    static <T> T read(String nameOrPath, Class<T> type) {
        Path p = Path.of(nameOrPath);
        if (Files.isRegularFile(p)) {
            return Json.read(p, type); // unknown fields and bad values: FILE:LINE:COLUMN: at field
        }
        return Json.readResource(resource(nameOrPath), type);
    }

    /** Reads a sweep spec file, or a built-in one by bare name. */
    static ExperimentSpec read(String nameOrPath) {
        return read(nameOrPath, ExperimentSpec.class);
    }

    /**
     * A spec's {@code kind}: {@code sweep} (the default: plans or strategies x variants x rates x seeds, this
     * runner), {@code headline} (every strategy planned on one window, capacity bisected on a later one) or
     * {@code scaling} (static against autoscaled plans on a rate-modulated trace).
     */
    static String kind(String nameOrPath) {
        com.fasterxml.jackson.databind.JsonNode tree = read(nameOrPath, com.fasterxml.jackson.databind.JsonNode.class);
        String kind = tree.path("kind").asText("sweep");
        if (!java.util.List.of("sweep", "headline", "scaling").contains(kind)) {
            throw new IllegalArgumentException("experiment spec " + nameOrPath + ": kind '" + kind
                    + "' is not one of sweep, headline, scaling");
        }
        return kind;
    }

    private static String resource(String name) {
        String resource = RESOURCE_DIR + name + ".json";
        if (ExperimentRunner.class.getResource(resource) == null) {
            throw new IllegalArgumentException("experiment spec '" + name + "' is neither a file nor a built-in"
                    + " spec (built-in: " + String.join(", ", BUILT_IN) + ")");
        }
        return resource;
    }

    /** Every case, in run order. */
    List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        List<String[]> sources = new ArrayList<>();
        for (String f : spec.plans()) {
            sources.add(new String[] {Path.of(f).getFileName().toString().replace(".json", ""), f, null});
        }
        for (String s : spec.strategies()) {
            sources.add(new String[] {s, null, s});
        }
        List<String> engines = spec.engine().equals("both") ? List.of("simulator", "runtime") : List.of(spec.engine());
        List<String> variants = spec.variants().isEmpty() ? List.of("")
                : spec.variants().stream().map(ExperimentSpec.Variant::name).toList();
        for (String variant : variants) {
            String prefix = variant.isEmpty() ? "" : variant + "-";
            for (String[] src : sources) {
                for (double rate : spec.rates()) {
                    for (int i = 0; i < spec.seeds().size(); i++) {
                        for (String engine : engines) {
                            String id = String.format(Locale.ROOT, "%s%s-r%s-s%d-%s", prefix, src[0], fmt(rate),
                                    spec.seeds().get(i), engine.substring(0, 3));
                            Path planFile = src[1] != null ? resolve(src[1])
                                    : out.resolve("plans").resolve(prefix + src[0] + "-r" + fmt(rate) + ".json");
                            cases.add(new Case(id, variant, src[0], planFile, src[2], rate, i, spec.seeds().get(i),
                                    engine));
                        }
                    }
                }
            }
        }
        return cases;
    }

    /** The trace of a variant ("" : the experiment's own). */
    private ExperimentSpec.TraceSpec trace(String variant) {
        return variant.isEmpty() ? spec.trace() : spec.variants().stream().filter(v -> v.name().equals(variant))
                .findFirst().orElseThrow().trace();
    }

    /** Runs every case not yet in {@code results.jsonl}, then summarises and draws. */
    void run() throws Exception {
        Files.createDirectories(out);
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("spec.resolved.json").toFile(), spec);
        Path results = out.resolve("results.jsonl");
        Set<String> done = new LinkedHashSet<>();
        if (Files.exists(results)) {
            for (String line : Files.readAllLines(results)) {
                if (!line.isBlank()) {
                    done.add(Json.mapper().readTree(line).path("case").asText());
                }
            }
        }
        List<Case> cases = cases();
        List<Case> todo = cases.stream().filter(c -> !done.contains(c.id())).toList();
        if (!done.isEmpty()) {
            err.printf(Locale.ROOT, "resuming: %d of %d cases already in %s%n", cases.size() - todo.size(),
                    cases.size(), results);
        }
        List<List<Case>> units = units(cases, done, results);
        if (spec.measureProfiles()) {
            // the LLMs first, at every device count, so that planning ranks with measured costs (as the demo does)
            for (String model : spec.models()) {
                java.util.Set<String> llms = new java.util.TreeSet<>();
                org.cornserve.model.catalog.ModelCatalog.builtIn().model(model).unitTasks(false).stream()
                        .filter(t -> t.runsDecode()).forEach(t -> llms.add(t.id()));
                measure(model, llms, spec.devices());
            }
        }
        ProgressBar bar = new ProgressBar(err, spec.name());
        int before = cases.size() - todo.size();
        if (sideBySide()) {
            runSideBySide(units, results, bar, before, cases.size());
        } else {
            int k = before;
            for (List<Case> unit : units) {
                bar.update(k, cases.size(), unit.get(0).id());
                append(results, runUnit(unit));
                k += unit.size();
            }
        }
        bar.update(cases.size(), cases.size(), "");
        inCaseOrder(results, cases);
        summarise(results);
        if (!figures) {
            return;
        }
        try {
            Validation.cornserve(Validation.quiet(), Validation.quiet(), "plot", out.toString());
        } catch (RuntimeException e) {
            err.println("figures: " + e.getMessage());
        }
    }

    /** Whether {@link #run} draws the figures at the end (default; {@code cornserve plot DIR} draws them later). */
    ExperimentRunner figures(boolean draw) {
        this.figures = draw;
        return this;
    }

    private List<ObjectNode> runUnit(List<Case> unit) throws Exception {
        return unit.size() == 2 ? runPair(unit.get(0), unit.get(1)) : List.of(runCase(unit.get(0)));
    }

    /**
     * The units on {@link #threads} threads, each unit's rows appended as it ends, every plan's first seed before any
     * second. After a unit fails no other starts; those running finish and keep their rows, then the first failure is
     * thrown as it was.
     */
    private void runSideBySide(List<List<Case>> units, Path results, ProgressBar bar, int before, int total)
            throws Exception {
        AtomicInteger done = new AtomicInteger(before);
        AtomicReference<Exception> failed = new AtomicReference<>();
        bar.update(before, total, units.isEmpty() ? "" : units.get(0).get(0).id());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "experiment-case");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            // the first seed of every plan first: each planned strategy is planned by its first case while the other
            // seeds wait for its plan, so the plans are made side by side and not one after another
            for (List<Case> unit : units.stream().sorted(java.util.Comparator.comparingInt(u -> u.get(0).seedIndex()))
                    .toList()) {
                running.add(pool.submit(() -> {
                    if (failed.get() != null) {
                        return;
                    }
                    try {
                        append(results, runUnit(unit));
                        bar.update(done.addAndGet(unit.size()), total, unit.get(0).id());
                    } catch (Exception e) {
                        failed.compareAndSet(null, e);
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    /** A unit's rows appended to {@code results} in one write: a pair's two rows land together or not at all. */
    private synchronized void append(Path results, List<ObjectNode> rows) throws IOException {
        StringBuilder text = new StringBuilder();
        for (ObjectNode row : rows) {
            text.append(Json.mapper().writer().without(
                    com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(row))
                    .append('\n');
        }
        try (BufferedWriter w = Files.newBufferedWriter(results, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(text.toString());
        }
    }

    /**
     * {@code results} rewritten with its rows in the cases' order (rows of cases the spec no longer has last, as they
     * were), so that the file and the summaries read alike whichever case ended first. Written beside and moved over.
     */
    static void inCaseOrder(Path results, List<Case> cases) throws IOException {
        if (!Files.exists(results)) {
            return;
        }
        Map<String, Integer> order = new java.util.HashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            order.put(cases.get(i).id(), i);
        }
        record Line(int position, String text) {
        }
        List<Line> lines = new ArrayList<>();
        for (String line : Files.readAllLines(results)) {
            if (!line.isBlank()) {
                lines.add(new Line(order.getOrDefault(Json.mapper().readTree(line).path("case").asText(),
                        Integer.MAX_VALUE), line));
            }
        }
        // a stable sort: rows of unknown cases keep their order
        List<Line> sorted = lines.stream().sorted(java.util.Comparator.comparingInt(Line::position)).toList();
        if (sorted.equals(lines)) {
            return;
        }
        Path tmp = results.resolveSibling(results.getFileName() + ".tmp");
        Files.write(tmp, sorted.stream().map(Line::text).toList());
        Files.move(tmp, results, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The lock of a file made on demand. */
    private Object lock(Path f) {
        return making.computeIfAbsent(f.toAbsolutePath().normalize(), k -> new Object());
    }

    /**
     * The cases to run, in order, each unit's rows written together: with engine {@code both} a seed's simulator and
     * runtime cases are one unit (the simulation is the served replay's prediction, so it needs the replay's probes);
     * a pair of which one row is kept from an earlier run is run again whole, that row dropped from {@code results}.
     */
    List<List<Case>> units(List<Case> cases, Set<String> done, Path results) throws IOException {
        List<List<Case>> units = new ArrayList<>();
        if (!spec.engine().equals("both")) {
            cases.stream().filter(c -> !done.contains(c.id())).forEach(c -> units.add(List.of(c)));
            return units;
        }
        Set<String> stale = new java.util.HashSet<>();
        for (int i = 0; i + 1 < cases.size(); i += 2) {
            Case sim = cases.get(i);
            Case run = cases.get(i + 1);
            boolean simDone = done.contains(sim.id());
            boolean runDone = done.contains(run.id());
            if (simDone && runDone) {
                continue;
            }
            if (simDone || runDone) {
                stale.add(simDone ? sim.id() : run.id());
            }
            units.add(List.of(sim, run));
        }
        if (!stale.isEmpty()) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(results)) {
                if (!line.isBlank() && !stale.contains(Json.mapper().readTree(line).path("case").asText())) {
                    kept.add(line);
                }
            }
            Files.write(results, kept);
            err.printf(Locale.ROOT, "running %d case(s) again with their pair's other engine: %s%n", stale.size(),
                    String.join(", ", stale));
        }
        return units;
    }

    /** The spec's profile files and those measured here. */
    private List<Path> profileFiles() {
        List<Path> files = new ArrayList<>(spec.profiles().stream().map(this::resolve).toList());
        files.addAll(measuredProfiles);
        return files;
    }

    /**
     * Measures on real executors the {@code tasks} of {@code model} not measured yet, at 1 to {@code devices} device
     * slots, into {@code profiles/} (a rerun reuses the file); nothing unless the spec measures profiles.
     */
    private void measure(String model, java.util.Set<String> tasks, int devices) throws IOException {
        if (!spec.measureProfiles()) {
            return;
        }
        java.util.Set<String> todo = new java.util.TreeSet<>(tasks);
        todo.removeAll(measuredTasks);
        if (todo.isEmpty()) {
            return;
        }
        Path f = out.resolve("profiles").resolve((String.join("+", todo) + "-d" + devices).replaceAll("[^A-Za-z0-9.+-]",
                "_") + ".json");
        if (Files.isRegularFile(f)) {
            err.println("reusing the profiles measured before in " + f);
        } else {
            Files.createDirectories(f.getParent());
            err.println("measuring " + String.join(", ", todo) + " on real executors at 1 to " + devices
                    + " device slot(s)");
            Validation.measureTasks(model, todo, devices, DeviceSlots.parse(spec.runtimeDevices()), f, err::println,
                    new ProgressBar(err, "  profiling")::update);
        }
        measuredProfiles.add(f);
        measuredTasks.addAll(todo);
    }

    /** The case's plan, checked to be servable here (CPU deployments), its tasks' profiles measured. */
    private ResolvedPlan servable(Case c) throws IOException {
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(c.planFile());
        plan.deployments().forEach(d -> {
            if (!d.hardware().name().equals("cpu")) {
                throw new IllegalArgumentException("case " + c.id() + ": the runtime serves CPU plans of tiny models"
                        + " on this machine; deployment " + d.deployment().name() + " is on " + d.hardware().name()
                        + " (use engine 'simulator' for GPU plans)");
            }
        });
        measure(plan.plan().models().get(0), Validation.deployedTasks(plan), plan.deployments().stream()
                .mapToInt(d -> d.deployment().devicesPerReplica()).max().orElse(1));
        return plan;
    }

    /** Serves the case's plan and replays its slice into {@code cases/ID}. */
    private Served serve(Case c, Path slice) throws Exception {
        ResolvedPlan plan = servable(c);
        Validation.quietServerLogs();
        List<Path> files = profileFiles();
        // compute alone, as the simulation charges it beside the served round trip (as validate and demo serve)
        ProfileBook book = files.isEmpty() ? ProfileBook.EMPTY : ProfileBook.load(files).computeOnly();
        // the warm-up's prompts at the planning window's lengths, as the demo's: nothing of the judged requests (the
        // judged slice's only where the planning window holds no request)
        Path shape = planSlice(c.variant(), c.rate());
        if (Files.size(shape) == 0) {
            shape = slice;
        }
        Path warm = spec.warmupRequests() > 0 ? ProbeTraces.writeWarmupTrace(plan, book, shape,
                spec.warmupRequests(), out.resolve("traces").resolve(c.id() + "-warmup.jsonl")) : null;
        return Validation.serveAndReplay(plan, DeviceSlots.parse(spec.runtimeDevices()), slice, warm, spec.slo(),
                book, out.resolve("cases").resolve(c.id()), ServeRun.once(
                        ProbeCounts.scaled(spec.probeScale()), Math.round(spec.quietWaitS() * 1000)),
                Validation.quiet(), s -> { }).get(0);
    }

    /**
     * A seed's two cases of engine {@code both}: the plan served and the slice replayed ({@code run}), then the
     * simulation of that replay as predicted before it ran ({@code sim}: {@link PredictedReplay}, with the measured
     * profiles and the served costs; its {@code validation.json} compares the two).
     */
    List<ObjectNode> runPair(Case sim, Case run) throws Exception {
        Path slice = slice(run.variant(), run.rate(), run.seedIndex());
        plan(run);
        if (!spec.measureProfiles() && spec.profiles().isEmpty()) { // checked before serving, not after
            throw new IllegalArgumentException("case " + sim.id() + ": engine 'both' simulates the served replay with"
                    + " measured profiles: give 'profiles', or leave 'measure_profiles' on");
        }
        Served served = serve(run, slice);
        if (servedCosts == null) {
            servedCosts = java.util.Optional.ofNullable(Validation.servedCosts(servedCostsOption(), out));
        }
        Path runDir = out.resolve("cases").resolve(run.id());
        PredictedReplay.judge(served.withServedCosts(servedCosts.orElse(null)), runDir, run.planFile(), slice,
                spec.slo(), sim.seed(), profileFiles(), out.resolve("cases").resolve(sim.id()));
        return List.of(row(sim, out.resolve("cases").resolve(sim.id()), 0), row(run, runDir, served.overheadMs()));
    }

    /** The spec's {@code served_costs}: a file relative to the spec's folder, or {@code embedded} / {@code none}. */
    private String servedCostsOption() {
        String o = spec.servedCosts();
        return o.equals(Validation.EMBEDDED_SERVED_COSTS) || o.equals("none") ? o : resolve(o).toString();
    }

    /** Runs one case; its outputs go to {@code cases/ID}. */
    ObjectNode runCase(Case c) throws Exception {
        Path slice = slice(c.variant(), c.rate(), c.seedIndex());
        plan(c);
        Path dir = out.resolve("cases").resolve(c.id());
        double overhead = 0;
        if (c.engine().equals("simulator")) {
            List<String> args = new ArrayList<>(List.of("simulate", "--plan", c.planFile().toString(), "--trace",
                    slice.toString(), "--trace-format", "jsonl", "--slo", spec.slo(), "--seed", Long.toString(c.seed()),
                    "--out", dir.toString()));
            if (spec.measureProfiles()) {
                servable(c);
            }
            List<Path> files = profileFiles();
            if (!files.isEmpty()) {
                args.add("--profiles");
                files.forEach(p -> args.add(p.toString()));
            }
            Validation.cornserve(Validation.quiet(), Validation.quiet(), args.toArray(String[]::new));
        } else {
            overhead = serve(c, slice).overheadMs();
        }
        return row(c, dir, overhead);
    }

    /** A case's row from its {@code summary.json}. */
    private ObjectNode row(Case c, Path dir, double overhead) throws IOException {
        // a simulation of several passes (engine both) as a prediction of one replay, as its validation.json reads it
        JsonNode summary = c.engine().equals("simulator") ? PassPercentiles.summary(dir)
                : Json.mapper().readTree(dir.resolve("summary.json").toFile());
        ObjectNode row = Json.mapper().createObjectNode();
        row.put("case", c.id());
        row.put("variant", c.variant());
        row.put("plan", c.plan());
        row.put("rate", c.rate());
        row.put("seed", c.seed());
        row.put("engine", c.engine());
        for (String m : METRICS) {
            row.put(m, Comparison.value(summary, m));
        }
        // a simulation of several passes (engine both: the served costs' prediction_passes) counts the slice's
        // requests, as the runtime's row does, and says how many passes its percentiles pool
        int passes = c.engine().equals("simulator") ? PassPercentiles.passes(dir) : 1;
        row.put("requests", summary.path("requests").asLong() / passes);
        if (c.engine().equals("simulator")) {
            row.put("passes", passes);
        }
        if (c.engine().equals("runtime")) {
            row.put("request_overhead_ms", overhead);
        }
        return row;
    }

    /** The measured slice of seed {@code index} at {@code rate}: the window shifted by {@code index} lengths. */
    private Path slice(String variant, double rate, int index) throws IOException {
        String prefix = variant.isEmpty() ? "" : variant + "-";
        Path f = out.resolve("traces").resolve(prefix + "r" + fmt(rate) + "-w" + index + ".jsonl");
        synchronized (lock(f)) {
            if (!Files.exists(f)) {
                Files.createDirectories(f.getParent());
                ExperimentSpec.TraceSpec t = trace(variant);
                double[] w = window(t.window());
                double len = w[1] - w[0];
                transform(variant, fmt(w[0] + index * len) + ":" + fmt(w[1] + index * len), rate, t.maxRequests(), f);
            }
        }
        return f;
    }

    /** The planning window at {@code rate}: what a case is planned on, and its served warm-up shaped by. */
    private Path planSlice(String variant, double rate) throws IOException {
        String prefix = variant.isEmpty() ? "" : variant + "-";
        Path planSlice = out.resolve("traces").resolve(prefix + "plan-r" + fmt(rate) + ".jsonl");
        synchronized (lock(planSlice)) {
            if (!Files.exists(planSlice)) {
                Files.createDirectories(planSlice.getParent());
                transform(variant, trace(variant).planWindow(), rate, null, planSlice);
            }
        }
        return planSlice;
    }

    /** Plans a case of a strategy into its plan file, once (cases of other seeds share it); a plan file's case: nothing. */
    private void plan(Case c) throws IOException {
        if (c.strategy() == null) {
            return;
        }
        synchronized (lock(c.planFile())) {
            if (!Files.exists(c.planFile())) {
                planNow(c);
            }
        }
    }

    private void planNow(Case c) throws IOException {
        Path planSlice = planSlice(c.variant(), c.rate());
        Files.createDirectories(c.planFile().getParent());
        List<String> args = new ArrayList<>(List.of("plan"));
        spec.models().forEach(m -> args.addAll(List.of("--model", m)));
        args.addAll(List.of("--hardware", spec.hardware(), "--gpus", Integer.toString(spec.devices()), "--trace",
                planSlice.toString(), "--slo", spec.slo(), "--strategy", c.strategy(), "--out",
                c.planFile().toString()));
        List<Path> files = profileFiles();
        if (!files.isEmpty()) {
            args.add("--profiles");
            files.forEach(p -> args.add(p.toString()));
        }
        Validation.cornserve(Validation.quiet(), Validation.quiet(), args.toArray(String[]::new));
    }

    private void transform(String variant, String window, double rate, Long first, Path target) throws IOException {
        ExperimentSpec.TraceSpec t = trace(variant);
        List<String> args = new ArrayList<>(List.of("trace", "transform", tracePath(variant).toString(), "--format",
                t.format(), "--window", window, "--scale-tokens", Double.toString(t.scaleTokens())));
        if (rate > 0) {
            args.addAll(List.of("--rate", Double.toString(rate)));
        }
        if (first != null) {
            args.addAll(List.of("--first", Long.toString(first)));
        }
        args.addAll(List.of("--out", target.toString()));
        Validation.cornserve(Validation.quiet(), Validation.quiet(), args.toArray(String[]::new));
    }

    /** The variant's trace file: generated once into {@code traces/}, or the file named (found as documented). */
    private Path tracePath(String variant) throws IOException {
        ExperimentSpec.TraceSpec t = trace(variant);
        if (t.generate() != null) {
            Path f = out.resolve("traces").resolve((variant.isEmpty() ? "trace" : variant) + "-generated.jsonl");
            synchronized (lock(f)) {
                if (!Files.exists(f)) {
                    Files.createDirectories(f.getParent());
                    List<String> args = new ArrayList<>(List.of("trace", "generate"));
                    args.addAll(t.generate());
                    args.addAll(List.of("--out", f.toString()));
                    Validation.cornserve(Validation.quiet(), Validation.quiet(), args.toArray(String[]::new));
                }
            }
            return f;
        }
        Path p = resolve(t.path());
        if (!Files.exists(p)) {
            p = HeadlineWorkloads.sharedRoot().resolve(t.path());
        }
        return p;
    }

    private Path resolve(String file) {
        Path p = Path.of(file);
        return p.isAbsolute() || specDir == null ? p : specDir.resolve(p);
    }

    /** Groups rows by plan, rate and engine; each metric's mean and interval over seeds. */
    void summarise(Path results) throws IOException {
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (String line : Files.readAllLines(results)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode r = Json.mapper().readTree(line);
            groups.computeIfAbsent(r.path("variant").asText() + "|" + r.path("plan").asText() + "|"
                    + r.path("rate").asDouble() + "|" + r.path("engine").asText(), k -> new ArrayList<>()).add(r);
        }
        List<Map<String, Object>> summary = new ArrayList<>();
        StringBuilder csv = new StringBuilder("variant,plan,rate,engine,seeds");
        for (String m : METRICS) {
            csv.append(',').append(m).append(',').append(m).append("_low,").append(m).append("_high");
        }
        csv.append('\n');
        for (List<JsonNode> g : groups.values()) {
            JsonNode first = g.get(0);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("variant", first.path("variant").asText());
            s.put("plan", first.path("plan").asText());
            s.put("rate", first.path("rate").asDouble());
            s.put("engine", first.path("engine").asText());
            s.put("seeds", g.size());
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d", first.path("variant").asText(),
                    first.path("plan").asText(),
                    fmt(first.path("rate").asDouble()), first.path("engine").asText(), g.size()));
            for (String m : METRICS) {
                Interval iv = Interval.of(g.stream().map(r -> r.path(m).asDouble()).toList(), spec.confidence());
                s.put(m, iv);
                csv.append(String.format(Locale.ROOT, ",%.6g,%.6g,%.6g", iv.mean(), iv.low(), iv.high()));
            }
            csv.append('\n');
            summary.add(s);
        }
        Files.writeString(out.resolve("summary.csv"), csv);
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("summary.json").toFile(), summary);
        if (spec.engine().equals("both")) {
            errors(groups);
        }
    }

    /**
     * Engine {@code both}: the simulator's relative error against the runtime per variant, plan, rate and metric,
     * paired seed by seed (simulated over served, less 1), its mean and interval over seeds: {@code errors.csv} and
     * {@code errors.json}.
     */
    private void errors(Map<String, List<JsonNode>> groups) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder csv = new StringBuilder("variant,plan,rate,metric,seeds,error,error_low,error_high\n");
        for (Map.Entry<String, List<JsonNode>> e : groups.entrySet()) {
            if (!e.getKey().endsWith("|simulator")) {
                continue;
            }
            List<JsonNode> served = groups.get(e.getKey().substring(0, e.getKey().length() - "simulator".length())
                    + "runtime");
            if (served == null) {
                continue;
            }
            Map<Long, JsonNode> bySeed = new LinkedHashMap<>();
            served.forEach(r -> bySeed.put(r.path("seed").asLong(), r));
            JsonNode first = e.getValue().get(0);
            for (String m : METRICS) {
                List<Double> errs = new ArrayList<>();
                for (JsonNode sim : e.getValue()) {
                    JsonNode run = bySeed.get(sim.path("seed").asLong());
                    double measured = run == null ? Double.NaN : run.path(m).asDouble();
                    if (measured > 0) {
                        errs.add(sim.path(m).asDouble() / measured - 1);
                    }
                }
                if (errs.isEmpty()) {
                    continue;
                }
                Interval iv = Interval.of(errs, spec.confidence());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("variant", first.path("variant").asText());
                row.put("plan", first.path("plan").asText());
                row.put("rate", first.path("rate").asDouble());
                row.put("metric", m);
                row.put("seeds", errs.size());
                row.put("error", iv);
                rows.add(row);
                csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%.6g,%.6g,%.6g%n", first.path("variant").asText(),
                        first.path("plan").asText(), fmt(first.path("rate").asDouble()), m, errs.size(), iv.mean(),
                        iv.low(), iv.high()));
            }
        }
        Files.writeString(out.resolve("errors.csv"), csv);
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("errors.json").toFile(), rows);
    }

    static double[] window(String w) {
        String[] p = w.split(":");
        if (p.length != 2) {
            throw new IllegalArgumentException("window '" + w + "': expected START:END in seconds");
        }
        double a = Double.parseDouble(p[0]);
        double b = Double.parseDouble(p[1]);
        if (!(b > a) || a < 0) {
            throw new IllegalArgumentException("window '" + w + "': END must be after START >= 0");
        }
        return new double[] {a, b};
    }

    public static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
