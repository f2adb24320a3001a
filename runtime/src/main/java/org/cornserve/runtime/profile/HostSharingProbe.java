package org.cornserve.runtime.profile;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cornserve.model.json.Json;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.model.task.UnitTask;
import org.cornserve.runtime.launch.ExecutorLauncher;

/**
 * Measures how executors that share this host's CPU slow each other: {@code maxExecutors} single-slot executors
 * (the runtime's one executor per replica) run the same LLM steps (a prefill and a decode step of several sequences,
 * as served): one alone, then {@code k = 2..maxExecutors} of them at once, each driven from its own thread back to
 * back so that their steps overlap; the counts take turns in {@link #BLOCKS} short blocks, so that a change in the
 * machine's other load (a shared machine's builds come and go) falls on every count alike instead of on one. The slowdown at {@code k} is the median over both kinds of step of
 * (median compute at {@code k}) / (median compute alone): what the simulator charges, as processor sharing, while
 * {@code k} executors of one host compute at once ({@code simulator.config.HostSharing}). Written into a measured
 * set's {@code measurement.host_sharing}.
 */
final class HostSharingProbe {
    /** Probe rounds per executor and count, in {@link #BLOCKS} turns; {@link #WARMUP} rounds each before, not kept. */
    static final int ROUNDS = 24;
    static final int BLOCKS = 4;
    static final int WARMUP = 6;
    /** The probe's prefill tokens and decode batch: a served prefill chunk of the demo's mix and a few sequences. */
    static final long PREFILL_TOKENS = 256;
    static final int DECODE_BATCH = 4;

    private HostSharingProbe() {
    }

    /**
     * @return {@code host_sharing}: {@code slowdown_by_busy_executors} (element k-1 for k executors at once),
     *     the medians it came from, the cores and threads
     */
    static ObjectNode measure(ExecutorLauncher launcher, Path shmDir, long startupTimeoutMillis, int maxExecutors,
            int threadsPerExecutor, UnitTask llm, MeasureGrid grid, long decodeIterations) {
        List<ExecutorDriver> drivers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(maxExecutors, r -> {
            Thread t = new Thread(r, "host-sharing-probe");
            t.setDaemon(true);
            return t;
        });
        // the probe's own grid sizes each executor's KV cache: its decoding sequences grow by the iterations of every
        // round it runs (warm-up, then each count it takes part in)
        long context = PREFILL_TOKENS + decodeIterations * (WARMUP + (long) ROUNDS * maxExecutors) + 64;
        MeasureGrid probeGrid = new MeasureGrid(List.of(DECODE_BATCH + 1), List.of(context), List.of(PREFILL_TOKENS),
                List.of(1), List.of(1L), 1, grid.diffusionTextTokens());
        try {
            for (int i = 0; i < maxExecutors; i++) {
                drivers.add(new ExecutorDriver(launcher, shmDir, startupTimeoutMillis, "share" + i, threadsPerExecutor,
                        List.of(llm), probeGrid, decodeIterations, true, Measured.Estimator.MIN));
            }
            List<List<Long>> decoding = new ArrayList<>();
            for (ExecutorDriver d : drivers) { // warm-up, one at a time
                List<Long> seqs = new ArrayList<>();
                for (int r = 0; r < WARMUP; r++) {
                    d.probeRound(llm, PREFILL_TOKENS, DECODE_BATCH, seqs);
                }
                decoding.add(seqs);
            }
            List<List<double[]>> byCount = new ArrayList<>();
            for (int k = 1; k <= maxExecutors; k++) {
                byCount.add(new ArrayList<>());
            }
            for (int block = 0; block < BLOCKS; block++) {
                for (int k = 1; k <= maxExecutors; k++) {
                    List<Future<List<double[]>>> runs = new ArrayList<>();
                    for (int i = 0; i < k; i++) {
                        ExecutorDriver d = drivers.get(i);
                        List<Long> seqs = decoding.get(i);
                        runs.add(pool.submit(() -> {
                            List<double[]> out = new ArrayList<>();
                            for (int r = 0; r < ROUNDS / BLOCKS; r++) {
                                out.add(d.probeRound(llm, PREFILL_TOKENS, DECODE_BATCH, seqs));
                            }
                            return out;
                        }));
                    }
                    for (Future<List<double[]>> f : runs) {
                        byCount.get(k - 1).addAll(f.get());
                    }
                }
            }
            double[][] medians = new double[maxExecutors][];
            for (int k = 1; k <= maxExecutors; k++) {
                medians[k - 1] = new double[] {median(byCount.get(k - 1), 0), median(byCount.get(k - 1), 1)};
            }
            ObjectNode out = Json.mapper().createObjectNode();
            ArrayNode slowdown = out.putArray(ProfileBook.HOST_SLOWDOWN_FIELD);
            ArrayNode prefill = out.putArray("prefill_compute_ms_median");
            ArrayNode decode = out.putArray("decode_iteration_compute_ms_median");
            for (int k = 1; k <= maxExecutors; k++) {
                double p = medians[k - 1][0] / medians[0][0];
                double d = medians[k - 1][1] / medians[0][1];
                // the median of two is their mean; k = 1 is 1 by construction
                slowdown.add(k == 1 ? 1.0 : Math.max(1.0, (p + d) / 2));
                prefill.add(medians[k - 1][0]);
                decode.add(medians[k - 1][1]);
            }
            out.put("cores", Runtime.getRuntime().availableProcessors());
            out.put("threads_per_executor", threadsPerExecutor);
            out.put("probe", String.format(java.util.Locale.ROOT, "%s: %d rounds per executor of a %d-token prefill"
                    + " and a decode step of %d sequences x %d iterations, k executors at once, the counts taking turns"
                    + " in %d blocks", llm.id(), ROUNDS,
                    PREFILL_TOKENS, DECODE_BATCH, decodeIterations, BLOCKS));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("host-sharing probe interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("host-sharing probe failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
            for (ExecutorDriver d : drivers) {
                d.close();
            }
        }
    }

    private static double median(List<double[]> runs, int column) {
        double[] v = runs.stream().mapToDouble(a -> a[column]).toArray();
        Arrays.sort(v);
        return Fits.median(v);
    }
}
