/** Progress of a request through its invocation graph: release on last input, join, completion. */
package org.cornserve.planner.schedule.dispatch;
