package org.cornserve.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.model.profile.ProfileCosts;
import org.cornserve.model.profile.ProfileSource;
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.task.DiffusionTransformer;
import org.cornserve.model.task.UnitTask;
import org.cornserve.model.task.VaeDecoder;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The profiler drives a real executor process through a grid and leaves nothing behind. */
@Tag("integration")
class ProfileMeasurerIntegrationTest {
    private static final Hardware CPU = HardwareCatalog.builtIn().get("cpu");

    @TempDir
    Path shm;

    @Test
    @Timeout(180)
    void measuresTinyVlOnARealExecutor() throws Exception {
        // two runs per point, one in each of two sweeps of the grid
        MeasureGrid grid = new MeasureGrid(List.of(1, 2, 4), List.of(0L, 64L), List.of(1L, 16L, 64L, 128L),
                List.of(1, 2), List.of(1L, 16L), 2).withPasses(2);
        AtomicInteger last = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        ProfileMeasurer.Result r;
        try (LocalProcessLauncher launcher = new LocalProcessLauncher()) {
            r = new ProfileMeasurer(launcher, shm, 120_000).measure("tiny-vl", CPU, 1, 1, grid, (done, n, what) -> {
                assertEquals(last.get() + 1, done, "progress counts up by one");
                last.set(done);
                total.set(n);
            });
        }
        assertEquals(total.get(), last.get(), "progress reaches its total");
        assertEquals(2 * (2 * 2 + 4 + 3 * 2), total.get(), "every point once per sweep");
        List<Profile> ps = r.profiles().profiles();
        assertEquals(List.of("tiny-vl/vision-encoder", "tiny-vl/llm"), ps.stream().map(Profile::task).toList());
        for (Profile p : ps) {
            assertEquals(ProfileSource.MEASURED, p.source());
            assertEquals(1, p.tensorParallel());
            assertTrue(p.note().contains("roofline estimate answers"), p.note());
            assertOverheadInsideEveryStep(p);
        }
        Profile llm = ps.get(1);
        assertEquals(6, llm.decode().size());
        assertEquals(4, llm.prefill().size());
        // a longer prompt costs more: 128 tokens against 1 token, well beyond timer noise
        assertTrue(llm.prefill().get(3).latencyMs() > llm.prefill().get(0).latencyMs(), llm.prefill().toString());
        assertTrue(r.profiles().measurement().path("tasks").size() == 2);
        for (JsonNode task : r.profiles().measurement().path("tasks")) {
            assertEquals(2, task.path("runs_per_point_min").asInt(), task.toString());
            assertEquals(2, task.path("runs_per_point_max").asInt(), task.toString());
        }
        assertEquals(2, r.profiles().measurement().path("grid_passes").asInt());
        assertTrue(llm.note().contains("over 2 sweeps of the grid"), llm.note());
        assertTrue(r.profiles().measurement().path("frontiers").has("tiny-vl/llm"));
        // the machine it holds for, as this one reads it
        assertEquals(org.cornserve.model.hardware.CpuInfo.detect().map(c -> c.identity()),
                r.profiles().machineIdentity());
        assertNothingLeft();
    }

    /**
     * The host-sharing probe on two real single-slot executors at once: a slowdown per executor count (1 alone, at
     * least 1 for two), the medians it came from, and a profile file whose book carries it for the CPU only.
     */
    @Test
    @Timeout(300)
    void measuresHowTwoExecutorsOnThisHostSlowEachOther() throws Exception {
        MeasureGrid grid = new MeasureGrid(List.of(1, 2, 4), List.of(0L, 64L), List.of(1L, 16L, 64L, 128L),
                List.of(1, 2), List.of(1L, 16L), 1);
        ProfileMeasurer.Result r;
        try (LocalProcessLauncher launcher = new LocalProcessLauncher()) {
            r = new ProfileMeasurer(launcher, shm, 120_000).hostSharing(2).measure("tiny-omni",
                    Set.of("tiny-omni/llm"), CPU, 1, 1, grid, (d, n, w) -> { });
        }
        JsonNode sharing = r.profiles().measurement().path("host_sharing");
        JsonNode slowdown = sharing.path(ProfileBook.HOST_SLOWDOWN_FIELD);
        assertEquals(2, slowdown.size(), sharing.toString());
        assertEquals(1.0, slowdown.get(0).asDouble());
        assertTrue(slowdown.get(1).asDouble() >= 1 && slowdown.get(1).asDouble() < 50, sharing.toString());
        assertTrue(sharing.path("prefill_compute_ms_median").get(0).asDouble() > 0, sharing.toString());
        Path file = shm.resolveSibling(shm.getFileName() + "-profiles.json");
        org.cornserve.model.json.Json.write(file, r.profiles());
        ProfileBook book = ProfileBook.load(List.of(file));
        assertEquals(slowdown.get(1).asDouble(), book.hostSlowdown("cpu").get(1), 1e-12);
        assertEquals(List.of(), book.hostSlowdown("h100"));
        Files.delete(file);
        assertNothingLeft();
    }

