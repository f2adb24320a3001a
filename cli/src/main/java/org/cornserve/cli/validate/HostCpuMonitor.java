package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Watches how much of the host's CPU went to processes outside a served run while it was measured: this JVM (the
 * gateway, control plane and replay client) and its descendants (the executors) are the run; everything else on the
 * host (another user's build, a shell, a helper's test) is outside load, which slows served steps that the
 * simulator, knowing only the plan, charges at their profiled cost. A validation on a shared machine therefore
 * samples the host every {@value #PERIOD_MS} ms (Linux {@code /proc/stat}, and {@code /proc/PID/stat} of the run's
 * processes) so that its report can say how much outside load there was, and when: a tail that grows with it is the
 * machine, not the model.
 *
 * <p>Outside load over an interval, in cores: (busy ticks of the host, {@code user + nice + system + irq + softirq},
 * less the run's processes' {@code utime + stime}, with this JVM's {@code cutime + cstime} for the executors that
 * have exited) over the interval's length. The hypervisor's {@code steal} (the time
 * this virtual machine wanted a CPU and did not get one) is kept apart. Ticks are {@value #TICKS_PER_SECOND} a second
 * (Linux's {@code USER_HZ}), so a single {@value #PERIOD_MS} ms sample is precise to about 0.2 cores; {@link
 * Samples#outsideCores} widens a window to at least {@value #MIN_WINDOW_MS} ms (0.04 cores). Where {@code /proc} is not
 * readable (not Linux) the monitor records nothing and says so.
 */
final class HostCpuMonitor implements AutoCloseable {
    /** Sampling period. */
    static final long PERIOD_MS = 50;
    /** Linux's {@code USER_HZ}, the unit of {@code /proc/stat} and {@code /proc/PID/stat} times. */
    static final int TICKS_PER_SECOND = 100;
    /** The shortest window {@link Samples#outsideCores} averages over. */
    static final long MIN_WINDOW_MS = 250;

    /**
     * One reading: when, the host's busy and steal ticks so far, the run's processes' ticks so far (this JVM's among
     * them), and this JVM's garbage-collection and JIT-compilation milliseconds so far.
     */
    record Sample(long nanos, long busyTicks, long stealTicks, long runTicks, long jvmTicks, long gcMillis,
            long jitMillis) {
        Sample(long nanos, long busyTicks, long stealTicks, long runTicks) {
            this(nanos, busyTicks, stealTicks, runTicks, 0, 0, 0);
        }
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread = Thread.ofPlatform().daemon().name("host-cpu-monitor").unstarted(this::loop);
    private volatile boolean running = true;

    private HostCpuMonitor() {
    }

    /** Starts sampling now (on System.nanoTime, the clock the runtime's step timings use). */
    static HostCpuMonitor start() {
        HostCpuMonitor m = new HostCpuMonitor();
        Sample first = read(System.nanoTime());
        if (first != null) {
            m.samples.add(first);
            m.thread.start();
        }
        return m;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            Sample s = read(System.nanoTime());
            if (s != null && running) {
                synchronized (samples) {
                    samples.add(s);
                }
            }
        }
    }

    /** Stops sampling and returns what was recorded (one last sample taken now). */
    Samples stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Sample last = read(System.nanoTime());
        synchronized (samples) {
            if (last != null && !samples.isEmpty()) {
                samples.add(last);
            }
            return new Samples(List.copyOf(samples));
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }

    /**
     * Waits until the host has been nearly idle, below {@code cores} busy over {@code windowMs}, for at most
     * {@code maxMs}: the serving JVM goes on compiling after a burst of requests (13 s of compiling during a 232 s
     * replay), at a higher priority than the executors (nice 10), so a probe of the idle server must not start
     * while it does. Not the whole story: in a validation of 2026-12-05 the probe's prefills ran at 1.2 times their
     * profile for its first 22 requests and 0.93 for the rest while nothing outside the run was busy, and the next
     * run found the host quiet within a second of each wait; what slowed that probe is not known.
     *
     * @return the ms waited, and the busy cores over the last window (NaN where /proc cannot be read, at once)
     */
    static double[] awaitQuiet(double cores, long windowMs, long maxMs) throws InterruptedException {
        long start = System.nanoTime();
        Sample before = read(start);
        if (before == null) {
            return new double[] {0, Double.NaN};
        }
        while (true) {
            Thread.sleep(windowMs);
            Sample after = read(System.nanoTime());
            if (after == null) {
                return new double[] {(System.nanoTime() - start) / 1e6, Double.NaN};
            }
            double busy = (after.busyTicks() - before.busyTicks()) / (double) TICKS_PER_SECOND
                    / ((after.nanos() - before.nanos()) / 1e9);
            double waited = (after.nanos() - start) / 1e6;
            if (busy < cores || waited >= maxMs) {
                return new double[] {waited, busy};
            }
            before = after;
        }
    }

    /** A reading of the host and of this JVM's process tree, or null where /proc cannot be read. */
    static Sample read(long nanos) {
        try {
            long[] host;
            try (var in = Files.newBufferedReader(Path.of("/proc/stat"))) {
                host = hostTicks(in.readLine()); // the first line, all CPUs together
            }
            String self = Files.readString(Path.of("/proc/self/stat"));
            long jvm = processTicks(self);
            // an executor that has exited and been reaped counts in this JVM's children's times from then on
            long run = jvm + reapedChildrenTicks(self);
            try (Stream<ProcessHandle> children = ProcessHandle.current().descendants()) {
                for (ProcessHandle h : (Iterable<ProcessHandle>) children::iterator) {
                    run += Math.max(0, processTicks(h.pid()));
                }
            }
            long gc = 0;
            for (var bean : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gc += Math.max(0, bean.getCollectionTime());
            }
            var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            long jitMs = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
            return new Sample(nanos, host[0], host[1], run, jvm, gc, jitMs);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The busy ({@code user + nice + system + irq + softirq}) and steal ticks of {@code /proc/stat}'s first line
     * ({@code cpu user nice system idle iowait irq softirq steal ...}).
     */
    static long[] hostTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("/proc/stat: expected 'cpu' and at least 8 times, got: " + cpuLine);
        }
        long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
        return new long[] {busy, Long.parseLong(f[8])};
    }

    /**
     * cutime + cstime from a {@code /proc/PID/stat} line (fields 16 and 17): the CPU of the process's children that
     * have exited and been waited for.
     */
    static long reapedChildrenTicks(String statLine) {
        String[] f = fieldsAfterName(statLine);
        return Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /**
     * The fields of a {@code /proc/PID/stat} line after the process's name (which sits in parentheses and may hold
     * spaces): index 0 is field 3, the state.
     */
    private static String[] fieldsAfterName(String statLine) {
        return statLine.substring(statLine.lastIndexOf(')') + 2).trim().split("\\s+");
    }

    /** utime + stime of a process ({@code /proc/PID/stat}), or -1 when it is gone. */
    static long processTicks(long pid) {
        try {
            return processTicks(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException e) {
            return -1;
        }
    }

    /** utime + stime from a {@code /proc/PID/stat} line (fields 14 and 15; the name in parentheses may hold spaces). */
    static long processTicks(String statLine) {
        String[] f = fieldsAfterName(statLine);
        // after the name: state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** What a monitor recorded, with the queries a validation asks of it. */
    record Samples(List<Sample> samples) {
        Samples {
            samples = List.copyOf(samples);
        }

        /** True when there is something to answer from (at least two readings). */
        boolean available() {
            return samples.size() >= 2;
        }

        /**
         * The mean outside load in cores over {@code [fromNanos, toNanos]}, widened about its middle to at least
         * {@value #MIN_WINDOW_MS} ms; NaN when the monitor has no readings around it.
         */
        double outsideCores(long fromNanos, long toNanos) {
            return load(fromNanos, toNanos, false);
        }

        /** The hypervisor's steal over the window, in cores, as {@link #outsideCores}. */
        double stealCores(long fromNanos, long toNanos) {
            return load(fromNanos, toNanos, true);
        }

        private double load(long fromNanos, long toNanos, boolean steal) {
            long minWindow = MIN_WINDOW_MS * 1_000_000L;
            if (toNanos - fromNanos < minWindow) {
                long mid = fromNanos + (toNanos - fromNanos) / 2;
                fromNanos = mid - minWindow / 2;
                toNanos = mid + minWindow / 2;
            }
            if (!available() || toNanos <= samples.get(0).nanos() || fromNanos >= samples.get(samples.size() - 1)
                    .nanos()) {
                return Double.NaN;
            }
            fromNanos = Math.max(fromNanos, samples.get(0).nanos());
            toNanos = Math.min(toNanos, samples.get(samples.size() - 1).nanos());
            double ticks = ticksAt(toNanos, steal) - ticksAt(fromNanos, steal);
            double seconds = (toNanos - fromNanos) / 1e9;
            return seconds <= 0 ? Double.NaN : Math.max(0, ticks / TICKS_PER_SECOND / seconds);
        }

        /** The last reading at or before {@code nanos} (the first one when none is). */
        private Sample at(long nanos) {
            return samples.get(indexAtOrBefore(nanos));
        }

        /** The index of the last reading at or before {@code nanos}, 0 when none is (binary search). */
        private int indexAtOrBefore(long nanos) {
            int lo = 0;
            int hi = samples.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (samples.get(mid).nanos() <= nanos) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        /** Cumulative outside (or steal) ticks at {@code nanos}, linearly interpolated between readings. */
        private double ticksAt(long nanos, boolean steal) {
            int lo = Math.min(indexAtOrBefore(nanos), samples.size() - 2);
            int hi = lo + 1;
            double a = cumulative(samples.get(lo), steal);
            double b = cumulative(samples.get(hi), steal);
            long ta = samples.get(lo).nanos();
            long tb = samples.get(hi).nanos();
            return tb == ta ? b : a + (b - a) * (double) (nanos - ta) / (tb - ta);
        }

        private static double cumulative(Sample s, boolean steal) {
            return steal ? s.stealTicks() : s.busyTicks() - s.runTicks();
        }

        /**
         * The outside load second by second from {@code fromNanos} to {@code toNanos}: its mean, its largest one-second
         * value, and how many seconds had at least 0.25 cores of it (and the hypervisor's steal, mean and largest).
         */
        Map<String, Object> summary(long fromNanos, long toNanos) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("available", available());
            if (!available()) {
                return m;
            }
            List<Double> outside = new ArrayList<>();
            List<Double> steal = new ArrayList<>();
            for (long t = fromNanos; t + 1_000_000_000L <= toNanos; t += 1_000_000_000L) {
                double o = outsideCores(t, t + 1_000_000_000L);
                if (!Double.isNaN(o)) {
                    outside.add(o);
                    steal.add(stealCores(t, t + 1_000_000_000L));
                }
            }
            m.put("seconds", outside.size());
            m.put("outside_cores_mean", outsideCores(fromNanos, toNanos));
            m.put("outside_cores_max_second", outside.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            m.put("seconds_outside_at_least_0.25_cores", outside.stream().filter(o -> o >= StepRecorder.LOADED_CORES)
                    .count());
            m.put("steal_cores_mean", stealCores(fromNanos, toNanos));
            m.put("steal_cores_max_second", steal.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            // this JVM (gateway, control plane, replay client) stopping for its collector or compiling code: a stall
            // of delivery the simulator does not model either
            Sample first = at(fromNanos);
            Sample last = at(toNanos);
            m.put("serving_jvm_gc_ms", last.gcMillis() - first.gcMillis());
            m.put("serving_jvm_jit_ms", last.jitMillis() - first.jitMillis());
            long worstGc = 0;
            for (int i = 1; i < samples.size(); i++) {
                if (samples.get(i).nanos() > fromNanos && samples.get(i - 1).nanos() < toNanos) {
                    worstGc = Math.max(worstGc, samples.get(i).gcMillis() - samples.get(i - 1).gcMillis());
                }
            }
            m.put("serving_jvm_gc_ms_max_interval", worstGc);
            return m;
        }

        /** One row per reading: ms since {@code originNanos}, outside and steal cores since the reading before. */
        void writeCsv(Path csv, long originNanos) throws IOException {
            StringBuilder sb = new StringBuilder("t_ms,outside_cores,steal_cores,run_cores,jvm_cores,gc_ms,jit_ms\n");
            for (int i = 1; i < samples.size(); i++) {
                Sample a = samples.get(i - 1);
                Sample b = samples.get(i);
                double seconds = (b.nanos() - a.nanos()) / 1e9;
                if (seconds <= 0) {
                    continue;
                }
                double perTick = 1.0 / TICKS_PER_SECOND / seconds;
                sb.append(String.format(Locale.ROOT, "%.1f,%.3f,%.3f,%.3f,%.3f,%d,%d%n", (b.nanos() - originNanos) / 1e6,
                        Math.max(0, cumulative(b, false) - cumulative(a, false)) * perTick,
                        (b.stealTicks() - a.stealTicks()) * perTick, (b.runTicks() - a.runTicks()) * perTick,
                        (b.jvmTicks() - a.jvmTicks()) * perTick, b.gcMillis() - a.gcMillis(),
                        b.jitMillis() - a.jitMillis()));
            }
            Files.writeString(csv, sb);
        }
    }
}
