package org.cornserve.simulator.config;

import java.util.List;
import java.util.Set;

/**
 * Executors that share one host's CPU: the replicas of {@code deployments} that sit on one node are processor-shared.
 * While {@code k} of them compute at once, each one's step advances at {@code 1 / factor(k)} of its profiled speed
 * (its profile was measured with one executor computing). The factors are measured on the host by running the same
 * steps on {@code k} executors at once ({@code cornserve profile measure} writes them); nothing here guesses them. A
 * GPU replica owns its devices and is never in {@code deployments}.
 *
 * @param slowdown element {@code k - 1}: how many times longer a step takes while {@code k} executors of its host
 *     compute at once than alone; past the last measured {@code K}, {@code slowdown[K-1] x k / K} (the host's
 *     threads split {@code k} ways instead of {@code K})
 * @param deployments indices of the deployments whose replicas share their node's CPU
 */
public record HostSharing(List<Double> slowdown, Set<Integer> deployments) {

    public HostSharing {
        slowdown = List.copyOf(slowdown);
        deployments = Set.copyOf(deployments);
        if (slowdown.isEmpty()) {
            throw new IllegalArgumentException("host sharing needs at least one slowdown factor");
        }
        for (double f : slowdown) {
            if (!(f > 0) || Double.isInfinite(f)) {
                throw new IllegalArgumentException("host sharing slowdown factors must be positive and finite, got "
                        + slowdown);
            }
        }
    }

    /** The slowdown while {@code busy} (>= 1) executors of one host compute at once. */
    public double factor(int busy) {
        if (busy < 1) {
            throw new IllegalArgumentException("busy executors must be >= 1, got " + busy);
        }
        int measured = slowdown.size();
        return busy <= measured ? slowdown.get(busy - 1) : slowdown.get(measured - 1) * busy / measured;
    }

    public boolean shares(int deployment) {
        return deployments.contains(deployment);
    }
}
