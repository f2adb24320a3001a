/** A request's graph of unit-task invocations, the work each does and the data that flows between them. */
package org.cornserve.planner.schedule.graph;
