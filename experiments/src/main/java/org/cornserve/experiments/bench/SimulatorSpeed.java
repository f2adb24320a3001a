package org.cornserve.experiments.bench;

import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.SimResult;

/**
 * Times the simulator end to end on the synthetic Llama-3.1-8B workload: {@code java ... SimulatorSpeed
 * REQUESTS RATE REPLICAS}. Prints simulated requests per wall second and the run's headline figures.
 */
public final class SimulatorSpeed {
    private SimulatorSpeed() {
    }

    public static void main(String[] args) {
        long count = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 200;
        int replicas = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        Simulator sim = new Simulator(LlamaWorkloads.llamaPlan(replicas));
        SimResult r = sim.run(LlamaWorkloads.workload(count, rate, 1));
        System.out.printf("%d requests (%d completed) in %.2f wall s = %.0f requests/s; %d events (+%d superseded);"
                + " simulated %.0f s; TTFT p50 %.1f p99 %.1f ms; TPOT p50 %.2f p99 %.2f ms; utilization %.2f%n",
                r.requests(), r.completed(), r.wallSeconds(), r.requests() / r.wallSeconds(), r.events(),
                r.staleEvents(), r.simulatedSeconds(), r.ttftMs().p50(), r.ttftMs().p99(), r.tpotMs().p50(),
                r.tpotMs().p99(), r.deployments().get(0).utilization());
    }
}
