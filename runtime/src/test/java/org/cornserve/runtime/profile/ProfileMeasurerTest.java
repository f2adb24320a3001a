package org.cornserve.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.task.UnitTask;
import org.junit.jupiter.api.Test;

/** How the profiler drives each task, without starting an executor. */
class ProfileMeasurerTest {
    private static Map<String, ProfileMeasurer.Shape> shapes(String model) {
        return ModelCatalog.builtIn().model(model).unitTasks(false).stream()
                .collect(Collectors.toMap(UnitTask::id, ProfileMeasurer::shape));
    }

    @Test
    void eachTinyTaskGetsTheShapeOfItsProfileKind() {
        assertEquals(Map.of("tiny-image/text-encoder", ProfileMeasurer.Shape.PREFILL_ONLY,
                "tiny-image/diffusion-transformer", ProfileMeasurer.Shape.DIFFUSION,
                "tiny-image/vae-decoder", ProfileMeasurer.Shape.BATCH), shapes("tiny-image"));
        assertEquals(Map.of("tiny-omni/vision-encoder", ProfileMeasurer.Shape.BATCH,
                "tiny-omni/audio-encoder", ProfileMeasurer.Shape.BATCH,
                "tiny-omni/llm", ProfileMeasurer.Shape.LLM,
                "tiny-omni/talker", ProfileMeasurer.Shape.LLM,
                "tiny-omni/vocoder", ProfileMeasurer.Shape.BATCH), shapes("tiny-omni"));
    }

    @Test
    void aVaeIsMeasuredOnTheLatentsOfTheDiffusionGridsImages() {
        List<UnitTask> tasks = ModelCatalog.builtIn().model("tiny-image").unitTasks(false);
        UnitTask dit = tasks.stream().filter(t -> t.id().endsWith("/diffusion-transformer")).findFirst().orElseThrow();
        UnitTask vae = tasks.stream().filter(t -> t.id().endsWith("/vae-decoder")).findFirst().orElseThrow();
        assertEquals(List.of(1L, 16L, 64L, 256L), ProfileMeasurer.itemTokens(dit, MeasureGrid.QUICK));
        // patch 2: an image token is 2 x 2 latent pixels
        assertEquals(List.of(4L, 64L, 256L, 1024L), ProfileMeasurer.itemTokens(vae, MeasureGrid.QUICK));
    }

    @Test
    void aModelWithoutAnEngineHereIsRefusedBeforeAnythingStarts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProfileMeasurer(null,
                Path.of("/nonexistent"), 1_000).measure("llama-3.1-8b", HardwareCatalog.builtIn().get("cpu"), 1, 1,
                MeasureGrid.QUICK, (d, n, w) -> { }));
        assertTrue(e.getMessage().contains("tiny-image"), e.getMessage());
    }

    /** Repetitions dealt over sweeps: every run dealt once, the first sweeps taking the remainder. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"5,1,5", "5,3,2;2;1", "5,5,1;1;1;1;1", "6,3,2;2;2", "7,2,4;3"})
    void aGridDealsItsRepetitionsOverItsSweeps(int repetitions, int passes, String expected) {
        MeasureGrid grid = new MeasureGrid(List.of(1), List.of(0L), List.of(1L), List.of(1), List.of(1L), repetitions)
                .withPasses(passes);
        List<Integer> runs = new java.util.ArrayList<>();
        for (int p = 0; p < passes; p++) {
            runs.add(grid.runsInPass(p));
        }
        assertEquals(expected, String.join(";", runs.stream().map(String::valueOf).toList()));
    }

    @Test
    void aGridRefusesMoreSweepsThanRepetitionsAndNone() {
        MeasureGrid one = new MeasureGrid(List.of(1), List.of(0L), List.of(1L), List.of(1), List.of(1L), 2);
        assertThrows(IllegalArgumentException.class, () -> one.withPasses(3));
        assertThrows(IllegalArgumentException.class, () -> one.withPasses(0));
        assertEquals(3, MeasureGrid.QUICK.passes());
    }

    @Test
    void aGridRefusesANonPositiveDiffusionTextLength() {
        assertThrows(IllegalArgumentException.class, () -> new MeasureGrid(List.of(1), List.of(0L), List.of(1L),
                List.of(1), List.of(1L), 1, 0));
    }

    /**
     * A point's latency: the fastest run's compute plus the task's median overhead (min), or the median wall time
     * (median), against hand computation; a slow outlier run moves the median of three, not the fastest.
     */
    @Test
    void theMinEstimatorKeepsTheFastestComputePlusTheMedianOverhead() {
        Measured min = new Measured(ProfileMeasurer.Shape.LLM, Measured.Estimator.MIN);
        Measured median = new Measured(ProfileMeasurer.Shape.LLM, Measured.Estimator.MEDIAN);
        for (Measured m : List.of(min, median)) {
            // overheads (wall - compute): 0.2, 0.3, 0.1, 0.2, 0.25 -> median 0.2
            m.add("a", 1.2, 1.0);
            m.add("a", 3.3, 3.0); // a run another process got in the way of
            m.add("a", 1.2, 1.1);
            m.add("b", 2.2, 2.0);
            m.add("b", 2.25, 2.0);
        }
        assertEquals(1.0 + 0.2, min.latencyMs("a"), 1e-12);
        assertEquals(2.0 + 0.2, min.latencyMs("b"), 1e-12);
        assertEquals(1.2, median.latencyMs("a"), 1e-12);
        assertEquals(2.225, median.latencyMs("b"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Measured.Estimator.byName("mean"));
        assertEquals(Measured.Estimator.MIN, Measured.Estimator.byName("min"));
    }
}
