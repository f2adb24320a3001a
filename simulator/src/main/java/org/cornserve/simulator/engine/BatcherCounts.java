package org.cornserve.simulator.engine;

import org.cornserve.planner.schedule.SchedulerCore;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.simulator.metrics.MetricsCollector;
import org.cornserve.simulator.metrics.QueueTracker;

/**
 * Reads the LLM batchers' counts off the core for the metrics: the running / waiting / preempted split of each
 * deployment (at queue sample instants only, O(replicas x tasks)) and the run's preemptions and prefix-cache
 * look-ups at its end.
 */
final class BatcherCounts implements QueueTracker.StateCounts {
    private final SchedulerCore core;

    BatcherCounts(SchedulerCore core) {
        this.core = core;
    }

    @Override
    public void fill(long[] running, long[] waiting, long[] preempted) {
        for (int d = 0; d < core.deploymentCount(); d++) {
            running[d] = 0;
            waiting[d] = 0;
            preempted[d] = 0;
            for (int r = 0; r < core.replicaCount(d); r++) {
                var scheduler = core.replica(d, r);
                for (int t = 0; t < scheduler.tasks(); t++) {
                    if (scheduler.batcher(t) instanceof LlmBatcher llm) {
                        running[d] += llm.runningCount();
                        waiting[d] += llm.waitingCount() - llm.preemptedWaitingCount();
                        preempted[d] += llm.preemptedWaitingCount();
                    }
                }
            }
        }
    }

    /** Hands the run's totals to the metrics. */
    void report(MetricsCollector metrics) {
        long preemptions = 0;
        long query = 0;
        long hit = 0;
        for (int d = 0; d < core.deploymentCount(); d++) {
            for (int r = 0; r < core.replicaCount(d); r++) {
                var scheduler = core.replica(d, r);
                for (int t = 0; t < scheduler.tasks(); t++) {
                    if (scheduler.batcher(t) instanceof LlmBatcher llm) {
                        preemptions += llm.preemptions();
                        query += llm.prefixQueryTokens();
                        hit += llm.prefixHitTokens();
                    }
                }
            }
        }
        metrics.engineCounts(preemptions, query, hit);
    }
}
