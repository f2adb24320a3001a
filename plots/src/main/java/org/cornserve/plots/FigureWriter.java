package org.cornserve.plots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.plots.figure.Figure;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;

/**
 * Writes a figure as {@code STEM.png} (at twice the chart's pixel size, for sharp text) and {@code STEM.svg}.
 * Sets {@code java.awt.headless} so it draws without a display.
 */
public final class FigureWriter {
    /** PNG resolution: 2 x the nominal 72 DPI. */
    public static final int DPI = 144;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private FigureWriter() {
    }

    /** Writes both files into {@code dir} (created if needed) and returns their paths, PNG first. */
    public static List<Path> write(Figure figure, Path dir) {
        try {
            Files.createDirectories(dir);
            Path png = dir.resolve(figure.stem() + ".png");
            Path svg = dir.resolve(figure.stem() + ".svg");
            BitmapEncoder.saveBitmapWithDPI(figure.chart(), png.toString(), BitmapEncoder.BitmapFormat.PNG, DPI);
            VectorGraphicsEncoder.saveVectorGraphic(figure.chart(), svg.toString(),
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return List.of(png, svg);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure " + figure.stem() + " to " + dir + ": " + e.getMessage(), e);
        }
    }
}
