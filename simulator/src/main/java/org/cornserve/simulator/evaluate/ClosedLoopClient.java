package org.cornserve.simulator.evaluate;

import java.util.List;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.traces.TraceRecord;

/**
 * A client whose sends depend on the run it takes part in: a closed loop, such as a benchmark client that keeps at
 * most {@code C} requests in flight and sends the next when one ends. {@link SimulatorPlanRunner#simulate(
 * org.cornserve.model.plan.DeploymentPlan, ClosedLoopClient, org.cornserve.planner.Slo)} simulates it in one run,
 * asking it what it sends at the start and again as each of its requests ends. Request ids count the client's sends
 * from 0, in the order it returns them.
 */
public interface ClosedLoopClient {

    /** The records sent at the start, in arrival order (a record's arrival is when the engine sees it). */
    List<TraceRecord> start();

    /**
     * Request {@code record.request().id()} ended at {@code nowNanos}, completed or rejected ({@code record} says
     * which): the records the client sends now, each arriving at or after {@code nowNanos}; none to send nothing.
     */
    List<TraceRecord> ended(RequestRecord record, long nowNanos);
}
