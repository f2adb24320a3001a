package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cornserve.model.Modality;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The resource manager moves a device slot from one deployment to another while serving. */
@Tag("integration")
class SlotMoveIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;


    @Test
    @Timeout(300)
    void aSlotMovesFromTheVisionModelToTheImageModelWhileServing() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        try (ControlPlane runtime = Runtimes.start(PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-vl-two-image-one.json")), DeviceSlots.parse("cpu:3"),
                RuntimeOptions.defaults().withShmDir(shm))) {
            CollectingSink during = new CollectingSink();
            runtime.invoke(new ModelRequest("tiny-vl", "still served?", List.of(), List.of(), 24, 0, 1, Set.of()),
                    during);
            String move = runtime.moveSlot("vl", "image").get(10, TimeUnit.SECONDS);
            assertTrue(move.contains("vl replica 1") && move.contains("image replica 1"), move);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (runtime.stats().deployments().get(1).readyReplicas() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            RuntimeStats stats = runtime.stats();
            assertEquals(2, stats.deployments().get(1).readyReplicas(), stats.toString());
            assertTrue(during.await(60));
            assertNull(during.failure, () -> "a request running during the move is served: " + during.failure);
            while (runtime.stats().deployments().get(0).readyReplicas() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, runtime.stats().deployments().get(0).readyReplicas(), "the drained replica stopped");
            CollectingSink image = new CollectingSink();
            runtime.invoke(new ModelRequest("tiny-image", "a boat", List.of(), List.of(), 1, 0, 1,
                    Set.of(Modality.IMAGE)), image);
            assertTrue(image.await(120));
            assertNull(image.failure, () -> "failed: " + image.failure);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> runtime.moveSlot("vl", "image").get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("keeps at least one"), e.getCause().getMessage());
        }
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
