package org.cornserve.cli.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.cornserve.model.json.Json;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.cornserve.runtime.profile.SpeedSensor;
import org.cornserve.simulator.config.SpeedTrace;

/**
 * The machine's speed through a validation, read by a thermometer that is not the served engine: one {@link
 * SpeedSensor} process per core this process may use, pinned to it ({@code taskset -c}), each timing a fixed
 * reference kernel every {@value #PERIOD_MS} ms. On this machine the cores' speeds wander apart by tens of percent
 * over minutes, and the served engine's decode speed follows the cores it computed on (r7 of 2026-12-05: the served
 * decode speed in 10 s windows over the mean sensed step time, 3.10, 3.12 and 3.20 per ms at the median in three
 * replays, within about 5% window by window, where the served speed itself went from 0.92 to 1.50 of the profile).
 * Beside the readings it samples where the served LLM's executors computed ({@link #watch}, {@code placement.csv}):
 * the kernel moves an executor's compute thread between the cores, and a window's sensed speed weighs each core's
 * reading by the engine's CPU time there (r13 of 2026-12-05: 12.8% mean absolute error replay by replay at the
 * weighted sensed speed, 16.8% at the plain mean, the same served run).
 *
 * <p>How validate uses it ({@link Validation#atSensedSpeed}): the runs before each replay calibrate the served engine
 * against the sensors (the earlier replays' served speed, compute over the profile's charge, over the sensed step
 * time then; the warm-up's later half for the first replay); the replay is then simulated at that calibration times
 * the sensed step time window by window. The calibration comes from before the replay, the reading from during it
 * but not from the served engine's steps: a prediction given the machine's speed (and where the kernel ran the
 * engine), where the probes' is one given the speed of the seconds before it.
 *
 * <p>Readings land in {@code sensed.csv} ({@code t_s,cpu,micros}: seconds since the sensors started) and the spans in
 * {@code sensed.json} ({@link Spans}); {@link #unavailable} says why there are none (not Linux, no {@code taskset}).
 */
final class MachineSpeed implements AutoCloseable {
    /** Sensor period. */
    static final long PERIOD_MS = 250;
    /** Cores sensed at most (the first ones this process may use). */
    static final int MAX_CORES = 8;
    /** Readings a core needs in a span for the span to have a reading. */
    static final int MIN_READINGS = 3;
    static final String TASKSET = java.util.stream.Stream.of("/usr/bin/taskset", "/bin/taskset")
            .filter(f -> Files.isExecutable(Path.of(f))).findFirst().orElse(null);

    /** One reading: when (nanoseconds since the sensors started), on which core, the reference step's CPU time. */
    record Reading(long nanos, int cpu, double micros) {
    }

    /**
     * Where the served engine computed: over the {@value #PERIOD_MS} ms before {@code nanos} (since the sensors
     * started), {@code ticks} clock ticks of CPU time of the watched executors' threads that were on {@code cpu} when
     * sampled ({@code /proc/PID/task/TID/stat}: utime and stime, and the core it last ran on).
     */
    record Placement(long nanos, int cpu, long ticks) {
    }

    /**
     * CPU time in a window below this many clock ticks (0.2 s at Linux's 100 a second) says too little of where the
     * engine ran: the window's sensed speed is the cores' plain mean.
     */
    static final long MIN_PLACED_TICKS = 20;

    /**
     * When the sensors' readings matter, in seconds since they started: the warm-up replay and each measured replay.
     *
     * @param periodMs the sensors' period
     * @param cpus the cores sensed
     * @param warmup the warm-up replay's start and end
     * @param replays each replay's start and end, in order
     */
    record Spans(@JsonProperty("period_ms") long periodMs, @JsonProperty("cpus") List<Integer> cpus,
            @JsonProperty("warmup") double[] warmup, @JsonProperty("replays") List<double[]> replays) {
    }

    private final long origin;
    private final List<Integer> cpus;
    private final List<Process> processes = new ArrayList<>();
    private final List<Reading> readings = new ArrayList<>();
    private final List<Placement> placements = new ArrayList<>();
    private volatile boolean closed;
    private boolean watching;

    private MachineSpeed(long origin, List<Integer> cpus) {
        this.origin = origin;
        this.cpus = cpus;
    }

    /** Why sensors cannot run here, or null when they can. */
    static String unavailable() {
        if (TASKSET == null) {
            return "no taskset binary (util-linux) to pin a sensor to each core";
        }
        if (allowedCpus() == null) {
            return "no Cpus_allowed_list in /proc/self/status (not Linux?)";
        }
        return null;
    }

    /** The cores this process may run on ({@code Cpus_allowed_list}), or null where unknown. */
    static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parseCpuList(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** A Linux CPU list ({@code 0-3,6,8-9}) as its cores, in order. */
    static List<Integer> parseCpuList(String list) {
        List<Integer> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
            for (int c = from; c <= to; c++) {
                out.add(c);
            }
        }
        return out;
    }

