package org.cornserve.runtime.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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

/**
 * One executor process hosting every measured task at one device count, driven step by step over the executor's
 * own protocol, with the inputs the runtime gives each task (see {@code RequestBuilder}): prompts for an LLM or a
 * text encoder, thinker states for a talker, pixels, samples and codes for the encoders and the vocoder, text states
 * and a latent size for a diffusion transformer, a latent for a VAE decoder. Every output a task would hand on is
 * placed in the sidecar for one consumer, as when serving, and released by the driver.
 *
 * <p>A timed step is preceded by a <em>barrier</em> whenever opens were sent before it: a step for a task the
 * executor does not host, which it answers at once with a failure. The executor handles frames in order, so once the
 * barrier's answer is back it has read every open's inputs (pixels, a DiT's projected text states); without it that
 * work would land in the step's round trip but not in its compute, and pass for per-iteration overhead.
 */
final class ExecutorDriver implements AutoCloseable {
    /** A task no executor hosts: the executor answers a step for it with a failure and does nothing else. */
    static final String BARRIER_TASK = "profiler/barrier";

    private final BlockingQueue<Object[]> events = new LinkedBlockingQueue<>();
    private final ExecutorHub hub;
    private final ExecutorHandle handle;
    private final SharedMemorySidecar sidecar;
    private final MeasureGrid grid;
    private final long decodeIterations;
    private final boolean barrier;
    private final SyntheticInputs inputs;
    private final Measured.Estimator estimator;
    private double temperature;
    private long ids = 1;

    /**
     * @param barrier wait for the executor to handle the opens before timing a step (false only to show what the
     *     measurement was without it)
     */
    ExecutorDriver(ExecutorLauncher launcher, Path shmDir, long startupTimeoutMillis, int devices, int threads,
            List<UnitTask> tasks, MeasureGrid grid, long decodeIterations, boolean barrier) {
        this(launcher, shmDir, startupTimeoutMillis, "d" + devices, threads, tasks, grid, decodeIterations, barrier,
                Measured.Estimator.MIN);
    }

    /**
     * @param name tells this driver's executor and shared-memory session from other drivers' running at once
     * @param estimator how a point's runs become its latency
     */
    ExecutorDriver(ExecutorLauncher launcher, Path shmDir, long startupTimeoutMillis, String name, int threads,
            List<UnitTask> tasks, MeasureGrid grid, long decodeIterations, boolean barrier,
            Measured.Estimator estimator) {
        this.grid = grid;
        this.decodeIterations = decodeIterations;
        this.barrier = barrier;
        this.estimator = estimator;
        String session = "prof" + ProcessHandle.current().pid() + name;
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
        inputs = new SyntheticInputs(sidecar, grid.diffusionTextTokens());
        // an LLM's decode sequences of every context stay open over the sweeps, each grown by its decode runs
        long kv = (long) grid.maxBatch() * grid.contextTokens().stream().mapToLong(c -> c + 64L * grid.repetitions()
                + 64).sum() + 2 * grid.prefillTokens().stream().mapToLong(Long::longValue).max().orElseThrow();
        try {
            handle = hub.start(new ExecutorSpec("prof" + name, tasks.stream().map(UnitTask::id).toList(),
                    threads, 1, kv, grid.maxBatch() * grid.contextTokens().size() + 2, hub.address(), session, shmDir,
                    600_000, true));
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

    /** Waits until the executor has handled every frame sent so far (see the class comment). */
    private void barrier() {
        if (!barrier) {
            return;
        }
        long step = ids++;
        handle.send(new ExecutorCommand.RunStep(step, BARRIER_TASK, List.of(), 1));
        ExecutorReport.StepDone done = (ExecutorReport.StepDone) next(ExecutorReport.StepDone.class, 600_000)[0];
        if (done.step() != step || done.failure() == null) {
            throw new IllegalStateException("profiler: expected the executor to refuse barrier step " + step
                    + ", got " + done);
        }
    }

    /** A step's report and its timing: wall ms and compute ms per iteration run. */
    private record Timed(ExecutorReport.StepDone report, double wallMs, double computeMs) {
    }

    /**
     * Runs one step of up to {@code iterations} iterations (the runtime runs decode this way, reporting every few
     * tokens, so the round trip is shared by them) and releases the outputs it placed.
     */
    private Timed step(String task, List<ExecutorCommand.StepItem> items, long iterations) {
        long step = ids++;
        long sent = System.nanoTime();
        handle.send(new ExecutorCommand.RunStep(step, task, items, iterations));
        Object[] e = next(ExecutorReport.StepDone.class, 600_000);
        ExecutorReport.StepDone done = (ExecutorReport.StepDone) e[0];
        if (done.failure() != null) {
            throw new IllegalStateException("profiler: step of " + task + " failed: " + done.failure());
        }
        for (ExecutorReport.Output o : done.outputs()) {
            sidecar.release(o.tensor());
        }
        double n = Math.max(1, done.iterations());
        return new Timed(done, ((long) e[1] - sent) / 1e6 / n, done.computeNanos() / 1e6 / n);
    }

    private Timed step(String task, List<ExecutorCommand.StepItem> items) {
        return step(task, items, 1);
    }

    private static ExecutorCommand.StepItem prefill(long id, long tokens) {
        return new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.PREFILL, 0, tokens);
    }

    /**
     * Samples the tokens of the sequences it opens from now on at {@code temperature} (0, the default: greedy; above 0
     * with top-p, as the executor samples a served request), so that a decode point holds the sampling a served step
     * does.
     */
    ExecutorDriver sampling(double temperature) {
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("profiler: sampling temperature must be >= 0, got " + temperature);
        }
        this.temperature = temperature;
        return this;
    }

