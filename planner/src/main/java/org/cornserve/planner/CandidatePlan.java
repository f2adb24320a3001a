package org.cornserve.planner;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A plan as the planner builds it: deployments of unit tasks on one hardware kind. It becomes a model
 * {@code DeploymentPlan} (with routers and batching settings) when written out.
 *
 * @param strategy the strategy that built it
 * @param hardware hardware of every deployment
 * @param deployments deployments, each unit task in exactly one
 */
public record CandidatePlan(String strategy, String hardware, List<PlannedDeployment> deployments) {
    public CandidatePlan {
        if (strategy == null || strategy.isBlank() || hardware == null || hardware.isBlank()) {
            throw new IllegalArgumentException("plan needs a strategy and a hardware name");
        }
        if (deployments == null || deployments.isEmpty()) {
            throw new IllegalArgumentException("plan has no deployments");
        }
        deployments = List.copyOf(deployments);
        Set<String> seen = new HashSet<>();
        for (PlannedDeployment d : deployments) {
            for (String u : d.units()) {
                if (!seen.add(u)) {
                    throw new IllegalArgumentException("unit task " + u + " is in more than one deployment");
                }
            }
        }
    }

    public int devices() {
        return deployments.stream().mapToInt(PlannedDeployment::devices).sum();
    }

    /**
     * A compact one-line description, e.g. {@code [m/vision]x2@tp1 [m/llm]x6@tp1}; a deployment on another
     * kind than the plan's adds it ({@code [m/vision]x2@tp1@l40s}).
     */
    public String describe() {
        return deployments.stream()
                .map(d -> d.units() + "x" + d.replicas() + "@tp" + d.tensorParallel()
                        + (d.hardware() == null || d.hardware().equals(hardware) ? "" : "@" + d.hardware()))
                .collect(Collectors.joining(" "));
    }

    /** Devices per hardware kind, in order of first use. */
    public java.util.Map<String, Integer> devicesByHardware() {
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (PlannedDeployment d : deployments) {
            out.merge(d.hardwareOr(hardware), d.devices(), Integer::sum);
        }
        return out;
    }
}
