package org.cornserve.simulator.metrics;

import java.util.List;
import java.util.Map;

/**
 * A simulation's results: the summary figures, each request's record and the queue-length series.
 * Throughput and goodput are per simulated second, from the first arrival to the last completion or
 * rejection; SLO attainment is the share of all requests (rejected ones included) that met their app's SLO.
 *
 * @param events events handled (superseded step ends excluded)
 * @param staleEvents superseded step ends skipped (runs cut short)
 * @param speech the speech responses' figures, or null when no request asks for speech
 * @param queues the per-deployment queue series, or null for a run measured against a live server
 * @param preemptions LLM sequences preempted over all replicas
 * @param prefixCacheHitRate prompt tokens found in prefix caches over prompt tokens looked up, at sequences' first
 *     admissions; 0 when nothing was looked up
 */
public record SimResult(long requests, long completed, long rejected, double simulatedSeconds, double throughputRps,
        double goodputRps, double sloAttainment, LatencyStats ttftMs, LatencyStats tpotMs, LatencyStats e2eMs,
        List<DeploymentStats> deployments, long events, long staleEvents, double wallSeconds, long outputTokens,
        Map<String, Long> rejectReasons, List<RequestRecord> records, QueueTracker queues, SpeechStats speech,
        long preemptions, double prefixCacheHitRate) {

    public SimResult {
        deployments = List.copyOf(deployments);
    }
}