    private long openLlm(UnitTask t, long promptTokens) {
        long id = ids++;
        handle.send(inputs.llm(id, t, promptTokens, temperature));
        return id;
    }

    /** Opens a sequence of {@code promptTokens} random tokens and prefills it (untimed); returns its id. */
    long prefilled(UnitTask t, long promptTokens) {
        long id = openLlm(t, promptTokens);
        step(t.id(), List.of(prefill(id, promptTokens)));
        return id;
    }

    /**
     * One decode step of {@code seqs} (the runtime's iterations per report); returns the executor's compute ms per
     * iteration run.
     */
    double decodeComputeMs(UnitTask t, List<Long> seqs) {
        List<ExecutorCommand.StepItem> items = new ArrayList<>();
        for (long id : seqs) {
            items.add(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.DECODE, 0, 1));
        }
        return step(t.id(), items, decodeIterations).computeMs();
    }

    /** Ends the sequences. */
    void close(List<Long> seqs) {
        closeAll(seqs);
    }

    private void closeAll(List<Long> invocations) {
        if (!invocations.isEmpty()) {
            handle.send(new ExecutorCommand.Close(invocations));
        }
    }

    /** Runs of every point in sweep {@code pass}, the discarded one of the first sweep included. */
    private int runs(int pass) {
        return grid.runsInPass(pass) + (pass == 0 ? 1 : 0);
    }

    /** Whether run {@code r} of sweep {@code pass} is timed (the first sweep's first run of a point is not). */
    private static boolean timed(int pass, int r) {
        return pass > 0 || r > 0;
    }

    /** A point's label for the progress display, with its sweep where there are several. */
    private String label(String point, int pass) {
        return grid.passes() == 1 ? point : point + " (sweep " + (pass + 1) + "/" + grid.passes() + ")";
    }

    /**
     * Prefill points of an LLM-like task in sweep {@code pass}; a prefill-only task (text encoder) ends each sequence
     * by itself.
     */
    private void prefills(UnitTask t, boolean prefillOnly, Measured m, Consumer<String> pointDone, int pass) {
        for (long tokens : grid.prefillTokens()) {
            for (int r = 0; r < runs(pass); r++) {
                long id = openLlm(t, tokens);
                barrier();
                Timed w = step(t.id(), List.of(prefill(id, tokens)));
                if (timed(pass, r)) {
                    m.add(Measured.prefillKey(tokens), w.wallMs(), w.computeMs());
                }
                if (!prefillOnly) {
                    closeAll(List.of(id));
                }
            }
            pointDone.accept(label("prefill " + tokens, pass));
        }
    }

    /** A text encoder: prefill points only (it never decodes). */
    Measured prefillOnly(UnitTask t, Consumer<String> pointDone) {
        Measured m = new Measured(ProfileMeasurer.Shape.PREFILL_ONLY, estimator);
        for (long tokens : grid.prefillTokens()) { // warm-up: let the JIT compile every shape first
            step(t.id(), List.of(prefill(openLlm(t, tokens), tokens)));
        }
        for (int pass = 0; pass < grid.passes(); pass++) {
            prefills(t, true, m, pointDone, pass);
        }
        return m;
    }

    Measured llm(UnitTask t, Consumer<String> pointDone) {
        Measured m = new Measured(ProfileMeasurer.Shape.LLM, estimator);
        for (long tokens : grid.prefillTokens()) { // warm-up: let the JIT compile every shape first
            long id = openLlm(t, tokens);
            step(t.id(), List.of(prefill(id, tokens)));
            step(t.id(), List.of(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.DECODE, 0, 1)),
                    decodeIterations);
            closeAll(List.of(id));
        }
        // each context's decode sequences, filled once (their keys and values written, not computed: a decode
        // iteration's cost is in how many positions it attends to) and kept open over the sweeps. Prefilled for real,
        // the quick grid's contexts were 32 x (1 + 256 + 1,024) prompt tokens per device count: tiny-omni/llm at 1
        // and 2 devices with the host-sharing probe took 70.8 and 75.9 s so, 38.0 and 32.7 s filled (2 Zen 3 cores,
        // 2026-12-07, runs taking turns); the four profiles' points moved with the machine between runs (the two
        // filled ones 8% to 42% apart at the geometric mean of a set of points, the two prefilled 1% to 9%), their
        // decode points against their prefill points 0.93 to 1.14 of the first profile's either way
        // (experiments/validation-tails.md, section 26). A talker's, whose input is its thinker's states, are
        // prefilled still.
        boolean fill = SyntheticInputs.textPrompt(t);
        List<List<Long>> sequences = new ArrayList<>();
        for (long context : grid.contextTokens()) {
            long prompt = Math.max(1, context);
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < grid.maxBatch(); i++) {
                long id = openLlm(t, prompt);
                step(t.id(), List.of(fill ? new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.FILL, 0, prompt)
                        : prefill(id, prompt)));
                seqs.add(id);
            }
            sequences.add(seqs);
        }
        for (int pass = 0; pass < grid.passes(); pass++) {
            prefills(t, false, m, pointDone, pass);
            settleAfterPrefills(t);
            for (int c = 0; c < grid.contextTokens().size(); c++) {
                long context = grid.contextTokens().get(c);
                for (int b : grid.decodeBatches()) {
                    List<ExecutorCommand.StepItem> items = new ArrayList<>();
                    for (int i = 0; i < b; i++) {
                        items.add(new ExecutorCommand.StepItem(sequences.get(c).get(i), ExecutorCommand.ItemKind.DECODE,
                                0, 1));
                    }
                    for (int r = 0; r < runs(pass); r++) {
                        Timed w = step(t.id(), items, decodeIterations);
                        if (timed(pass, r)) {
                            m.add(Measured.decodeKey(b, context), w.wallMs(), w.computeMs());
                        }
                    }
                    pointDone.accept(label("decode " + b + " x " + context, pass));
                }
            }
        }
        sequences.forEach(this::closeAll);
        return m;
    }

    /** Untimed decode steps between a sweep's prefill points and its decode points ({@link #settleAfterPrefills}). */
    static final int SETTLE_DECODE_STEPS = 3;

    /**
     * {@value #SETTLE_DECODE_STEPS} untimed decode steps of a fresh one-token sequence, after a sweep's prefill points
     * (the last of them the grid's longest) and before its decode points. Why: the decode steps right after a long
     * prefill run slower (its activations have pushed the weights out of the caches), which the served costs charge
     * on their own ({@code after_prefill_compute_ratio}, about 1.20 and 1.05 for the first two); timed first in every sweep,
     * the first context's points took that too. Over eleven kept demos' profiles (2026-12-04 to 07) the one-sequence
     * decode at context 0 read 0.58 to 1.13 of the one at 256 (the served steps of a demo's replay ran about 0.8 from
     * 60 to 400 context tokens), and how high it read followed the demo's TPOT error (r -0.72 over ten demos: a flat
     * profile under-charges the replay's long contexts); experiments/validation-tails.md, section 32.
     */
    private void settleAfterPrefills(UnitTask t) {
        long id = openLlm(t, 1);
        step(t.id(), List.of(prefill(id, 1)));
        for (int i = 0; i < SETTLE_DECODE_STEPS; i++) {
            step(t.id(), List.of(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.DECODE, 0, 1)),
                    decodeIterations);
        }
        closeAll(List.of(id));
    }

    /**
     * One round of the host-sharing probe on an LLM task: a prefill of {@code prefillTokens} tokens on a fresh
     * sequence, then a decode step of {@code batch} sequences (the runtime's iterations per report) at the context the
     * prefills left; returns the executor's compute ms of the prefill and per decode iteration.
     *
     * @param decoding the sequences kept for decoding (grown to {@code batch} on the first rounds)
     */
    double[] probeRound(UnitTask t, long prefillTokens, int batch, List<Long> decoding) {
        long id = openLlm(t, prefillTokens);
        Timed p = step(t.id(), List.of(prefill(id, prefillTokens)));
        if (decoding.size() < batch) {
            decoding.add(id);
        } else {
            closeAll(List.of(id));
        }
        List<ExecutorCommand.StepItem> items = new ArrayList<>();
        for (long seq : decoding) {
            items.add(new ExecutorCommand.StepItem(seq, ExecutorCommand.ItemKind.DECODE, 0, 1));
        }
        Timed d = step(t.id(), items, decodeIterations);
        return new double[] {p.computeMs(), d.computeMs()};
    }

    /** Ends the probe's sequences. */
    void closeProbe(List<Long> decoding) {
        closeAll(decoding);
        decoding.clear();
    }

    /** Single-pass batches (encoders, vocoder, VAE decoder): items x tokens per item, fresh inputs each run. */
    Measured batch(UnitTask t, Consumer<String> pointDone) {
        Measured m = new Measured(ProfileMeasurer.Shape.BATCH, estimator);
        List<Long> tokens = ProfileMeasurer.itemTokens(t, grid);
        for (int n : List.of(1, maxItems())) { // warm-up: let the JIT compile every shape first
            for (long k : tokens) {
                batchStep(t, n, k);
            }
        }
        for (int pass = 0; pass < grid.passes(); pass++) {
            for (int n : grid.batchItems()) {
                for (long k : tokens) {
                    for (int r = 0; r < runs(pass); r++) {
                        Timed w = batchStep(t, n, k);
                        if (timed(pass, r)) {
                            m.add(Measured.batchKey(n, k), w.wallMs(), w.computeMs());
                        }
                    }
                    pointDone.accept(label(n + " x " + k + " tokens", pass));
                }
            }
        }
        return m;
    }

    private int maxItems() {
        return grid.batchItems().stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    /** One batch of {@code n} fresh items of {@code k} tokens, timed once the executor has read their inputs. */
    private Timed batchStep(UnitTask t, int n, long k) {
        String component = ProfileMeasurer.component(t);
        List<ExecutorCommand.StepItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = ids++;
            handle.send(inputs.batchItem(id, t.id(), component, k));
            items.add(new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.BATCH, 0, 0));
        }
        barrier();
        return step(t.id(), items);
    }

    /**
     * A diffusion transformer: one denoising step of {@code n} jobs of {@code k} latent tokens each, conditioned on
     * the grid's text length. Jobs are opened (text states projected) before the first timed step and reopened
     * when they have run all their steps; the step that finishes a job also places its latent for the VAE.
     */
    Measured diffusion(UnitTask t, Consumer<String> pointDone) {
        Measured m = new Measured(ProfileMeasurer.Shape.DIFFUSION, estimator);
        int steps = TinyModels.DIT.steps();
        for (int n : List.of(1, maxItems())) { // warm-up: let the JIT compile every shape first
            for (long k : ProfileMeasurer.itemTokens(t, grid)) {
                List<Long> jobs = openJobs(t, n, k);
                step(t.id(), diffuse(jobs));
                closeAll(jobs);
            }
        }
        for (int pass = 0; pass < grid.passes(); pass++) {
            for (int n : grid.batchItems()) {
                for (long k : ProfileMeasurer.itemTokens(t, grid)) {
                    List<Long> jobs = List.of();
                    int left = 0;
                    for (int r = 0; r < runs(pass); r++) {
                        if (left == 0) {
                            jobs = openJobs(t, n, k);
                            left = steps;
                            barrier();
                        }
                        Timed w = step(t.id(), diffuse(jobs));
                        left--;
                        if (timed(pass, r)) {
                            m.add(Measured.batchKey(n, k), w.wallMs(), w.computeMs());
                        }
                    }
                    if (left > 0) {
                        closeAll(jobs);
                    }
                    pointDone.accept(label(n + " jobs x " + k + " latent tokens", pass));
                }
            }
        }
        return m;
    }

    private List<Long> openJobs(UnitTask t, int n, long latentTokens) {
        List<Long> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = ids++;
            handle.send(inputs.diffusionJob(id, t.id(), latentTokens));
            jobs.add(id);
        }
        return jobs;
    }

    private static List<ExecutorCommand.StepItem> diffuse(List<Long> jobs) {
        return jobs.stream().map(id -> new ExecutorCommand.StepItem(id, ExecutorCommand.ItemKind.DIFFUSE, 0, 0))
                .toList();
    }

    @Override
    public void close() {
        try {
            if (hub != null) {
                hub.stopAll(5_000);
            }
        } finally {
            if (hub != null) {
                hub.close();
            }
            if (sidecar != null) {
                sidecar.close();
            }
        }
    }
}
