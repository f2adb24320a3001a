/** Synthetic workloads for tests and benchmarks. */
package org.cornserve.simulator.workload;