    /**
     * tiny-image on the quick grid's points, two timed runs each in one sweep (the quick grid's five over three sweeps
     * make the fastest of them a steadier figure, not another path through the profiler): its text encoder gets a prefill-only llm profile, its diffusion transformer a
     * diffusion profile (one denoising step per point), its VAE decoder a batch profile over the latents of the
     * DiT's images; and the simulator's cost lookup (the book, then the profile's costs, as {@code DeploymentBuilder}
     * does) answers the image app's request from the measured points, not from the roofline.
     */
    @Test
    @Timeout(900)
    void measuresEveryTaskOfTinyImageOnTheQuickGridsPoints() throws Exception {
        MeasureGrid q = MeasureGrid.QUICK;
        MeasureGrid grid = new MeasureGrid(q.decodeBatches(), q.contextTokens(), q.prefillTokens(), q.batchItems(),
                q.tokensPerItem(), 2);
        ProfileMeasurer.Result r;
        try (LocalProcessLauncher launcher = new LocalProcessLauncher()) {
            r = new ProfileMeasurer(launcher, shm, 120_000).measure("tiny-image", CPU, 1, 1, grid, (d, n, w) -> { });
        }
        assertEquals(List.of(), r.skipped(), "every task of tiny-image is measured");
        assertTrue(r.profiles().measurement().path("not_measured").isEmpty());
        List<Profile> ps = r.profiles().profiles();
        assertEquals(List.of("tiny-image/text-encoder", "tiny-image/diffusion-transformer", "tiny-image/vae-decoder"),
                ps.stream().map(Profile::task).toList());
        Profile text = ps.get(0);
        Profile dit = ps.get(1);
        Profile vae = ps.get(2);
        assertEquals(Profile.Kind.LLM, text.kind());
        assertEquals(List.of(), text.decode(), "a text encoder never decodes");
        assertEquals(grid.prefillTokens(), text.prefill().stream().map(Profile.PrefillPoint::tokens).toList());
        assertTrue(text.kvBytesPerToken() > 0);
        assertEquals(Profile.Kind.DIFFUSION, dit.kind());
        assertEquals(Profile.Kind.BATCH, vae.kind());
        assertCovers(dit, grid.batchItems(), grid.tokensPerItem());
        // a VAE item of k image tokens is a latent of k x patch^2 pixels: 4, 64, 256, 1024 for the quick grid
        assertCovers(vae, grid.batchItems(), List.of(4L, 64L, 256L, 1024L));
        for (Profile p : ps) {
            assertEquals(ProfileSource.MEASURED, p.source());
            assertEquals(1, p.tensorParallel());
            assertOverheadInsideEveryStep(p);
        }
        Set<String> kinds = new HashSet<>();
        for (JsonNode t : r.profiles().measurement().path("tasks")) {
            kinds.add(t.path("kind").asText());
            String fit = switch (t.path("kind").asText()) {
                case "llm" -> "prefill_fit";
                case "diffusion" -> "step_fit";
                default -> "batch_fit";
            };
            assertTrue(t.path(fit).path("points_held_back").asInt() > 0, t.toString());
            assertTrue(t.path(fit).path("held_back_mean_relative_error").asDouble() >= 0, t.toString());
        }
        assertEquals(Set.of("llm", "diffusion", "batch"), kinds);
        assertTrue(r.profiles().measurement().path("frontiers").path("tiny-image/diffusion-transformer")
                .path("pareto_frontier").size() > 0);

        // the simulator's lookup: the default request (a 64-token prompt, a 256 x 256 image) falls inside the grids
        ModelSpec spec = ModelCatalog.builtIn().model("tiny-image");
        DiffusionTransformer ditSpec = spec.diffusionTransformer().orElseThrow();
        VaeDecoder vaeSpec = spec.vaeDecoder().orElseThrow();
        long imageTokens = ditSpec.defaultImageTokens();
        long latentPixels = (long) (ditSpec.defaultWidthPx() / vaeSpec.spatialCompression())
                * (ditSpec.defaultHeightPx() / vaeSpec.spatialCompression());
        ProfileBook book = new ProfileBook(ps);
        RooflineTaskCosts roofline = new RooflineTaskCosts(CPU);
        ProfileCosts.Fallbacks fallbacks = new ProfileCosts.Fallbacks();
        for (UnitTask t : spec.unitTasks(false)) {
            Profile p = book.find(t.id(), CPU.name(), 1).orElseThrow(() -> new AssertionError("no profile " + t.id()));
            switch (roofline.cost(t, 1)) {
                case TaskCost.Llm l -> {
                    LlmCost cost = ProfileCosts.llm(p, l.cost(), fallbacks);
                    assertEquals(pointMs(text, 64) / 1e3, cost.iterationSeconds(64, 64L * 65 / 2, 0, 0), 1e-12);
                }
                case TaskCost.Diffusion d -> {
                    DiffusionCost cost = ProfileCosts.diffusion(p, d.cost(), fallbacks);
                    assertEquals(batchMs(dit, 1, imageTokens) / 1e3, cost.stepSeconds(1, imageTokens), 1e-12);
                }
                case TaskCost.Batch b -> {
                    BatchCost cost = ProfileCosts.batch(p, b.cost(), fallbacks);
                    assertEquals(batchMs(vae, 1, latentPixels) / 1e3, cost.batchSeconds(1, latentPixels), 1e-12);
                }
            }
        }
        assertEquals(3, fallbacks.queries());
        assertEquals(0, fallbacks.outsideGrid(), "the default request is answered by measured points");
        assertNothingLeft();
    }

