/**
 * Figures from the project's result files, drawn with XChart and written as PNG and SVG:
 * {@link org.cornserve.plots.ResultPlots} finds what a folder holds and draws what it can,
 * {@link org.cornserve.plots.data} reads the files, {@link org.cornserve.plots.figure} builds one kind of figure
 * each.
 */
package org.cornserve.plots;
