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
 */
public record SimConfig(List<SimDeployment> deployments, Network network, Map<String, Slo> slos, Slo defaultSlo,
        long queueSampleNanos) {

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
    }

    /** A configuration with one SLO for every app and one-second queue samples. */
    public static SimConfig of(List<SimDeployment> deployments, Network network, Slo slo) {
        return new SimConfig(deployments, network, Map.of(), slo, 1_000_000_000L);
    }

    public Slo sloOf(String app) {
        return slos.getOrDefault(app, defaultSlo);
    }
}