    private static void assertCovers(Profile p, List<Integer> items, List<Long> tokens) {
        assertEquals(items.size() * tokens.size(), p.batch().size(), p.task());
        for (int n : items) {
            for (long k : tokens) {
                assertTrue(batchMs(p, n, k) > 0, p.task() + " " + n + " x " + k);
            }
        }
    }

    private static double batchMs(Profile p, int items, long tokensPerItem) {
        return p.batch().stream().filter(b -> b.items() == items && b.tokensPerItem() == tokensPerItem).findFirst()
                .orElseThrow(() -> new AssertionError(p.task() + " has no point " + items + " x " + tokensPerItem))
                .latencyMs();
    }

    private static double pointMs(Profile p, long tokens) {
        return p.prefill().stream().filter(q -> q.tokens() == tokens).findFirst().orElseThrow().latencyMs();
    }

    /**
     * The per-iteration overhead (round trip minus the executor's compute, not clamped) is positive (a frame crosses a
     * socket and two JSON codecs each way) and smaller than the median measured step, which contains it.
     */
    private static void assertOverheadInsideEveryStep(Profile p) {
        double[] latencies = Stream.of(p.decode().stream().mapToDouble(Profile.DecodePoint::latencyMs),
                p.prefill().stream().mapToDouble(Profile.PrefillPoint::latencyMs),
                p.batch().stream().mapToDouble(Profile.BatchPoint::latencyMs))
                .flatMapToDouble(s -> s).toArray();
        double median = Fits.median(latencies);
        assertTrue(p.cpuOverheadMs() > 0 && p.cpuOverheadMs() < median, p.task() + ": overhead "
                + p.cpuOverheadMs() + " ms against a median step of " + median + " ms");
    }

    private void assertNothingLeft() throws Exception {
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file left");
        }
    }
}
