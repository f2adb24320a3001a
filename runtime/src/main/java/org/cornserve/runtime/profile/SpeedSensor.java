package org.cornserve.runtime.profile;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.llm.KvCache;
import org.cornserve.runtime.engine.llm.LlmModel;
import org.cornserve.runtime.engine.llm.SeqChunk;
import org.cornserve.runtime.engine.weights.SeededWeights;

/**
 * A thermometer for the machine's speed: a fixed reference kernel (one-sequence decode steps of the tiny LLM, the
 * served engine's own code on its own seeded weights) run every {@code period} ms, its thread's CPU time per step
 * printed. Run one per core, pinned ({@code taskset -c CORE}), beside a served run: the served engine's executors move
 * between cores whose speed changes by tens of percent over minutes on a shared virtual machine, where the hypervisor
 * reports no steal (on 2026-12-05, idle: one core's reference steps at 0.93 to 1.04 of its median for minutes, then
 * 1.34 to 1.44 for 20 s, the other's at 1.10 to 1.43 for three minutes, then 0.87 to 0.96). CPU time, not wall time:
 * a reading says how fast the core computes while this thread runs, not how often the thread waited for it.
 *
 * <p>Each reading is the median of {@value #STEPS} steps, printed as microseconds on its own line; the sensor keeps
 * one sequence between {@value #CONTEXT} and {@value #CONTEXT} + 64 cached tokens (a short prefill starts it again)
 * so that every step costs the same. It exits when its standard input closes (its parent gone). At a 250 ms period it
 * took 0.016 cores (measured over 40 s: 0.63 CPU s for 157 readings, 4.0 ms each with the JVM's own work).
 */
public final class SpeedSensor implements AutoCloseable {
    /** Decode steps per reading. */
    public static final int STEPS = 8;
    /** The prompt the sensor's sequence starts from. */
    static final int CONTEXT = 32;
    /** Tokens decoded before the sequence starts again. */
    static final int SPAN = 64;
    /** Readings at the start that are not printed. */
    static final int WARMUP = 200;

    private final Kernels kernels;
    private final LlmModel model;
    private final KvCache cache;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final SplittableRandom random = new SplittableRandom(1);
    private int position = Integer.MAX_VALUE;

    /** The reference kernel: the tiny LLM on one compute thread, seeded weights. */
    public SpeedSensor() {
        kernels = Kernels.create(Kernels.Choice.AUTO, 1);
        model = new LlmModel(TinyModels.LLM, new SeededWeights(1), "", kernels, Set.of(), false);
        cache = new KvCache(model.config(), (CONTEXT + SPAN) / 16 + 2, 16);
    }

    /** One reading: the median thread CPU time of {@value #STEPS} decode steps, in microseconds. */
    public double readMicros() {
        if (position >= CONTEXT + SPAN) {
            cache.free(0);
            int[] tokens = new int[CONTEXT];
            for (int i = 0; i < CONTEXT; i++) {
                tokens[i] = random.nextInt(256);
            }
            model.step(List.of(new SeqChunk(0, 0, tokens, null, false, false)), cache);
            position = CONTEXT;
        }
        long[] cpu = new long[STEPS];
        for (int s = 0; s < STEPS; s++) {
            long c0 = threads.getCurrentThreadCpuTime();
            model.step(List.of(SeqChunk.decode(0, position++, random.nextInt(256))), cache);
            cpu[s] = threads.getCurrentThreadCpuTime() - c0;
        }
        Arrays.sort(cpu);
        return (cpu[STEPS / 2 - 1] + cpu[STEPS / 2]) / 2e3;
    }

    @Override
    public void close() {
        kernels.close();
    }

    /**
     * {@code SpeedSensor PERIOD_MS}: prints a reading (microseconds) every period until standard input closes, after
     * {@value #WARMUP} readings back to back that are not printed (the JIT compiling the kernel; from launch to the
     * first reading 3.2 to 3.5 s here, the JVM's start and the weights' seeding included).
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: SpeedSensor PERIOD_MS");
            System.exit(2);
        }
        long period = Long.parseLong(args[0]);
        Thread watcher = Thread.ofPlatform().daemon().name("stdin-watch").start(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // nothing is sent; end of input is the parent gone
                }
            } catch (IOException e) {
                // the same
            }
            System.exit(0);
        });
        PrintStream out = System.out;
        try (SpeedSensor sensor = new SpeedSensor()) {
            for (int i = 0; i < WARMUP; i++) {
                sensor.readMicros();
            }
            while (watcher.isAlive()) {
                out.printf(java.util.Locale.ROOT, "%.1f%n", sensor.readMicros());
                out.flush();
                Thread.sleep(period);
            }
        }
    }
}
