package org.cornserve.runtime.control;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.cornserve.model.Modality;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.executor.StepTrace;
import org.cornserve.runtime.serve.ModelRequest;
import org.cornserve.runtime.serve.OutputSink;

/**
 * Measures the runtime's dispatch overhead without a gateway: the default plan served by executor processes,
 * requests sent open-loop (Poisson arrivals) straight to the {@link ControlPlane}. A request's overhead is the time
 * spent outside executors on its behalf: building its graph and reaching the event loop, plus, for every step it
 * took part in, the step's time from the scheduler's decision to its report back on the loop minus the executor's
 * compute time (protocol, serialisation, loop queueing; also the executor opening the step's new invocations, which
 * measured under 0.1 ms a step on average). Wall time on a shared machine includes waiting for a CPU, so the control
 * plane's CPU time per request (its loop and executor-link threads, which run the facts of the reports they read) is
 * printed too, and the time its threads and the executors' threads spent runnable but waiting for a CPU (the kernel's
 * run-queue wait from {@code /proc/.../schedstat}), per step. Also prints each executor's start-up (launch to ready:
 * process start, weight generation, warm-up). With {@code -Dcornserve.stepTrace=DIR} (see
 * {@link org.cornserve.runtime.executor.StepTrace}) it ends with where a step's round trip went, segment by segment
 * (the warm-up's steps included).
 *
 * <p>{@code -Dcornserve.maxRunIterations=N}: decode iterations per step without async scheduling (default
 * {@link RuntimeOptions#defaults()}'s); async scheduling runs one per step.
 *
 * <p>Async scheduling ({@code -Dcornserve.asyncScheduling=true|false}, default: the plan's {@code async_scheduling}):
 * a step is decided and sent while the step before it computes, so its time from decision to report includes waiting
 * in the executor for that compute. That wait is queueing behind executor work, not time outside executors, and is
 * not counted: a step's overhead is its time from decision to report on the loop, less its compute, less the part of
 * the time from its decision to its compute's start during which its executor still computed the previous step (from
 * the executor's compute start and the previous step's compute end, one host's monotonic clock). What is left is the
 * time its executor idled waiting for it (when it was sent to an idle executor) plus its report's way back; the
 * report's way back is counted in full though, under async scheduling, the next step already computes meanwhile, so
 * the figure is an upper bound on what a request waits outside executors. A second figure, "on the request's path",
 * leaves out a report's way back while its replica already computed the next step sent behind it, except for the
 * request's last step on that replica (its answer, or its hand-off to another deployment, waits for that report);
 * without async scheduling nothing is sent behind a step and the two figures are the same.
 *
 * <p>It also breaks the overhead down by request kind (text only, with an image, with audio out; their P50, P99 and
 * steps per request) and by deployment (each one's step overhead), to show which requests and steps make the tail.
 *
 * <p>{@code java [-Dcornserve.stepTrace=DIR] [-Dcornserve.executorNice=N] --add-modules jdk.incubator.vector -cp CP
 * org.cornserve.runtime.control.DispatchBench [REQUESTS] [RATE_PER_S] [SEED] [WARM_UP_REQUESTS]} (default 200
 * requests at 2 req/s, seed 1, after 10 warm-up requests at 5 req/s). At 2 req/s the per-request code (building a
 * request's graph, its arrival and completion) runs a few hundred times in a run, too few for the JIT to compile all
 * of it: a longer warm-up gives the steady state of a server that has been up a while. {@code bin/cornserve serve}
 * runs with {@code -XX:CompileThresholdScaling=0.1}, which compiles that code early; pass it to this benchmark too
 * to measure what a server does.
 *
 * <p>Beside the wall-clock figures, which on a shared machine are mostly waiting for a CPU, it prints figures the
 * machine's load does not change much ({@link Costs}): CPU and allocation per request, frames, bytes and writes per
 * step on the executor links, and how often threads were put on a CPU per step.
 */
public final class DispatchBench {
    private DispatchBench() {
    }

    /** The figures, in microseconds unless named otherwise. */
    public record Result(int requests, int completed, int failed, double rate, long overheadP50Us, long overheadP99Us,
            long overheadMaxUs, long arrivalP50Us, long arrivalP99Us, long stepOverheadP50Us, long stepOverheadP99Us,
            long steps, long e2eP50Ms,
            long e2eP99Ms, double controlCpuUsPerRequest, double controlRunQueueUsPerStep,
            double executorRunQueueUsPerStep, List<String> startups, List<KindRow> kinds, long onPathP50Us,
            long onPathP99Us, Costs costs) {
    }

