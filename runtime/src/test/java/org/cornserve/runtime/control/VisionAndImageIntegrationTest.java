package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.cornserve.model.Modality;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.runtime.engine.EngineRunner;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** tiny-vl (vision encoder + LLM) and tiny-image (text encoder, diffusion transformer, VAE) served for real. */
@Tag("integration")
class VisionAndImageIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;


    @Test
    @Timeout(300)
    void aVisionRequestMatchesTheEngineRunnerAndAnImageRequestReturnsAPng() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        Path tmp = Files.createTempDirectory(itRoot, "cornserve-it-out");
        byte[] png = ControlPlaneIntegrationTest.png(70, 84, 9);
        Files.write(tmp.resolve("in.png"), png);
        EngineRunner.RunResult expected;
        EngineRunner.RunResult expectedImage;
        try (Kernels k = Kernels.create(Kernels.Choice.AUTO, 1)) {
            expected = new EngineRunner(TinyModels.Model.TINY_VL, k, 1, null).run(new EngineRunner.RunRequest(
                    "What is it?", tmp.resolve("in.png"), null, 7, 4, 0, 256, tmp.resolve("vl")));
            expectedImage = new EngineRunner(TinyModels.Model.TINY_IMAGE, k, 1, null).run(new EngineRunner.RunRequest(
                    "a red boat", null, null, 1, 5, 0, 256, tmp.resolve("img")));
        }
        try (ControlPlane runtime = Runtimes.start(PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-vl-image-cpu.json")), DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withRequestTimeoutMillis(120_000))) {
            CollectingSink vl = new CollectingSink();
            CollectingSink image = new CollectingSink();
            runtime.invoke(new ModelRequest("tiny-vl", "What is it?", List.of(png), List.of(), 7, 0, 4, Set.of()), vl);
            runtime.invoke(new ModelRequest("tiny-image", "a red boat", List.of(), List.of(), 1, 0, 5,
                    Set.of(Modality.IMAGE)), image);
            assertTrue(vl.await(120) && image.await(120));
            assertNull(vl.failure, () -> "failed: " + vl.failure);
            assertEquals(new ByteTokenizer().decode(expected.tokens()).replace("\uFFFD", ""),
                    vl.text.toString().replace("\uFFFD", ""), "served text equals the in-process engine's");
            assertEquals(expected.tokens().length, vl.usage.completionTokens());
            assertNull(image.failure, () -> "failed: " + image.failure);
            assertEquals(1, image.images.size());
            BufferedImage served = ImageIO.read(new ByteArrayInputStream(image.images.get(0)));
            BufferedImage local = ImageIO.read(expectedImage.files().get(0).toFile());
            assertEquals(256, served.getWidth());
            int[] a = served.getRGB(0, 0, 256, 256, null, 0, 256);
            int[] b = local.getRGB(0, 0, 256, 256, null, 0, 256);
            assertArrayEquals(b, a, "the served image equals the in-process engine's, pixel for pixel");
        }
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
