/**
 * The scheduling core shared by the simulator and the runtime: deterministic, single-threaded state machines
 * that take facts stamped with the time now ({@code long nowNanos}) and return decisions through
 * {@link org.cornserve.planner.schedule.Decisions}. {@link org.cornserve.planner.schedule.SchedulerCore} ties
 * the parts together: dispatch of a request's invocation graph, routing, batching on time-shared replicas and
 * admission. No clocks, threads, sockets or event queues live here.
 */
package org.cornserve.planner.schedule;
