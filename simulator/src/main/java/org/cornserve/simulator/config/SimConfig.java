package org.cornserve.simulator.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.Slo;

/**
 * Everything a simulation needs besides the workload.
 *
 * @param deployments the deployments, in plan order
 * @param network links between replicas
 * @param slos latency targets per app; apps not listed use {@code defaultSlo}
 * @param defaultSlo targets of other apps
 * @param queueSampleNanos interval of the per-deployment queue-length series
 * @param hostSharing executors processor-shared on their node's CPU, or null: every replica computes at its
 *     profile's speed whatever the others do (GPU replicas, or CPU plans without a measured slowdown)
 */
public record SimConfig(List<SimDeployment> deployments, Network network, Map<String, Slo> slos, Slo defaultSlo,
        long queueSampleNanos, HostSharing hostSharing) {

    /** A configuration without host sharing. */
    public SimConfig(List<SimDeployment> deployments, Network network, Map<String, Slo> slos, Slo defaultSlo,
            long queueSampleNanos) {
        this(deployments, network, slos, defaultSlo, queueSampleNanos, null);
    }

    public SimConfig {
        deployments = List.copyOf(deployments);
        if (deployments.isEmpty()) {
            throw new IllegalArgumentException("simulation needs at least one deployment");
        }
        slos = Map.copyOf(new LinkedHashMap<>(slos));
        if (network == null || defaultSlo == null) {
            throw new IllegalArgumentException("simulation needs a network and a default SLO");
        }
        if (queueSampleNanos < 1) {
            throw new IllegalArgumentException("queue sample interval must be >= 1 ns, got " + queueSampleNanos);
        }
        if (hostSharing != null) {
            for (int d : hostSharing.deployments()) {
                if (d < 0 || d >= deployments.size()) {
                    throw new IllegalArgumentException("host sharing names deployment " + d + " of "
                            + deployments.size());
                }
            }
        }
    }

    /** A configuration with one SLO for every app and one-second queue samples. */
    public static SimConfig of(List<SimDeployment> deployments, Network network, Slo slo) {
        return new SimConfig(deployments, network, Map.of(), slo, 1_000_000_000L);
    }

    /** The same configuration on other links (e.g. {@code network().withFairShare(true)}). */
    public SimConfig withNetwork(Network links) {
        return new SimConfig(deployments, links, slos, defaultSlo, queueSampleNanos, hostSharing);
    }

    /** The same configuration with its executors processor-shared as {@code sharing} says (null: not shared). */
    public SimConfig withHostSharing(HostSharing sharing) {
        return new SimConfig(deployments, network, slos, defaultSlo, queueSampleNanos, sharing);
    }

    public Slo sloOf(String app) {
        return slos.getOrDefault(app, defaultSlo);
    }
}
