package org.cornserve.plots.figure;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** The house style: white background, light grid, readable fonts, a colour-blind-safe palette, legend outside. */
public final class Charts {
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 600;

    /**
     * Okabe-Ito colours (distinguishable with colour-blindness) first, then paler and darker companions and greys,
     * so up to 20 series get distinct colours.
     */
    static final Color[] PALETTE = {new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(86, 180, 233), new Color(213, 94, 0), new Color(240, 228, 66),
        new Color(0, 0, 0), new Color(120, 120, 120), new Color(150, 75, 160), new Color(140, 200, 255),
        new Color(255, 200, 120), new Color(120, 220, 180), new Color(240, 180, 210), new Color(0, 60, 110),
        new Color(150, 60, 0), new Color(0, 90, 60), new Color(190, 190, 190), new Color(190, 170, 30),
        new Color(90, 90, 200)};

    private Charts() {
    }

    static XYChart xy(String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setMarkerSize(6);
        return c;
    }

    static CategoryChart category(String title, String xTitle, String yTitle) {
        return category(title, xTitle, yTitle, WIDTH, HEIGHT);
    }

    static CategoryChart category(String title, String xTitle, String yTitle, int width, int height) {
        CategoryChart c = new CategoryChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setOverlapped(false);
        c.getStyler().setAvailableSpaceFill(0.7);
        return c;
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotBorderColor(new Color(200, 200, 200));
        s.setLegendBorderColor(new Color(220, 220, 220));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setSeriesColors(PALETTE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setChartTitleBoxVisible(false);
        s.setAntiAlias(true);
        if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
            a.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            a.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            a.setPlotGridLinesColor(new Color(230, 230, 230));
            a.setPlotGridLinesStroke(new BasicStroke(1f));
            a.setAxisTickMarksColor(new Color(150, 150, 150));
        }
    }

    /**
     * Puts a category chart's value axis on a log scale when {@code [min, max]} spans decades, starting at the power
     * of ten at or below {@code min} (XChart's bar charts otherwise start the axis at 0, which a log axis refuses).
     */
    static void logYIfDecades(CategoryChart chart, double min, double max) {
        if (spansDecades(min, max)) {
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
        }
    }

    /**
     * Whether positive values span decades: at least two powers of ten lie within [min, max] (then a log axis
     * reads better, and XChart, which labels only powers of ten on a log axis, shows two labels or more).
     */
    static boolean spansDecades(double min, double max) {
        return min > 0 && max > min && Math.floor(Math.log10(max)) - Math.ceil(Math.log10(min)) >= 1;
    }
}
