package org.cornserve.simulator.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.event.SimRequest;

/**
 * Turns requests measured against a live server into the simulator's {@link SimResult}, through the same
 * {@link MetricsCollector} (percentiles, SLO attainment, reject reasons), so {@link ResultWriter} writes a replay's
 * {@code summary.json} and {@code requests.csv} with the keys and columns of a simulation's.
 *
 * <p>The client sees the server as one stage, named {@value #STAGE}: queued when the request is sent, started when
 * the response's headers come back, finished at the last output token. So {@code stages} in the summary splits
 * end-to-end latency into time to the response's headers and time from there to the last token, and TPOT is
 * (last output - first output) / (output tokens - 1), the simulator's definition. A failed request counts as
 * rejected, with its failure as the reason. The summary's {@code simulated_seconds} is the measured span, from the
 * first send to the last end; {@code deployments} is empty and {@code events} 0; no {@code queues.csv}.
 */
public final class MeasuredRequests {
    /** The task key of the single stage a client sees. */
    public static final String STAGE = "server";

    private MeasuredRequests() {
    }

    /**
     * The result of a measured run.
     *
     * @param requests the requests, in any order (taken in order of sending, then id)
     * @param sloOf each app's targets
     * @param wallSeconds the run's wall time
     */
    public static SimResult result(List<MeasuredRequest> requests, Function<String, Slo> sloOf, double wallSeconds) {
        List<MeasuredRequest> sorted = new ArrayList<>(requests);
        sorted.sort(Comparator.comparingLong(MeasuredRequest::sentNanos).thenComparingLong(MeasuredRequest::id));
        MetricsCollector collector = MetricsCollector.measured(sloOf);
        for (MeasuredRequest m : sorted) {
            Invocation server = new Invocation(STAGE, Work.llm(m.inputTokens(), m.outputTokens()), true);
            RequestRecord rec = collector.arrived(new SimRequest(m.id(), m.sentNanos(), m.app(),
                    InvocationGraph.single(server), m.inputTokens(), m.traceId()));
            MetricsCollector.queued(rec, 0, m.sentNanos());
            if (m.firstByteNanos() >= 0) {
                MetricsCollector.started(rec, 0, m.firstByteNanos());
            }
            if (m.completed()) {
                if (m.firstByteNanos() < 0) {
                    MetricsCollector.started(rec, 0, m.firstOutputNanos());
                }
                MetricsCollector.firstOutput(rec, m.firstOutputNanos());
                MetricsCollector.finished(rec, 0, m.lastOutputNanos());
                collector.completed(rec, m.endNanos());
            } else {
                collector.rejected(rec, m.failure(), m.endNanos());
            }
        }
        return collector.result(new long[0][], 0, 0, wallSeconds);
    }
}
