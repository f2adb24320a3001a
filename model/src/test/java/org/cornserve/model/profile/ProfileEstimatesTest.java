package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileEstimatesTest {

    private static final ProfileSampler SMALL = new ProfileSampler(List.of(1, 8, 64), List.of(0L, 1024L, 8192L),
            List.of(16L, 1024L, 8192L), List.of(1, 8), List.of(16L, 1024L));

    @Test
    void everyCatalogModelOnEveryHardwareHasFinitePositiveEstimates() {
        for (Hardware hw : HardwareCatalog.builtIn().all()) {
            for (ModelSpec model : ModelCatalog.builtIn().models()) {
                ProfileSet set = ProfileEstimates.estimate(model, hw, List.of(1, 2, 4, 8), SMALL, RooflineEstimator.Options.DEFAULT);
                assertFalse(set.profiles().isEmpty(), model.name() + " on " + hw.name());
                for (Profile p : set.profiles()) {
                    assertEquals(ProfileSource.ESTIMATED, p.source());
                    p.decode().forEach(d -> assertTrue(Double.isFinite(d.latencyMs()) && d.latencyMs() > 0, p.task()));
                    p.prefill().forEach(d -> assertTrue(Double.isFinite(d.latencyMs()) && d.latencyMs() > 0, p.task()));
                    p.batch().forEach(d -> assertTrue(Double.isFinite(d.latencyMs()) && d.latencyMs() > 0, p.task()));
                }
                // every unit task has at least its tp=1 profile
                for (var task : model.unitTasks(true)) {
                    assertTrue(set.find(task.id(), 1).isPresent(), task.id());
                }
            }
        }
    }

    @Test
    void largerHardwareIsFasterForTheSameWork() {
        ModelSpec llama = ModelCatalog.builtIn().model("llama-3.1-8b");
        HardwareCatalog hw = HardwareCatalog.builtIn();
        var task = llama.unitTasks(false).get(0);
        double h100 = ((TaskCost.Llm) new RooflineTaskCosts(hw.get("h100")).cost(task, 1)).cost().iterationSeconds(0, 0, 1, 1024);
        double a100 = ((TaskCost.Llm) new RooflineTaskCosts(hw.get("a100-80gb")).cost(task, 1)).cost().iterationSeconds(0, 0, 1, 1024);
        double l40s = ((TaskCost.Llm) new RooflineTaskCosts(hw.get("l40s")).cost(task, 1)).cost().iterationSeconds(0, 0, 1, 1024);
        assertTrue(h100 < a100 && a100 < l40s, h100 + " " + a100 + " " + l40s);
    }

    @Test
    void profileSetRoundTripsThroughAFile(@TempDir Path dir) throws Exception {
        ModelSpec model = ModelCatalog.builtIn().model("tiny-omni");
        ProfileSet set = ProfileEstimates.estimate(model, HardwareCatalog.builtIn().get("cpu"), List.of(1), SMALL,
                RooflineEstimator.Options.DEFAULT);
        Path file = dir.resolve("tiny.json");
        Json.write(file, set);
        assertEquals(set, Json.read(file, ProfileSet.class));
        Files.writeString(file, Files.readString(file).replaceFirst("\"tensor_parallel\"", "\"tensor_paralel\""));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> Json.read(file, ProfileSet.class));
        assertTrue(e.getMessage().contains("tiny.json") && e.getMessage().contains("tensor_parallel"), e.getMessage());
    }
}
