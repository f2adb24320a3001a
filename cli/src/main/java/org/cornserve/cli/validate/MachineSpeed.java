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
 * over minutes, and the served engine's decode speed follows their mean (r7 of 2026-12-05: the served decode speed in
 * 10 s windows over the mean sensed step time, 3.10, 3.12 and 3.20 per ms at the median in three replays, within
 * about 5% window by window, where the served speed itself went from 0.92 to 1.50 of the profile).
 *
 * <p>How validate uses it ({@link SpeedDiagnosis#atSensedSpeed}): the runs before each replay calibrate the served
 * engine against the sensors (the calibration replay's and the earlier replays' served speed, compute over the
 * profile's charge, over the sensed step time then; without a calibration replay, the warm-up's later half for the
 * first replay); the replay is then simulated at that calibration times the sensed step time, window by window for the
 * decodes, at the replay's median for the prefills ({@link #trace}). The calibration comes from before the replay,
 * the reading from during it but not from the served engine's steps: a prediction given the machine's speed, where
 * the probes' is one given the speed of the seconds before it.
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

    /**
     * How the served decodes' speed follows the sensed step time: as its power {@value}, not in proportion. Fitted on
     * r17 to r19 of 2026-12-06, 10 s windows of nine replays, the served decode speed against the sensed step time on
     * log scales: slopes 0.50 to 0.84 replay by replay, 0.60 to 0.70 pooled per run; and between replays that met the
     * machine at different levels alike (r19: its third replay sensed 1.33 times slower than the first two, its decodes
     * served 1.2 times slower). Re-simulated on those runs, the sensed speed's mean absolute error replay by replay
     * went from 5.7%, 7.7% and 25.3% in proportion to 5.6%, 6.3% and 21.3%. (The served prefills follow the sensors
     * less still, slopes 0.14 to 0.65, but a power of 0.35 for them gained on two of the runs and lost on r17, 5.7% to
     * 13.8%: not kept; they take the replay's median, {@link #trace}.)
     */
    static final double DECODE_ELASTICITY = 0.65;

    /** The sensed step time as the served decodes' speed follows it ({@link #DECODE_ELASTICITY}). */
    static double decodeResponse(double sensedMicros) {
        return Math.pow(sensedMicros, DECODE_ELASTICITY);
    }

    /** One reading: when (nanoseconds since the sensors started), on which core, the reference step's CPU time. */
    record Reading(long nanos, int cpu, double micros) {
    }

    /**
     * When the sensors' readings matter, in seconds since they started: the warm-up replay and each measured replay.
     *
     * @param periodMs the sensors' period
     * @param cpus the cores sensed
     * @param warmup the warm-up replay's start and end
     * @param calibration the calibration replay's start and end (trace requests outside the judged slice, after the
     *     warm-up; {@link ProbeTraces#writeCalibrationTrace}), or null where none ran
     * @param replays each replay's start and end, in order
     */
    record Spans(@JsonProperty("period_ms") long periodMs, @JsonProperty("cpus") List<Integer> cpus,
            @JsonProperty("warmup") double[] warmup, @JsonProperty("calibration") double[] calibration,
            @JsonProperty("replays") List<double[]> replays) {
    }

    private final long origin;
    private final List<Integer> cpus;
    private final List<Process> processes = new ArrayList<>();
    private final List<Reading> readings = new ArrayList<>();

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
    void write(Path dir, double[] warmup, double[] calibration, List<double[]> replays) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve("sensed.csv")))) {
            w.println("t_s,cpu,micros");
            for (Reading r : readings()) {
                w.printf(Locale.ROOT, "%.3f,%d,%.1f%n", r.nanos() / 1e9, r.cpu(), r.micros());
            }
        }
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("sensed.json").toFile(),
                new Spans(PERIOD_MS, cpus, warmup, calibration, replays));
    }

    @Override
    public void close() {
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
        double sum = 0;
        for (int cpu : cpus) {
            double[] v = readings.stream().filter(r -> r.cpu() == cpu && r.nanos() >= from * 1e9
                    && r.nanos() < to * 1e9).mapToDouble(Reading::micros).sorted().toArray();
            if (v.length < MIN_READINGS) {
                return Double.NaN;
            }
            sum += v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
        return sum / cpus.size();
    }

    /**
     * The speed trace a replay is simulated at: for each {@code windowSeconds} of the replay's span, the decode
     * calibration ({@code decodePerMicro}: speed against the profile per sensed microsecond to the power {@link
     * #DECODE_ELASTICITY}) times the sensed step time then to that power; the prefill calibration ({@code
     * prefillPerMicro}) times the median sensed step time over the replay's windows, the same in every window. A window
     * without a reading takes the last one's (the first ones the first reading's); none at all is an error.
     *
     * <p>Why the prefills do not follow the sensors window by window: the reference kernel is a one-sequence decode,
     * and the served decodes follow it where the served prefills do not. In r18 of 2026-12-06 a 40 s spell had it at
     * 746 to 949 us a step against its usual 290 to 320, the served decodes at 1.93 and 2.24 of the profile, the served
     * prefills at 1.19 and 1.24; charged at the sensed 3.05, the simulated engine fell behind and never caught up (E2E
     * P99 +749% in that replay). Over the six replays of r17 and r18 a flat prefill speed was nearer the served one,
     * window by window, in five (3.5% to 6.9% mean absolute against 5.0% to 18.9%), the sensed decode speed nearer than
     * a flat one in five.
     */
    static SpeedTrace trace(List<Reading> readings, List<Integer> cpus, double[] replay, double windowSeconds,
            double prefillPerMicro, double decodePerMicro) {
        int windows = Math.max(1, (int) Math.ceil((replay[1] - replay[0]) / windowSeconds));
        double[] sensed = new double[windows];
        double last = Double.NaN;
        for (int w = 0; w < windows; w++) {
            double s = sensedMicros(readings, cpus, replay[0] + w * windowSeconds, replay[0] + (w + 1) * windowSeconds);
            last = Double.isNaN(s) ? last : s;
            sensed[w] = last;
        }
        double first = Arrays.stream(sensed).filter(v -> !Double.isNaN(v)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no sensor readings during the replay"));
        for (int w = 0; w < windows && Double.isNaN(sensed[w]); w++) {
            sensed[w] = first;
        }
        double level = new org.apache.commons.math3.stat.descriptive.rank.Median().evaluate(sensed);
        return new SpeedTrace(windowSeconds, Arrays.stream(sensed).map(s -> level * prefillPerMicro).boxed().toList(),
                Arrays.stream(sensed).map(s -> decodeResponse(s) * decodePerMicro).boxed().toList(),
                String.format(Locale.ROOT,
                        "the machine's speed sensors (sensed.csv, %d cores): the calibration on the runs before the"
                        + " replay (%.5f of the profile per sensed microsecond for prefills, %.5f per sensed"
                        + " microsecond to the power %.2f for decodes) times the sensed step time: the replay's median"
                        + " (%.1f us) for prefills, per window for decodes", cpus.size(), prefillPerMicro,
                        decodePerMicro, DECODE_ELASTICITY, level));
    }
}
