package org.cornserve.simulator.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One deployment's figures over a run.
 *
 * @param utilization busy time of its replicas over replicas x simulated time, in [0, 1]
 * @param meanQueueLength time-weighted mean of outstanding invocations (queued or running)
 * @param maxQueueLength the most outstanding invocations at once
 */
public record DeploymentStats(@JsonProperty("name") String name, @JsonProperty("devices") int devices,
        @JsonProperty("replicas") int replicas, @JsonProperty("utilization") double utilization,
        @JsonProperty("mean_queue_length") double meanQueueLength, @JsonProperty("max_queue_length") long maxQueueLength) {
}
