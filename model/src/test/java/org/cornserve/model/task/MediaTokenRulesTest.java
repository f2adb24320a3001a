package org.cornserve.model.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Image, audio and video token rules against worked examples (arithmetic shown in each case). */
class MediaTokenRulesTest {
    private final ModelCatalog catalog = ModelCatalog.builtIn();

    private long image(String model, int w, int h) {
        return catalog.model(model).mediaTokens(MediaItem.imagePixels(w, h));
    }

    @ParameterizedTest(name = "qwen2.5-vl-7b {0}x{1} -> {2}")
    @CsvSource({
        // 448/28 = 16 -> 16 x 16
        "448, 448, 256",
        // W 1920/28 = 68.57 -> 69, H 1080/28 = 38.57 -> 39 (round to nearest)
        "1920, 1080, 2691",
        // 1024/28 = 36.57 -> 37, 768/28 = 27.43 -> 27
        "1024, 768, 999",
        // 10x10 rounds to 28x28 = 784 < 3136: beta = sqrt(3136/100) = 5.6 -> ceil(56/28) = 2 per side
        "10, 10, 4",
        // 5000x3000: 5012x2996 > 12845056; beta = sqrt(15e6/12845056) = 1.0806 -> floor(4626.9/28) = 165, floor(2776.1/28) = 99
        "5000, 3000, 16335",
    })
    void qwenSmartResize(int w, int h, long tokens) {
        assertEquals(tokens, image("qwen2.5-vl-7b", w, h));
        assertEquals(tokens, image("qwen2.5-omni-7b", w, h));
    }

