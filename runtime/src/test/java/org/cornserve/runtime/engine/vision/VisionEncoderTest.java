package org.cornserve.runtime.engine.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.runtime.engine.TinyModels;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.tensor.Tensor;
import org.cornserve.runtime.engine.weights.SeededWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class VisionEncoderTest {
    static final Kernels K = Kernels.create(Kernels.Choice.AUTO, 2);

    @AfterAll
    static void close() {
        K.close();
    }

    static ImageInput image(long seed, int h, int w) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] px = new float[h * w * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextDouble(-2, 2);
        }
        return new ImageInput(h, w, px);
    }

    @Test
    void tokensFollowTheMergeGridAndBatchingChangesNothing() {
        VisionEncoder enc = new VisionEncoder(TinyModels.VISION, new SeededWeights(1), K);
        ImageInput a = image(1, 56, 84);
        ImageInput b = image(2, 112, 28);
        ImageInput c = image(3, 28, 28);
        List<Tensor> batch = enc.encode(List.of(a, b, c));
        assertEquals(6, batch.get(0).dim(0));
        assertEquals(4, batch.get(1).dim(0));
        assertEquals(1, batch.get(2).dim(0));
        assertEquals(256, batch.get(0).dim(1));
        assertArrayEquals(enc.encode(List.of(b)).get(0).data(), batch.get(1).data());
        assertThrows(IllegalArgumentException.class, () -> enc.encode(List.of(image(4, 30, 28))));
    }

    @Test
    void resizesToMultiplesOf28AndCapsTokens() {
        BufferedImage img = new BufferedImage(448, 448, BufferedImage.TYPE_INT_RGB);
        ImageInput in = ImageInput.of(img, TinyModels.VISION);
        assertEquals(448, in.height());
        assertEquals(256, TinyModels.VISION.tokens(in.height(), in.width()), "448x448 px -> 256 tokens");
        ImageInput odd = ImageInput.of(new BufferedImage(100, 50, BufferedImage.TYPE_INT_RGB), TinyModels.VISION);
        assertEquals(112, odd.width());
        assertEquals(56, odd.height());
        ImageInput big = ImageInput.of(new BufferedImage(3000, 2000, BufferedImage.TYPE_INT_RGB), TinyModels.VISION);
        assertEquals(true, TinyModels.VISION.tokens(big.height(), big.width()) <= TinyModels.VISION.maxTokens());
    }
}