    /** Starts a sensor on each core (at most {@value #MAX_CORES}); check {@link #unavailable} first. */
    static MachineSpeed start() throws IOException {
        List<Integer> allowed = allowedCpus();
        if (TASKSET == null || allowed == null || allowed.isEmpty()) {
            throw new IllegalStateException("machine speed sensors: " + unavailable());
        }
        MachineSpeed m = new MachineSpeed(System.nanoTime(), List.copyOf(allowed.subList(0, Math.min(MAX_CORES,
                allowed.size()))));
        try {
            for (int cpu : m.cpus) {
                Process p = new ProcessBuilder(TASKSET, "-c", Integer.toString(cpu), LocalProcessLauncher.thisJava(),
                        "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", "-Xmx64m", "-cp",
                        System.getProperty("java.class.path"), SpeedSensor.class.getName(), Long.toString(PERIOD_MS))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                m.processes.add(p);
                Thread.ofPlatform().daemon().name("speed-sensor-" + cpu).start(() -> m.read(p, cpu));
            }
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    private void read(Process p, int cpu) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                long now = System.nanoTime() - origin;
                try {
                    double micros = Double.parseDouble(line.trim());
                    synchronized (readings) {
                        readings.add(new Reading(now, cpu, micros));
                    }
                } catch (NumberFormatException e) {
                    // not a reading (a JVM warning on standard output): skipped
                }
            }
        } catch (IOException e) {
            // the sensor is gone: its readings end here
        }
    }

    /**
     * Samples, every {@value #PERIOD_MS} ms until closed, which cores the threads of processes {@code pids} (the
     * served LLM's executors) computed on ({@link Placement}, {@code placement.csv}): an executor's compute thread
     * moves between cores whose speeds differ, and the sensed speed weighs each core's reading by the engine's time
     * there. Reads {@code /proc}; where it cannot, the sampler records nothing and the plain mean stands.
     */
    void watch(List<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        synchronized (placements) {
            watching = true;
        }
        Thread.ofPlatform().daemon().name("engine-placement").start(() -> {
            java.util.Map<String, Long> last = new java.util.HashMap<>();
            while (!closed) {
                long[] byCpu = new long[MAX_CPU];
                for (long pid : pids) {
                    Path tasks = Path.of("/proc", Long.toString(pid), "task");
                    try (var dir = Files.list(tasks)) {
                        for (Path t : (Iterable<Path>) dir::iterator) {
                            long[] tc = threadTicksAndCpu(t.resolve("stat"));
                            if (tc == null) {
                                continue;
                            }
                            String key = pid + "/" + t.getFileName();
                            Long before = last.put(key, tc[0]);
                            if (before != null && tc[0] > before && tc[1] >= 0 && tc[1] < MAX_CPU) {
                                byCpu[(int) tc[1]] += tc[0] - before;
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // the process is gone (or /proc unreadable): nothing sampled from it this time
                    }
                }
                long now = System.nanoTime() - origin;
                synchronized (placements) {
                    for (int c = 0; c < MAX_CPU; c++) {
                        if (byCpu[c] > 0) {
                            placements.add(new Placement(now, c, byCpu[c]));
                        }
                    }
                }
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Cores a placement sample can name. */
    private static final int MAX_CPU = 1024;

    /**
     * A thread's CPU time in clock ticks (utime + stime) and the core it last ran on, from its {@code stat} file
     * (fields 14, 15 and 39; the command name in parentheses may hold spaces), or null when unreadable.
     */
    static long[] threadTicksAndCpu(Path stat) {
        String line;
        try {
            line = Files.readString(stat);
        } catch (IOException e) {
            return null;
        }
        return parseStat(line);
    }

    /** {@link #threadTicksAndCpu} of one {@code stat} line. */
    static long[] parseStat(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] f = line.substring(close + 2).trim().split("\\s+");
        // f[0] is field 3 (state): field n is f[n - 3]
        if (f.length < 37) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[36])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The placement samples so far. */
    List<Placement> placements() {
        synchronized (placements) {
            return List.copyOf(placements);
        }
    }

    /** Seconds since the sensors started, at {@code nanos} ({@link System#nanoTime}). */
    double seconds(long nanos) {
        return (nanos - origin) / 1e9;
    }

    /** The cores sensed. */
    List<Integer> cpus() {
        return cpus;
    }

    /** The readings so far. */
    List<Reading> readings() {
        synchronized (readings) {
            return List.copyOf(readings);
        }
    }

    /** Writes the readings ({@code sensed.csv}) and the spans ({@code sensed.json}) into {@code dir}. */
    void write(Path dir, double[] warmup, List<double[]> replays) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve("sensed.csv")))) {
            w.println("t_s,cpu,micros");
            for (Reading r : readings()) {
                w.printf(Locale.ROOT, "%.3f,%d,%.1f%n", r.nanos() / 1e9, r.cpu(), r.micros());
            }
        }
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("sensed.json").toFile(),
                new Spans(PERIOD_MS, cpus, warmup, replays));
        boolean watched;
        synchronized (placements) {
            watched = watching;
        }
        if (watched) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve(PLACEMENT_CSV)))) {
                w.println("t_s,cpu,ticks");
                for (Placement p : placements()) {
                    w.printf(Locale.ROOT, "%.3f,%d,%d%n", p.nanos() / 1e9, p.cpu(), p.ticks());
                }
            }
        }
    }

    /** Where the served engine computed, beside {@code sensed.csv}. */
    static final String PLACEMENT_CSV = "placement.csv";

    /** The samples of a {@code placement.csv}; none where the file is absent. */
    static List<Placement> readPlacementCsv(Path file) throws IOException {
        List<Placement> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            try {
                out.add(new Placement(Math.round(Double.parseDouble(f[0]) * 1e9), Integer.parseInt(f[1]),
                        Long.parseLong(f[2])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected t_s,cpu,ticks, got '"
                        + lines.get(i) + "'", e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /** The readings of a {@code sensed.csv}. */
    static List<Reading> readCsv(Path file) throws IOException {
        List<Reading> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            try {
                out.add(new Reading(Math.round(Double.parseDouble(f[0]) * 1e9), Integer.parseInt(f[1]),
                        Double.parseDouble(f[2])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected t_s,cpu,micros, got '"
                        + lines.get(i) + "'", e);
            }
        }
        return out;
    }

    /**
     * The sensed step time over {@code [from, to)} seconds: the mean over the cores of each core's median reading
     * there; NaN where a core has fewer than {@value #MIN_READINGS} readings in it.
     */
    static double sensedMicros(List<Reading> readings, List<Integer> cpus, double from, double to) {
        return sensedMicros(readings, List.of(), cpus, from, to);
    }

    /**
     * As above, each core's median weighted by the served engine's CPU time on it there ({@code placement}), where
     * the engine computed at least {@value #MIN_PLACED_TICKS} ticks in the window on sensed cores; else the plain
     * mean.
     */
    static double sensedMicros(List<Reading> readings, List<Placement> placement, List<Integer> cpus, double from,
            double to) {
        double[] weight = new double[cpus.size()];
        double placed = 0;
        for (Placement p : placement) {
            int i = cpus.indexOf(p.cpu());
            if (i >= 0 && p.nanos() >= from * 1e9 && p.nanos() < to * 1e9) {
                weight[i] += p.ticks();
                placed += p.ticks();
            }
        }
        boolean weighted = placed >= MIN_PLACED_TICKS;
        double sum = 0;
        for (int i = 0; i < cpus.size(); i++) {
            int cpu = cpus.get(i);
            double w = weighted ? weight[i] / placed : 1.0 / cpus.size();
            if (w == 0) {
                continue;
            }
            double[] v = readings.stream().filter(r -> r.cpu() == cpu && r.nanos() >= from * 1e9
                    && r.nanos() < to * 1e9).mapToDouble(Reading::micros).sorted().toArray();
            if (v.length < MIN_READINGS) {
                return Double.NaN;
            }
            sum += w * (v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
        }
        return sum;
    }

    /**
     * The speed trace a replay is simulated at: for each {@code windowSeconds} of the replay's span, the
     * calibration ({@code prefillPerMicro}, {@code decodePerMicro}: speed against the profile per sensed microsecond)
     * times the sensed step time then. A window without a reading takes the last one's (the first ones the first
     * reading's); none at all is an error.
     */
    static SpeedTrace trace(List<Reading> readings, List<Integer> cpus, double[] replay, double windowSeconds,
            double prefillPerMicro, double decodePerMicro) {
        return trace(readings, List.of(), cpus, replay, windowSeconds, prefillPerMicro, decodePerMicro);
    }

    /** As above, each window's cores weighted by where the served engine computed ({@link #sensedMicros}). */
    static SpeedTrace trace(List<Reading> readings, List<Placement> placement, List<Integer> cpus, double[] replay,
            double windowSeconds, double prefillPerMicro, double decodePerMicro) {
        int windows = Math.max(1, (int) Math.ceil((replay[1] - replay[0]) / windowSeconds));
        double[] sensed = new double[windows];
        double last = Double.NaN;
        for (int w = 0; w < windows; w++) {
            double s = sensedMicros(readings, placement, cpus, replay[0] + w * windowSeconds,
                    replay[0] + (w + 1) * windowSeconds);
            last = Double.isNaN(s) ? last : s;
            sensed[w] = last;
        }
        double first = Arrays.stream(sensed).filter(v -> !Double.isNaN(v)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no sensor readings during the replay"));
        for (int w = 0; w < windows && Double.isNaN(sensed[w]); w++) {
            sensed[w] = first;
        }
        return new SpeedTrace(windowSeconds, Arrays.stream(sensed).map(s -> s * prefillPerMicro).boxed().toList(),
                Arrays.stream(sensed).map(s -> s * decodePerMicro).boxed().toList(), String.format(Locale.ROOT,
                        "the machine's speed sensors (sensed.csv, %d cores%s): the calibration on the runs before the"
                        + " replay (%.5f and %.5f of the profile per sensed microsecond, prefills and decodes) times"
                        + " the sensed step time per window", cpus.size(), placement.isEmpty() ? ", their mean"
                                : ", weighted by where the engine computed (placement.csv)", prefillPerMicro,
                        decodePerMicro));
    }
}
