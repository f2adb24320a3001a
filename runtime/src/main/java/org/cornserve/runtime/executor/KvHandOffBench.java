package org.cornserve.runtime.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * The cost of a prefill/decode hand-off per request, on the real runners and the shared-memory sidecar: a
 * {@code tiny-omni/llm:prefill} runner prefills each prompt and hands its KV cache on (export into a segment in
 * /dev/shm), a {@code tiny-omni/llm:decode} runner opens the invocation (reads and releases the segment) and imports
 * it at its first decode step. Prints the export, read, import and total times at P50 and P99 over the requests, and
 * the hand-off's size.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp cli/target/cornserve.jar
 * org.cornserve.runtime.executor.KvHandOffBench REQUESTS.csv [WARMUP]}: prompt lengths from the {@code input_tokens}
 * column of a run's {@code requests.csv} ({@code cornserve validate}'s {@code measured/requests.csv}), each request
 * handed over once after {@code WARMUP} (default 50) unmeasured ones; or a number {@code N} instead of the file for N
 * prompts of 16 to 1024 tokens (seeded).
 */
public final class KvHandOffBench {
    private KvHandOffBench() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: KvHandOffBench REQUESTS.csv|N [WARMUP]");
            System.exit(2);
        }
        int[] prompts = prompts(args[0]);
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        String session = "bench" + ProcessHandle.current().pid();
        List<long[]> measured = new ArrayList<>();
        long bytes = 0;
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, 1);
                SharedMemorySidecar sidecar = SharedMemorySidecar.onDevShm(session, "x", 30_000)) {
            LlmRunner prefill = (LlmRunner) TaskRunners.create("tiny-omni/llm:prefill", 1, k, sidecar, 8192, 4, true);
            LlmRunner decode = (LlmRunner) TaskRunners.create("tiny-omni/llm:decode", 1, k, sidecar, 8192, 4, true);
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < warmup + prompts.length; i++) {
                int n = prompts[i % prompts.length];
                int[] prompt = new int[n];
                prompt[0] = 1;
                for (int t = 1; t < n; t++) {
                    prompt[t] = 32 + rnd.nextInt(90);
                }
                prefill.open(new ExecutorCommand.Open(i, "tiny-omni/llm:prefill", prompt, List.of(), null, 8, 0, 1,
                        false, 1));
                StepOutcome out = new StepOutcome();
                prefill.step(new ExecutorCommand.RunStep(i, prefill.task(), List.of(new ExecutorCommand.StepItem(i,
                        ExecutorCommand.ItemKind.PREFILL, 0, n)), 1), out, () -> false);
                TensorRef handoff = out.report(i, 0).outputs().get(0).tensor();
                if (i >= warmup) {
                    bytes += handoff.bytes();
                }
                decode.open(new ExecutorCommand.Open(i, "tiny-omni/llm:decode", prompt, List.of(handoff), null, 8, 0,
                        1, false, 0));
                decode.step(new ExecutorCommand.RunStep(i, decode.task(), List.of(new ExecutorCommand.StepItem(i,
                        ExecutorCommand.ItemKind.DECODE, n, 1)), 1), new StepOutcome(), () -> false);
                decode.close(i);
                long[] prefillSide = prefill.lastHandOffNanos();
                long[] decodeSide = decode.lastHandOffNanos();
                if (i >= warmup) {
                    measured.add(new long[] {prefillSide[0], decodeSide[1], decodeSide[2],
                            prefillSide[0] + decodeSide[1] + decodeSide[2]});
                }
            }
        }
        String[] names = {"export (prefill side, into shared memory)", "read + release (decode side)",
                "import (decode cache)", "hand-off in all"};
        int[] sorted = prompts.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%d hand-offs after %d warm-up; prompts P50 %d, P99 %d tokens; %.1f KB each on"
                + " average%n", measured.size(), warmup, sorted[sorted.length / 2],
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.99 * sorted.length) - 1)],
                bytes / 1024.0 / Math.max(1, measured.size()));
        for (int c = 0; c < names.length; c++) {
            long[] v = new long[measured.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = measured.get(i)[c];
            }
            Arrays.sort(v);
            System.out.printf(Locale.ROOT, "%-44s P50 %.3f ms  P99 %.3f ms  max %.3f ms%n", names[c],
                    v[v.length / 2] / 1e6, v[Math.min(v.length - 1, (int) Math.ceil(0.99 * v.length) - 1)] / 1e6,
                    v[v.length - 1] / 1e6);
        }
    }

    private static int[] prompts(String arg) throws IOException {
        if (arg.matches("\\d+")) {
            SplittableRandom rnd = new SplittableRandom(7);
            int[] p = new int[Integer.parseInt(arg)];
            for (int i = 0; i < p.length; i++) {
                p[i] = 16 + rnd.nextInt(1009);
            }
            return p;
        }
        List<String> lines = Files.readAllLines(Path.of(arg));
        int column = Arrays.asList(lines.get(0).split(",")).indexOf("input_tokens");
        if (column < 0) {
            throw new IllegalArgumentException(arg + ": line 1 has no input_tokens column");
        }
        int[] p = new int[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            String field = lines.get(i).split(",")[column];
            try {
                p[i - 1] = Integer.parseInt(field);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(arg + ": line " + (i + 1) + ": input_tokens '" + field
                        + "' is not a number", e);
            }
        }
        return p;
    }
}
