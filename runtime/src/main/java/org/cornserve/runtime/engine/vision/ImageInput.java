package org.cornserve.runtime.engine.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * An image ready for the encoder: RGB resized so both sides are multiples of the token side,
 * normalised with the CLIP mean and standard deviation, stored channels-last {@code [h][w][3]}.
 *
 * @param height pixels
 * @param width pixels
 * @param pixels {@code height * width * 3} normalised values
 */
public record ImageInput(int height, int width, float[] pixels) {
    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    public ImageInput {
        if (height <= 0 || width <= 0 || pixels.length != height * width * 3) {
            throw new IllegalArgumentException("image " + width + "x" + height + " needs " + height * width * 3
                    + " values, got " + pixels.length);
        }
    }

    /**
     * Resizes {@code image} (bilinear) to the nearest multiples of {@code config.tokenSide()}, scaled down
     * to at most {@code config.maxTokens()} tokens, and normalises it.
     */
    public static ImageInput of(BufferedImage image, VitConfig config) {
        int side = config.tokenSide();
        double h = image.getHeight();
        double w = image.getWidth();
        double tokens = (h / side) * (w / side);
        if (tokens > config.maxTokens()) {
            double s = Math.sqrt(config.maxTokens() / tokens);
            h *= s;
            w *= s;
        }
        int th = (int) Math.max(side, Math.round(h / side) * side);
        int tw = (int) Math.max(side, Math.round(w / side) * side);
        while ((th / side) * (tw / side) > config.maxTokens()) {
            if (th >= tw) {
                th -= side;
            } else {
                tw -= side;
            }
        }
        BufferedImage resized = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, tw, th, null);
        g.dispose();
        float[] px = new float[th * tw * 3];
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                int rgb = resized.getRGB(x, y);
                int o = (y * tw + x) * 3;
                px[o] = (((rgb >> 16) & 0xff) / 255f - MEAN[0]) / STD[0];
                px[o + 1] = (((rgb >> 8) & 0xff) / 255f - MEAN[1]) / STD[1];
                px[o + 2] = ((rgb & 0xff) / 255f - MEAN[2]) / STD[2];
            }
        }
        return new ImageInput(th, tw, px);
    }
}
