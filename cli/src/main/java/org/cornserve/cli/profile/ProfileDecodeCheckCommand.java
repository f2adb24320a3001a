package org.cornserve.cli.profile;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cornserve.cli.progress.ProgressBar;
import org.cornserve.runtime.control.DeviceSlots;
import org.cornserve.runtime.control.RuntimeOptions;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.cornserve.runtime.profile.DecodeShapeProbe;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cornserve profile decode-check}: decode steps of one real executor with the profiler's sequences (equal
 * contexts, greedy) against served-like ones (ragged contexts, sampled), paired ({@link DecodeShapeProbe}).
 */
@Command(name = "decode-check", mixinStandardHelpOptions = true,
        description = "Time an LLM's decode steps on one real executor with equal against ragged contexts and greedy"
                + " against sampled tokens, the variants taking turns so that their ratios are paired; prints the"
                + " per-iteration compute per variant and batch and the cost per extra sequence.")
public final class ProfileDecodeCheckCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = "tiny-omni", description = "a tiny model with an LLM (default"
            + " ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--devices", defaultValue = "cpu:2", description = "the executor's device slots, cpu:N (its"
            + " threads: N x threads per slot) (default ${DEFAULT-VALUE})")
    String devices;

    @Option(names = "--threads", paramLabel = "N", description = "the executor's compute threads (default: the"
            + " devices' threads, as a replica of that many slots gets)")
    Integer threads;

    @Option(names = "--context", defaultValue = "256", description = "mean context tokens of every batch (default"
            + " ${DEFAULT-VALUE})")
    long context;

    @Option(names = "--batches", defaultValue = "1,2,3,4,8", split = ",", description = "decode batches (default"
            + " ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--rounds", defaultValue = "6", description = "rounds, each variant and batch once per round"
            + " (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--steps", defaultValue = "3", description = "timed decode steps per variant, batch and round"
            + " (default ${DEFAULT-VALUE})")
    int steps;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DeviceSlots slots = DeviceSlots.parse(devices);
        ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), "decode check");
        long iterations = RuntimeOptions.defaults().maxRunIterations();
        int n = threads != null ? threads : slots.count() * slots.threadsPerSlot();
        List<DecodeShapeProbe.Point> points;
        try (LocalProcessLauncher launcher = new LocalProcessLauncher()) {
            points = new DecodeShapeProbe(launcher, SharedMemorySidecar.DEV_SHM, 120_000, iterations)
                    .measure(model, n, context, batches, rounds, steps,
                            bar::update);
        }
        out.printf(Locale.ROOT, "%s, one executor of %d thread(s), %d iterations per step, %d rounds x %d steps;"
                + " compute ms per iteration:%n", model, slots.count() * slots.threadsPerSlot(), iterations, rounds,
                steps);
        out.print(DecodeShapeProbe.table(points));
        out.flush();
        return 0;
    }
}
