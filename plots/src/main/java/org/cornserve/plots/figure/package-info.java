/** One class per kind of figure; each turns read results into XChart charts, with titles, units and legends. */
package org.cornserve.plots.figure;
