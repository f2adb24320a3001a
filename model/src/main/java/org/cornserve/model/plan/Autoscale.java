package org.cornserve.model.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/**
 * How a deployment scales with load while serving (plan field {@code autoscale}); absent = fixed replicas. The
 * scheduler core's policies and metrics decide which names exist; this record checks values and fills defaults.
 *
 * @param policy {@code per-deployment} (default: each deployment on its own) or {@code whole} (every deployment
 *     naming it moves by one factor of its plan count, as a monolith scales)
 * @param metric {@code utilization} (default: busy fraction of its replicas) or {@code queue} (outstanding
 *     invocations per replica)
 * @param target the metric's value to hold: default {@value #DEFAULT_UTILIZATION_TARGET} for utilization; required
 *     for queue
 * @param minReplicas fewest replicas, default 1
 * @param maxReplicas most replicas, default: as many as the cluster's devices allow
 * @param upCooldownSeconds no scale-up within this long of the last scaling action, default
 *     {@value #DEFAULT_UP_COOLDOWN_SECONDS}
 * @param downCooldownSeconds no scale-down within this long of the last scaling action, default
 *     {@value #DEFAULT_DOWN_COOLDOWN_SECONDS}
 * @param startupSeconds a started replica's weight load plus warm-up; default {@link #defaultStartupSeconds}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Autoscale(
        @JsonProperty("policy") String policy,
        @JsonProperty("metric") String metric,
        @JsonProperty("target") Double target,
        @JsonProperty("min_replicas") Integer minReplicas,
        @JsonProperty("max_replicas") Integer maxReplicas,
        @JsonProperty("up_cooldown_s") Double upCooldownSeconds,
        @JsonProperty("down_cooldown_s") Double downCooldownSeconds,
        @JsonProperty("startup_seconds") Double startupSeconds) {

    public static final String DEFAULT_POLICY = "per-deployment";
    public static final String DEFAULT_METRIC = "utilization";
    public static final double DEFAULT_UTILIZATION_TARGET = 0.7;
    public static final double DEFAULT_UP_COOLDOWN_SECONDS = 30;
    public static final double DEFAULT_DOWN_COOLDOWN_SECONDS = 120;
    /** Engine warm-up after the weights are in (CUDA-graph capture, first batches): an assumption, not measured. */
    public static final double DEFAULT_WARMUP_SECONDS = 20;
    /** Weight-load bandwidth per device (safetensors from local NVMe or page cache): an assumption, not measured. */
    public static final double DEFAULT_LOAD_BYTES_PER_SECOND_PER_DEVICE = 2.5e9;

    private static final Set<String> METRICS = Set.of("utilization", "queue");

    public Autoscale {
        policy = policy == null || policy.isBlank() ? DEFAULT_POLICY : policy.trim();
        metric = metric == null || metric.isBlank() ? DEFAULT_METRIC : metric.trim();
        if (!METRICS.contains(metric)) {
            throw new IllegalArgumentException("metric: unknown '" + metric + "'; known: queue, utilization");
        }
        if (target == null) {
            if (!metric.equals("utilization")) {
                throw new IllegalArgumentException("target: required for metric " + metric);
            }
            target = DEFAULT_UTILIZATION_TARGET;
        }
        if (!(target > 0) || target.isInfinite() || (metric.equals("utilization") && target > 1)) {
            throw new IllegalArgumentException("target: must be > 0" + (metric.equals("utilization") ? " and <= 1" : "")
                    + ", got " + target);
        }
        minReplicas = minReplicas == null ? 1 : minReplicas;
        if (minReplicas < 1) {
            throw new IllegalArgumentException("min_replicas: must be >= 1, got " + minReplicas);
        }
        maxReplicas = maxReplicas == null ? Integer.MAX_VALUE : maxReplicas;
        if (maxReplicas < minReplicas) {
            throw new IllegalArgumentException("max_replicas: must be >= min_replicas (" + minReplicas + "), got "
                    + maxReplicas);
        }
        upCooldownSeconds = nonNegative("up_cooldown_s", upCooldownSeconds, DEFAULT_UP_COOLDOWN_SECONDS);
        downCooldownSeconds = nonNegative("down_cooldown_s", downCooldownSeconds, DEFAULT_DOWN_COOLDOWN_SECONDS);
        if (startupSeconds != null) {
            nonNegative("startup_seconds", startupSeconds, 0);
        }
    }

    private static Double nonNegative(String field, Double value, double fallback) {
        if (value == null) {
            return fallback;
        }
        if (!(value >= 0) || value.isInfinite()) {
            throw new IllegalArgumentException(field + ": must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /**
     * Start-up when the plan gives none: {@value #DEFAULT_WARMUP_SECONDS} s of warm-up plus the replica's weights
     * loaded at {@value #DEFAULT_LOAD_BYTES_PER_SECOND_PER_DEVICE} B/s per device (both assumptions; the runtime has
     * no measured GPU start-up yet).
     */
    public static double defaultStartupSeconds(long weightBytesPerReplica, int devicesPerReplica) {
        return DEFAULT_WARMUP_SECONDS + weightBytesPerReplica / (DEFAULT_LOAD_BYTES_PER_SECOND_PER_DEVICE
                * Math.max(1, devicesPerReplica));
    }

    /** This scaling's start-up for a replica with these weights and devices. */
    public double startupSeconds(long weightBytesPerReplica, int devicesPerReplica) {
        return startupSeconds != null ? startupSeconds : defaultStartupSeconds(weightBytesPerReplica, devicesPerReplica);
    }
}
