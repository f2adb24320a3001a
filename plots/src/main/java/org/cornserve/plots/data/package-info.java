/** Readers of the result files the figures are drawn from; errors name the file, the line and the field. */
package org.cornserve.plots.data;
