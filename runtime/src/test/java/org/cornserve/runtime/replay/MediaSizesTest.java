package org.cornserve.runtime.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.task.AudioEncoder;
import org.cornserve.model.task.VisionEncoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The inverse token rules against the forward ones, over seeded random token counts. */
class MediaSizesTest {
    private static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    @ParameterizedTest
    @CsvSource({"tiny-omni, 1", "tiny-omni, 2", "qwen2.5-vl-7b, 3", "qwen2.5-omni-7b, 4"})
    void smartResizeImagesGiveTheTracedTokens(String model, long seed) {
        VisionEncoder v = CATALOG.model(model).visionEncoder().orElseThrow();
        SplittableRandom rnd = new SplittableRandom(seed);
        long lo = (v.tokenRule().minPixels() + 783) / 784;
        long hi = v.tokenRule().maxPixels() / 784;
        for (int i = 0; i < 200; i++) {
            int tokens = (int) rnd.nextLong(lo, Math.min(hi, 5000) + 1);
            MediaSizes.Pixels p = MediaSizes.image(v, MediaItem.imageTokens(tokens));
            int got = v.imageTokens(p.widthPx(), p.heightPx());
            if (hasFactorsWithin(tokens, 200)) {
                assertEquals(tokens, got, tokens + " tokens -> " + p);
            } else {
                assertTrue(Math.abs(got - tokens) <= Math.max(1, tokens / 50), tokens + " tokens -> " + p + " -> " + got);
            }
        }
    }

    private static boolean hasFactorsWithin(int n, int aspect) {
        for (int a = 1; a * a <= n; a++) {
            if (n % a == 0 && n / a < aspect * a) {
                return true;
            }
        }
        return false;
    }

    /** InternVL: 1 tile, or k tiles plus a thumbnail (k >= 2), 256 tokens each; 512 is not reachable (256 is nearest). */
    @ParameterizedTest
    @CsvSource({"256, 256", "768, 768", "1280, 1280", "2560, 2560", "512, 256", "700, 768"})
    void dynamicTileImagesGiveTheTracedTokens(int tokens, int expected) {
        VisionEncoder v = CATALOG.model("internvl3-38b").visionEncoder().orElseThrow();
        MediaSizes.Pixels p = MediaSizes.image(v, MediaItem.imageTokens(tokens));
        assertEquals(expected, v.imageTokens(p.widthPx(), p.heightPx()), p.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 25, 26, 100, 250, 1000})
    void audioClipsGiveTheTracedTokens(int tokens) {
        AudioEncoder a = CATALOG.model("tiny-omni").audioEncoder().orElseThrow();
        double seconds = MediaSizes.audioSeconds(a, MediaItem.audioTokens(tokens));
        assertEquals(tokens, a.tokensForSeconds(seconds), seconds + " s");
        assertTrue(a.tokensForSeconds(seconds - 1.0 / a.melFramesPerSecond()) < tokens, "the shortest such clip");
    }

    @ParameterizedTest
    @CsvSource({"28, 28", "448, 448", "1280, 720", "33, 97"})
    void pngsDecodeAtTheirSize(int w, int h) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(SyntheticMedia.png(w, h, 7)));
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 17, 4000})
    void promptsHaveOneBytePerToken(int tokens) {
        String p = RequestSynthesizer.prompt(tokens, tokens);
        assertEquals(Math.max(1, tokens), p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertTrue(p.chars().allMatch(c -> c >= 32 && c < 127));
    }
}
