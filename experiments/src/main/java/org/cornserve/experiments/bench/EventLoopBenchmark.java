package org.cornserve.experiments.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.event.EventQueue;
import org.cornserve.simulator.event.SimEvent;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.plan.TraceWorkload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the simulator's event loop.
 * <ul>
 *   <li>{@code queueHold}: the classic hold model on the event queue: with {@code pending} events queued, pop
 *       the earliest and push one a random time later (time per pop+push);</li>
 *   <li>{@code simulateLlama}: the whole simulator (core, batching, fast path, metrics) on 20,000
 *       conversation requests against 16 Llama-3.1-8B H100 replicas (time per simulated request);</li>
 *   <li>{@code simulateAzure}: the loop of the million-request command ({@code cornserve simulate --model
 *       llama-3.1-8b --hardware h100-sxm --gpus 16 --strategy monolithic --trace TRACE --repeat 52 --rate 100}: the
 *       same plan, scaling, trace and records kept) on its requests read into memory beforehand, with the JIT warm
 *       (time per whole run; requests per second = the run's requests, printed at set-up, over it). The trace is
 *       {@code -p azureTrace=PATH} (default: the shared Azure conversation trace, from the worktree's root).</li>
 * </ul>
 * Run: {@code mvn -q -pl cli -am package -DskipTests} then
 * {@code java -cp cli/target/cornserve.jar org.openjdk.jmh.Main EventLoopBenchmark} (one benchmark:
 * {@code ... org.openjdk.jmh.Main 'EventLoopBenchmark.simulateAzure'}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EventLoopBenchmark {
    private static final int REQUESTS = 20_000;
    private static final int HOLD_OPS = 1_000;

    /** An event queue holding {@code pending} events. */
    @State(Scope.Thread)
    public static class Hold {
        @Param({"1000", "100000"})
        public int pending;

        EventQueue<SimEvent> queue;
        SplittableRandom random;
        final SimEvent.Wake event = new SimEvent.Wake(0, 0);

        @Setup(Level.Trial)
        public void setUp() {
            random = new SplittableRandom(1);
            queue = new EventQueue<>();
            for (int i = 0; i < pending; i++) {
                queue.push(random.nextLong(1_000_000), 0, event);
            }
        }
    }

    /** A materialised workload, so the benchmark times the simulation, not the generator. */
    @State(Scope.Benchmark)
    public static class Workload {
        List<SimRequest> requests;

        @Setup(Level.Trial)
        public void setUp() {
            requests = LlamaWorkloads.materialise(REQUESTS, 200, 1);
        }
    }

    /** The million-request command's requests, read into memory (about 60 MB of requests sharing their graphs). */
    @State(Scope.Benchmark)
    public static class AzureRequests {
        @Param({"../shared/traces/AzureLLMInferenceTrace_conv.csv"})
        public String azureTrace;
        @Param({"52"})
        public int repeat;
        @Param({"100"})
        public double rate;

        AzureLoop loop;
        List<SimRequest> requests;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            loop = new AzureLoop(16);
            requests = new ArrayList<>();
            try (TraceWorkload workload = loop.workload(Path.of(azureTrace), repeat, rate)) {
                workload.forEachRemaining(requests::add);
            }
            System.out.println("simulateAzure: " + requests.size() + " requests per run");
        }
    }

    @Benchmark
    @OperationsPerInvocation(HOLD_OPS)
    public long queueHold(Hold hold) {
        long sum = 0;
        EventQueue<SimEvent> queue = hold.queue;
        for (int i = 0; i < HOLD_OPS; i++) {
            queue.poll();
            long now = queue.now();
            queue.push(now + hold.random.nextLong(1_000_000), i & 3, hold.event);
            sum += now;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public SimResult simulateLlama(Workload workload) {
        return new Simulator(LlamaWorkloads.llamaPlan(16)).run(workload.requests.iterator());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public SimResult simulateAzure(AzureRequests azure) {
        return azure.loop.simulator().run(azure.requests.iterator());
    }
}
