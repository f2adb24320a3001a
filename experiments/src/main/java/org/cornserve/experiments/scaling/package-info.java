/**
 * The scaling experiment: plans with and without {@code autoscale} on a rate-modulated trace, compared on tail
 * latency, SLO attainment and GPU-hours.
 */
package org.cornserve.experiments.scaling;