    /**
     * Figures that do not depend on the machine's load: per request, the control plane's threads' allocation (KiB)
     * and the caller's CPU (microseconds: the thread that invokes, which builds the request's graph and inputs, and
     * runs its arrival when the loop is free); per step, the frames and bytes sent to executors, the writes that
     * carried them (a write sends all frames a fact made for one executor), the frames and bytes read back, and the
     * times the control plane's threads and the executors' threads were put on a CPU (each wake-up of a thread
     * that waited, and each return after a preemption).
     */
    public record Costs(double controlAllocKibPerRequest, double callerCpuUsPerRequest, double framesOutPerStep,
            double bytesOutPerStep, double writesOutPerStep, double framesBackPerStep, double bytesBackPerStep,
            double controlScheduledPerStep, double executorScheduledPerStep) {
    }

    /**
     * The requests of one kind (text only, with an image, with audio out): how many, their overhead's P50 and P99
     * (microseconds), and the steps each took part in on average, so the tail can be traced to the requests making it.
     */
    public record KindRow(String kind, long requests, long overheadP50Us, long overheadP99Us, double stepsPerRequest) {
    }

    private static final List<String> KINDS = List.of("text", "image in", "audio out");
    /** A request's figures: the on-path overhead so far, a report's way back held, and the deployment it was on. */
    private static final int ON_PATH = 5;
    private static final int PENDING = 6;
    private static final int PENDING_DEPLOYMENT = 7;

    /** The kernel's {@code schedstat} fields: time waiting for a CPU while runnable, and times scheduled in. */
    private static final int RUN_QUEUE_WAIT_NANOS = 1;
    private static final int TIMES_SCHEDULED = 2;

    /**
     * A field of the kernel's {@code schedstat} summed over threads: nanoseconds spent runnable but waiting for a
     * CPU ({@link #RUN_QUEUE_WAIT_NANOS}) or times put on a CPU (wake-ups and preemptions: {@link #TIMES_SCHEDULED});
     * the control plane's threads in this process, or every thread of the given processes; 0 where /proc does not
     * tell (not Linux).
     */
    static long schedstat(List<Long> pids, int field) {
        long sum = 0;
        for (long pid : pids) {
            java.nio.file.Path tasks = java.nio.file.Path.of("/proc", Long.toString(pid), "task");
            try (var dirs = java.nio.file.Files.list(tasks)) {
                for (java.nio.file.Path t : dirs.toList()) {
                    try {
                        if (pid == ProcessHandle.current().pid()) {
                            String comm = java.nio.file.Files.readString(t.resolve("comm")).strip();
                            // comm holds the first 15 characters of a thread's name
                            if (!comm.equals("cornserve-contr") && !comm.equals("executor-link")) {
                                continue;
                            }
                        }
                        sum += Long.parseLong(java.nio.file.Files.readString(t.resolve("schedstat")).strip()
                                .split(" ")[field]);
                    } catch (IOException | RuntimeException e) {
                        // a thread that ended meanwhile
                    }
                }
            } catch (IOException e) {
                return 0;
            }
        }
        return sum;
    }

    private static List<Long> executorPids(ControlPlane runtime) {
        List<Long> pids = new ArrayList<>();
        for (TaskManager tm : runtime.taskManagers()) {
            for (int r = 0; r < tm.replicaCount(); r++) {
                ExecutorHandle h = tm.executor(r);
                if (h != null && h.pid() > 0) {
                    pids.add(h.pid());
                }
            }
        }
        return pids;
    }

