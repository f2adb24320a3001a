/** Per-request records, HdrHistogram latency summaries, queue lengths, and the result files. */
package org.cornserve.simulator.metrics;