    @Test
    void smartResizeKeepsSidesMultiplesOfTheFactorAndAreaInBounds() {
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 2000; i++) {
            int w = 1 + rnd.nextInt(6000);
            int h = Math.max(1, Math.min(6000, (int) (w * (0.2 + 4 * rnd.nextDouble()))));
            ImageTokens.Size s = ImageTokens.smartResize(w, h, 28, 3136, 12845056);
            assertEquals(0, s.widthPx() % 28);
            assertEquals(0, s.heightPx() % 28);
            long area = (long) s.widthPx() * s.heightPx();
            assertTrue(area <= 12845056 && area >= 3136, w + "x" + h + " -> " + s);
            // aspect ratio is kept within one factor step on each side
            assertTrue(Math.abs(s.widthPx() / (double) s.heightPx() - w / (double) h) <= (w / (double) h) * 0.5 + 0.5,
                    w + "x" + h + " -> " + s);
        }
    }

    @Test
    void smartResizeAgreesWithThePythonReference() throws Exception {
        java.util.List<String> lines;
        try (var in = MediaTokenRulesTest.class.getResourceAsStream("/reference/smart_resize.txt")) {
            lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#")).toList();
        }
        assertEquals(300, lines.size());
        for (String line : lines) {
            String[] p = line.trim().split(" ");
            ImageTokens.Size s = ImageTokens.smartResize(Integer.parseInt(p[0]), Integer.parseInt(p[1]), 28, 3136, 12845056);
            assertEquals(new ImageTokens.Size(Integer.parseInt(p[2]), Integer.parseInt(p[3])), s, line);
        }
    }

    @ParameterizedTest(name = "internvl3-38b {0}x{1} -> {2}")
    @CsvSource({
        // one tile, no thumbnail
        "448, 448, 256",
        // aspect 2 -> 2x1 tiles + thumbnail = 3 tiles
        "896, 448, 768",
        // aspect 1: 1x1, 2x2 and 3x3 tie; area 1048576 > 0.5*448^2*9 = 903168 -> 3x3 + thumbnail = 10 tiles
        "1024, 1024, 2560",
        // aspect 1.78: 2x1 and 4x2 tie (diff 0.22); area 2073600 > 0.5*448^2*8 -> 4x2 + thumbnail = 9 tiles
        "1920, 1080, 2304",
        // small square: 1x1 only (area 40000 < 0.5*448^2*4)
        "200, 200, 256",
    })
    void internVlDynamicTiles(int w, int h, long tokens) {
        assertEquals(tokens, image("internvl3-38b", w, h));
    }

    @Test
    void internVlTileGridAgreesWithBruteForce() {
        // brute force over all grids with the same selection rule written plainly
        java.util.Random rnd = new java.util.Random(11);
        for (int k = 0; k < 500; k++) {
            int w = 50 + rnd.nextInt(4000);
            int h = 50 + rnd.nextInt(4000);
            double aspect = (double) w / h;
            double best = Double.MAX_VALUE;
            int bi = 0;
            int bj = 0;
            for (int n = 1; n <= 12; n++) {
                for (int i = 1; i <= n; i++) {
                    for (int j = 1; j <= n; j++) {
                        if (i * j != n) {
                            continue;
                        }
                        double d = Math.abs(aspect - (double) i / j);
                        if (d < best || (d == best && (double) w * h > 0.5 * 448 * 448 * i * j)) {
                            best = d;
                            bi = i;
                            bj = j;
                        }
                    }
                }
            }
            ImageTokens.TileGrid g = ImageTokens.tileGrid(w, h, 448, 12, true);
            assertEquals(bi * bj, g.columns() * g.rows(), w + "x" + h);
            assertEquals(bi, g.columns(), w + "x" + h);
        }
    }

    @Test
    void gemmaIsAlways256() {
        assertEquals(256, image("gemma-3-4b", 4000, 300));
        assertEquals(256, image("gemma-3-27b", 30, 30));
        assertEquals(256, catalog.model("gemma-3-12b").mediaTokens(new MediaItem(Modality.IMAGE, 0, 0, 0, 0, 0)));
    }

    @Test
    void unknownSizeUsesTheDocumentedDefault() {
        MediaItem unknown = new MediaItem(Modality.IMAGE, 0, 0, 0, 0, 0);
        for (String m : List.of("qwen2.5-vl-7b", "qwen2.5-vl-32b", "qwen2.5-omni-7b", "internvl3-38b", "tiny-vl", "tiny-omni")) {
            assertEquals(256, catalog.model(m).mediaTokens(unknown), m + ": 448x448 default");
        }
        // Qwen3-Omni: patch 16 x merge 2 = 32 px per token: 448/32 = 14 -> 196
        assertEquals(196, catalog.model("qwen3-omni-30b-a3b").mediaTokens(unknown));
    }

    @Test
    void tracedTokensWin() {
        assertEquals(1234, catalog.model("qwen2.5-vl-7b").mediaTokens(MediaItem.imageTokens(1234)));
        assertEquals(77, catalog.model("qwen2.5-omni-7b").mediaTokens(MediaItem.audioTokens(77)));
    }

    @ParameterizedTest(name = "{0}: {1}s -> {2}")
    @CsvSource({
        // 100 frames: (99//2+1) = 50, (48//2)+1 = 25
        "qwen2.5-omni-7b, 1.0, 25",
        // 1000 frames: 500, (498//2)+1 = 250
        "qwen2.5-omni-7b, 10.0, 250",
        // 250 frames: 125, (123//2)+1 = 62
        "qwen2.5-omni-7b, 2.5, 62",
        "tiny-omni, 1.0, 25",
        // 100 frames = one full chunk = 13
        "qwen3-omni-30b-a3b, 1.0, 13",
        "qwen3-omni-30b-a3b, 10.0, 130",
        // 250 frames: 2 chunks = 26, rest 50 -> 25 -> 13 -> 7
        "qwen3-omni-30b-a3b, 2.5, 33",
        "qwen3-omni-30b-a3b, 0.0, 0",
    })
    void audioTokens(String model, double seconds, long tokens) {
        assertEquals(tokens, catalog.model(model).mediaTokens(MediaItem.audioSeconds(seconds)));
    }

    @Test
    void audioRatesMatchCatalogFacts() {
        assertEquals(25.0, catalog.model("qwen2.5-omni-7b").audioEncoder().orElseThrow().tokensPerSecond(), 0.01);
        assertEquals(13.0, catalog.model("qwen3-omni-30b-a3b").audioEncoder().orElseThrow().tokensPerSecond(), 0.01);
    }

    @Test
    void videoUsesTemporalPatches() {
        ModelSpec qwen = catalog.model("qwen2.5-vl-7b");
        // 4 frames at 448x448: temporal patch 2 -> 2 groups x 256
        assertEquals(512, qwen.mediaTokens(new MediaItem(Modality.VIDEO, 0, 448, 448, 0, 4)));
        // 5 frames -> ceil(5/2) = 3 groups
        assertEquals(768, qwen.mediaTokens(new MediaItem(Modality.VIDEO, 0, 448, 448, 0, 5)));
        // 3 seconds at 2 frames/s = 6 frames -> 3 groups at the default 448x448
        assertEquals(768, qwen.mediaTokens(new MediaItem(Modality.VIDEO, 0, 0, 0, 3, 0)));
        // InternVL encodes each frame as one 448 tile (temporal patch 1)
        assertEquals(4 * 256, catalog.model("internvl3-38b").mediaTokens(new MediaItem(Modality.VIDEO, 0, 448, 448, 0, 4)));
    }

    @Test
    void unsupportedModalityIsAnErrorNamingTheModel() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> catalog.model("gemma-3-4b").mediaTokens(MediaItem.audioSeconds(2)));
        assertTrue(e.getMessage().contains("gemma-3-4b does not take audio"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> catalog.model("llama-3.1-8b").mediaTokens(MediaItem.imageTokens(5)));
    }

    @Test
    void promptTokensAddTextAndMedia() {
        RequestShape shape = new RequestShape(100, List.of(MediaItem.imagePixels(448, 448), MediaItem.audioSeconds(1)), 10,
                null);
        assertEquals(100 + 256 + 25, catalog.model("qwen2.5-omni-7b").promptTokens(shape));
    }

    @Test
    void diffusionImageTokens() {
        var dit = catalog.model("qwen-image").diffusionTransformer().orElseThrow();
        // 1024/16 = 64 per side
        assertEquals(64 * 64, dit.defaultImageTokens());
        // 16 channels x (1024/8)^2 latent pixels x 2 bytes
        assertEquals(16L * 128 * 128 * 2, dit.latentBytes(1024, 1024));
        assertEquals(256, catalog.model("tiny-image").diffusionTransformer().orElseThrow().defaultImageTokens());
    }

    @Test
    void vocoderRates() {
        assertEquals(480, catalog.model("qwen2.5-omni-7b").vocoder().orElseThrow().samplesPerCode());
        assertEquals(1920, catalog.model("qwen3-omni-30b-a3b").vocoder().orElseThrow().samplesPerCode());
        assertEquals(960, catalog.model("tiny-omni").vocoder().orElseThrow().samplesPerCode());
        assertEquals(12.5, catalog.model("qwen3-omni-30b-a3b").vocoder().orElseThrow().codesPerSecond());
        // talker and vocoder agree on the codec rate
        for (String m : List.of("qwen2.5-omni-7b", "qwen3-omni-30b-a3b", "tiny-omni")) {
            ModelSpec spec = catalog.model(m);
            assertEquals(spec.vocoder().orElseThrow().codesPerSecond(), spec.talker().orElseThrow().codeFramesPerSecond(), 1e-9, m);
        }
    }
}
