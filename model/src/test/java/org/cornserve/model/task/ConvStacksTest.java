package org.cornserve.model.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.model.catalog.ModelCatalog;
import org.junit.jupiter.api.Test;

/** Convolution-stack parameter and FLOP counts against sums written out by hand. */
class ConvStacksTest {
    @Test
    void bigVganOfQwenOmniTokenToWav() {
        ConvUpsampler u = ModelCatalog.builtIn().model("qwen2.5-omni-7b").vocoder().orElseThrow().upsampler();
        // conv_pre 80x1536x7; stages 1536->768->...->24 with kernels 11,7,4,4,4,4; residual blocks:
        // 3 kernels (3, 7, 11) x 3 dilations x 2 convs = 126 x cout^2 per stage; conv_post 24x7
        int[] ch = {1536, 768, 384, 192, 96, 48, 24};
        int[] k = {11, 7, 4, 4, 4, 4};
        long expected = 80L * 1536 * 7 + 24 * 7;
        for (int s = 0; s < 6; s++) {
            expected += (long) ch[s] * ch[s + 1] * k[s] + 126L * ch[s + 1] * ch[s + 1];
        }
        assertEquals(115_358_760L, expected);
        assertEquals(expected, u.params());
        assertEquals(240, u.samplesPerFrame());
    }

    @Test
    void flopsFollowPositionsThroughTheStages() {
        ConvUpsampler u = new ConvUpsampler(4, 8, List.of(2, 3), List.of(4, 6), List.of(3), List.of(List.of(1, 2)));
        // conv_pre: 4x8x7 per frame; stage 0 transposed 8->4 k4 per input frame, then 2 positions of
        // 2 dilations x 2 convs x 3 taps x 4x4; stage 1 transposed 4->2 k6 per stage-0 position (2),
        // then 6 positions of 12 x 2x2; conv_post 2x7 at 6 positions
        double expected = 2.0 * (4 * 8 * 7 + 8 * 4 * 4 + 2 * 12 * 16 + 2 * 4 * 2 * 6 + 6 * 12 * 4 + 6 * 2 * 7);
        assertEquals(expected, u.flopsPerFrame(), 1e-9);
        assertEquals(6, u.samplesPerFrame());
    }

    @Test
    void badStacksAreRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ConvUpsampler(4, 8, List.of(2, 3), List.of(4), List.of(), List.of()));
        assertTrue(e.getMessage().contains("must be non-empty and match"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new ConvUpsampler(4, 8, List.of(2), List.of(4), List.of(), List.of(), List.of(1, 2), null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new ConvUpsampler(4, 8, List.of(2), List.of(4), List.of(), List.of(), null, 0, null));
    }

    @Test
    void qwenImageVaeDecoderIsAboutTheWanDecoderSize() {
        VaeDecoder vae = ModelCatalog.builtIn().model("qwen-image").vaeDecoder().orElseThrow();
        // an estimate (norms, biases and the causal cache ignored): tens of millions, not billions
        assertTrue(vae.params() > 50e6 && vae.params() < 100e6, "" + vae.params());
        // FLOPs grow with the latent area
        assertEquals(4 * vae.flops(64, 64), vae.flops(128, 128), 1e-6 * vae.flops(128, 128));
    }
}