    /** CPU time of the control plane's threads (its event loop and the threads reading executors' reports). */
    private static long controlPlaneCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("cornserve-control") || t.getName().equals("executor-link")) {
                long cpu = mx.getThreadCpuTime(t.threadId());
                sum += Math.max(0, cpu);
            }
        }
        return sum;
    }

    /** Bytes the control plane's threads (event loop, executor links) allocated so far. */
    private static long controlPlaneAllocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                .getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("cornserve-control") || t.getName().equals("executor-link")) {
                sum += Math.max(0, mx.getThreadAllocatedBytes(t.threadId()));
            }
        }
        return sum;
    }

    /** Every executor connection's {@link org.cornserve.runtime.executor.FrameChannel#counts}, summed. */
    private static long[] linkCounts(ControlPlane runtime) {
        long[] sum = new long[5];
        for (TaskManager tm : runtime.taskManagers()) {
            for (int r = 0; r < tm.replicaCount(); r++) {
                ExecutorHandle h = tm.executor(r);
                if (h != null) {
                    long[] c = h.linkCounts();
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += c[i];
                    }
                }
            }
        }
        return sum;
    }

    public static Result run(ControlPlane runtime, int requests, double rate, long seed) throws Exception {
        Map<Long, long[]> perRequest = new ConcurrentHashMap<>();
        Histogram stepOverhead = new Histogram(3);
        Map<Integer, Histogram> deploymentSteps = new java.util.TreeMap<>();
        runtime.observe(new DispatchObserver() {
            @Override
            public void arrived(long requestId, long nowNanos) {
                long[] a = perRequest.get(requestId);
                if (a != null) {
                    a[1] = nowNanos;
                }
            }

            @Override
            public void stepEnded(int deployment, int replica, long busyNanos, long computeNanos, long[] requestIds,
                    long nowNanos) {
                long overhead = Math.max(0, busyNanos - computeNanos);
                stepOverhead.recordValue(overhead / 1000);
                deploymentSteps.computeIfAbsent(deployment, k -> new Histogram(3)).recordValue(overhead / 1000);
                long last = -1;
                for (long id : requestIds) {
                    if (id != last) {
                        long[] a = perRequest.get(id);
                        if (a != null) {
                            a[2] += overhead;
                            a[3]++;
                        }
                        last = id;
                    }
                }
            }

            @Override
            public void stepOverheadSplit(int deployment, int replica, long idleNanos, long reportBackNanos,
                    boolean nextInFlight, long[] requestIds, long nowNanos) {
                long last = -1;
                for (long id : requestIds) {
                    long[] a = id != last ? perRequest.get(id) : null;
                    last = id;
                    if (a == null) {
                        continue;
                    }
                    // a report that came back while the same replica computed the next step is off the request's
                    // path unless it was the request's last there: held until the request steps again on that replica
                    if (a[PENDING] > 0 && a[PENDING_DEPLOYMENT] != deployment) {
                        a[ON_PATH] += a[PENDING];
                    }
                    a[ON_PATH] += idleNanos + (nextInFlight ? 0 : reportBackNanos);
                    a[PENDING] = nextInFlight ? reportBackNanos : 0;
                    a[PENDING_DEPLOYMENT] = deployment;
                }
            }
        });
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] image = png(112, 112, seed);
        CountDownLatch done = new CountDownLatch(requests);
        AtomicLong failed = new AtomicLong();
        Histogram overhead = new Histogram(3);
        Histogram arrival = new Histogram(3);
        Histogram e2e = new Histogram(3);
        Histogram onPath = new Histogram(3);
        List<Histogram> kindOverhead = List.of(new Histogram(3), new Histogram(3), new Histogram(3));
        long[] kindSteps = new long[KINDS.size()];
        long cpuBefore = controlPlaneCpuNanos();
        long allocBefore = controlPlaneAllocatedBytes();
        long[] linkBefore = linkCounts(runtime);
        long callerCpu = 0;
        List<Long> self = List.of(ProcessHandle.current().pid());
        List<Long> executors = executorPids(runtime);
        long controlWaitBefore = schedstat(self, RUN_QUEUE_WAIT_NANOS);
        long executorWaitBefore = schedstat(executors, RUN_QUEUE_WAIT_NANOS);
        long controlScheduledBefore = schedstat(self, TIMES_SCHEDULED);
        long executorScheduledBefore = schedstat(executors, TIMES_SCHEDULED);
        long start = System.nanoTime();
        double t = 0;
        for (int i = 0; i < requests; i++) {
            t += -Math.log(1 - rnd.nextDouble()) / rate;
            long due = start + (long) (t * 1e9);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            double kind = rnd.nextDouble();
            ModelRequest req = new ModelRequest("tiny-omni", "Question " + i + ": what happens next in the story?",
                    kind < 0.2 ? List.of(image) : List.of(), List.of(), 16, 0.7, i,
                    kind > 0.9 ? Set.of(Modality.TEXT, Modality.AUDIO) : Set.of(Modality.TEXT));
            // invoked, arrived on the loop, overhead of its steps, steps, kind, then the on-path split's sums
            long[] times = new long[8];
            times[4] = kind < 0.2 ? 1 : kind > 0.9 ? 2 : 0;
            long invokeNanos = System.nanoTime();
            times[0] = invokeNanos;
            OutputSink sink = new OutputSink() {
                @Override
                public void text(String delta) {
                }

                @Override
                public void audio(byte[] wav) {
                }

                @Override
                public void image(byte[] png) {
                }

                @Override
                public void completed(Usage usage) {
                    long us = Math.max(0, (times[1] - times[0]) + times[2]) / 1000;
                    overhead.recordValue(us);
                    onPath.recordValue(Math.max(0, (times[1] - times[0]) + times[ON_PATH] + times[PENDING]) / 1000);
                    synchronized (kindSteps) {
                        kindOverhead.get((int) times[4]).recordValue(us);
                        kindSteps[(int) times[4]] += times[3];
                    }
                    arrival.recordValue(Math.max(0, times[1] - times[0]) / 1000);
                    e2e.recordValue((System.nanoTime() - invokeNanos) / 1_000_000);
                    done.countDown();
                }

                @Override
                public void failed(Failure failure) {
                    failed.incrementAndGet();
                    done.countDown();
                }
            };
            // the id is assigned inside invoke; register under the next id before the arrival can be observed
            long nextId = runtimeNextId(runtime);
            perRequest.put(nextId, times);
            long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            runtime.invoke(req, sink);
            callerCpu += java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
        }
        if (!done.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests did not finish in 600 s");
        }
        double cpuPerRequest = (controlPlaneCpuNanos() - cpuBefore) / 1e3 / requests;
        long stepCount = Math.max(1, stepOverhead.getTotalCount());
        long[] link = linkCounts(runtime);
        double[] perStep = new double[link.length];
        for (int i = 0; i < link.length; i++) {
            perStep[i] = (double) (link[i] - linkBefore[i]) / stepCount;
        }
        double controlWait = (schedstat(self, RUN_QUEUE_WAIT_NANOS) - controlWaitBefore) / 1e3 / stepCount;
        double executorWait = (schedstat(executors, RUN_QUEUE_WAIT_NANOS) - executorWaitBefore) / 1e3 / stepCount;
        double controlScheduled = (double) (schedstat(self, TIMES_SCHEDULED) - controlScheduledBefore) / stepCount;
        double executorScheduled = (double) (schedstat(executors, TIMES_SCHEDULED) - executorScheduledBefore)
                / stepCount;
        Costs costs = new Costs((controlPlaneAllocatedBytes() - allocBefore) / 1024.0 / requests,
                callerCpu / 1e3 / requests, perStep[0], perStep[1], perStep[2], perStep[3], perStep[4],
                controlScheduled, executorScheduled);
        List<String> startups = new ArrayList<>();
        for (TaskManager tm : runtime.taskManagers()) {
            ExecutorReport.Ready r = tm.lastReady();
            startups.add(String.format(Locale.ROOT, "%s: launch to ready %.0f ms (JVM start to main %.0f ms, weights"
                    + " %.0f ms, warm-up %.0f ms)", tm.name(), tm.lastStartupNanos() / 1e6,
                    r == null ? 0 : r.jvmStartToMainNanos() / 1e6, r == null ? 0 : r.loadNanos() / 1e6,
                    r == null ? 0 : r.warmupNanos() / 1e6));
        }
        List<String> names = runtime.taskManagers().stream().map(TaskManager::name).toList();
        deploymentSteps.forEach((d, h) -> startups.add(String.format(Locale.ROOT, "steps on %s: %d, overhead P50 %.3f"
                + " ms, P99 %.3f ms, max %.3f ms", d < names.size() ? names.get(d) : "deployment " + d,
                h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getMaxValue() / 1e3)));
        List<KindRow> kinds = new ArrayList<>();
        for (int k = 0; k < KINDS.size(); k++) {
            Histogram h = kindOverhead.get(k);
            kinds.add(new KindRow(KINDS.get(k), h.getTotalCount(), h.getValueAtPercentile(50),
                    h.getValueAtPercentile(99), h.getTotalCount() == 0 ? 0 : (double) kindSteps[k] / h.getTotalCount()));
        }
        return new Result(requests, (int) overhead.getTotalCount(), (int) failed.get(), rate,
                overhead.getValueAtPercentile(50), overhead.getValueAtPercentile(99), overhead.getMaxValue(),
                arrival.getValueAtPercentile(50), arrival.getValueAtPercentile(99),
                stepOverhead.getValueAtPercentile(50), stepOverhead.getValueAtPercentile(99),
                stepOverhead.getTotalCount(), e2e.getValueAtPercentile(50), e2e.getValueAtPercentile(99), cpuPerRequest,
                controlWait, executorWait, startups, kinds, onPath.getValueAtPercentile(50),
                onPath.getValueAtPercentile(99), costs);
    }

    private static long runtimeNextId(ControlPlane runtime) {
        return runtime.peekNextRequestId();
    }

    static byte[] png(int w, int h, long seed) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        int warmUpRequests = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        org.cornserve.model.plan.ResolvedPlan plan = Runtimes.defaultPlan();
        String async = System.getProperty("cornserve.asyncScheduling");
        if (async != null) {
            plan = org.cornserve.model.plan.PlanValidator.builtIn().validate(plan.plan().withAsyncScheduling(
                    Boolean.parseBoolean(async)));
        }
        System.out.println("async scheduling: " + plan.plan().asyncSchedulingOrDefault());
        RuntimeOptions options = RuntimeOptions.defaults();
        String runIterations = System.getProperty("cornserve.maxRunIterations");
        if (runIterations != null) {
            options = options.withMaxRunIterations(Long.parseLong(runIterations));
        }
        System.out.println("decode iterations per step: " + (plan.plan().asyncSchedulingOrDefault() ? 1
                : options.maxRunIterations()));
        try (ControlPlane runtime = Runtimes.start(plan, DeviceSlots.parse("cpu:2"), options)) {
            Result warm = run(runtime, warmUpRequests, 5, seed + 1000);
            System.out.println("warm-up: " + warm.completed() + " requests");
            Result r = run(runtime, requests, rate, seed);
            System.out.printf(Locale.ROOT, "requests %d at %.1f/s: %d completed, %d failed%n", r.requests(), r.rate(),
                    r.completed(), r.failed());
            System.out.printf(Locale.ROOT, "dispatch overhead per request (outside executors): P50 %.3f ms, P99 %.3f"
                    + " ms, max %.3f ms%n", r.overheadP50Us() / 1e3, r.overheadP99Us() / 1e3, r.overheadMaxUs() / 1e3);
            System.out.printf(Locale.ROOT, "on the request's path (a report that came back while its replica computed"
                    + " the next step left out, unless the request's last there): P50 %.3f ms, P99 %.3f ms%n",
                    r.onPathP50Us() / 1e3, r.onPathP99Us() / 1e3);
            System.out.printf(Locale.ROOT, "of which arrival (graph and inputs built on the caller, then on the loop):"
                    + " P50 %.3f ms, P99 %.3f ms%n", r.arrivalP50Us() / 1e3, r.arrivalP99Us() / 1e3);
            System.out.printf(Locale.ROOT, "per step (decision to report, minus compute): P50 %.3f ms, P99 %.3f ms"
                    + " (%d steps)%n", r.stepOverheadP50Us() / 1e3, r.stepOverheadP99Us() / 1e3, r.steps());
            System.out.printf(Locale.ROOT, "end to end: P50 %d ms, P99 %d ms%n", r.e2eP50Ms(), r.e2eP99Ms());
            System.out.printf(Locale.ROOT, "control-plane CPU (event loop + executor links): %.0f us per request%n",
                    r.controlCpuUsPerRequest());
            Costs c = r.costs();
            System.out.printf(Locale.ROOT, "control-plane allocation: %.0f KiB per request; caller thread CPU (request"
                    + " built, its arrival run there when the loop is free): %.0f us per request%n",
                    c.controlAllocKibPerRequest(), c.callerCpuUsPerRequest());
            System.out.printf(Locale.ROOT, "executor links per step: %.2f frames (%.0f bytes) out in %.2f writes, %.2f"
                    + " frames (%.0f bytes) back%n", c.framesOutPerStep(), c.bytesOutPerStep(), c.writesOutPerStep(),
                    c.framesBackPerStep(), c.bytesBackPerStep());
            System.out.printf(Locale.ROOT, "threads put on a CPU (/proc schedstat) per step: control plane %.2f,"
                    + " executors %.2f (all their threads, compute pools included)%n", c.controlScheduledPerStep(),
                    c.executorScheduledPerStep());
            System.out.printf(Locale.ROOT, "waiting for a CPU (run queue, /proc schedstat) per step: control plane %.0f us,"
                    + " executors %.0f us%n", r.controlRunQueueUsPerStep(), r.executorRunQueueUsPerStep());
            for (KindRow k : r.kinds()) {
                System.out.printf(Locale.ROOT, "  %-9s %3d requests: overhead P50 %.3f ms, P99 %.3f ms; %.1f steps per"
                        + " request%n", k.kind(), k.requests(), k.overheadP50Us() / 1e3, k.overheadP99Us() / 1e3,
                        k.stepsPerRequest());
            }
            r.startups().forEach(System.out::println);
        }
        if (StepTrace.ON) {
            StepTrace.flush();
            System.out.print(StepTraceReport.read(java.nio.file.Path.of(System.getProperty(StepTrace.PROPERTY))));
        }
    }
}
