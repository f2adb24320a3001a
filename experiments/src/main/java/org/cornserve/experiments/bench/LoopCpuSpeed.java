package org.cornserve.experiments.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.plan.TraceWorkload;
import org.cornserve.simulator.workload.ReadAhead;

/**
 * Where the event loop's wall time goes in {@code cornserve simulate --model llama-3.1-8b --hardware h100-sxm
 * --gpus GPUS --strategy monolithic --trace TRACE --repeat N --rate RPS} (the same plan, trace source, read-ahead
 * and simulator): {@code java -XX:+UseSerialGC -XX:+UseTransparentHugePages -cp JARS LoopCpuSpeed TRACE REPEAT RATE
 * GPUS RUNS} (the collector and heap pages {@code bin/cornserve simulate} uses). Each of {@code RUNS} runs in this one
 * JVM prints the loop's wall seconds beside the loop thread's own CPU seconds ({@link ThreadMXBean}), the collectors'
 * pause time and count, the JIT's compile time, the whole process's CPU in the loop, the bytes the loop thread
 * allocated per request and the process's page faults in the loop (first touches of memory pages; Linux only, -1
 * elsewhere). The last two counts do not move with the machine's load, so they compare builds on a busy machine (on a
 * virtual machine each page fault costs tens of microseconds). The first run is what the command measures (cold JIT),
 * later ones show the loop with the JIT done.
 */
public final class LoopCpuSpeed {
    private LoopCpuSpeed() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: LoopCpuSpeed TRACE REPEAT RATE GPUS RUNS");
        }
        Path trace = Path.of(args[0]);
        int repeat = Integer.parseInt(args[1]);
        double rate = Double.parseDouble(args[2]);
        int gpus = Integer.parseInt(args[3]);
        int runs = Integer.parseInt(args[4]);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AzureLoop loop = new AzureLoop(gpus);
        for (int run = 0; run < runs; run++) {
            try (TraceWorkload workload = loop.workload(trace, repeat, rate);
                    ReadAhead<SimRequest> requests = new ReadAhead<>(workload)) {
                Simulator simulator = loop.simulator();
                long gcMillis = gcMillis();
                long gcCount = gcCount();
                long allocated = threads.getCurrentThreadAllocatedBytes();
                long jitMillis = jit.getTotalCompilationTime();
                long processCpu = os.getProcessCpuTime();
                long faults = minorFaults();
                long loopCpu = threads.getCurrentThreadCpuTime();
                SimResult r = simulator.run(requests, 0);
                loopCpu = threads.getCurrentThreadCpuTime() - loopCpu;
                faults = faults < 0 ? -1 : minorFaults() - faults;
                allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
                processCpu = os.getProcessCpuTime() - processCpu;
                System.out.printf("run %d: %d requests; loop %.2f wall s (%.0f k/s), loop thread %.2f CPU s (%.0f k/s);"
                        + " in the loop: GC pauses %.2f s (%d collections), JIT compiling %.2f s, process CPU %.2f s,"
                        + " loop thread allocated %.0f bytes per request, %d page faults%n", run,
                        r.requests(), r.wallSeconds(), r.requests() / r.wallSeconds() / 1e3, loopCpu / 1e9,
                        r.requests() / (loopCpu / 1e9) / 1e3, (gcMillis() - gcMillis) / 1e3, gcCount() - gcCount,
                        (jit.getTotalCompilationTime() - jitMillis) / 1e3, processCpu / 1e9,
                        (double) allocated / r.requests(), faults);
            }
        }
    }

    /** The process's minor page faults so far ({@code /proc/self/stat}), or -1 where there is no such file. */
    private static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the command name (which may hold spaces, so split after its closing parenthesis):
            // state, ppid, pgrp, session, tty_nr, tpgid, flags, minflt
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[7]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long gcCount() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }
}
