package org.cornserve.planner;

import java.util.List;

/**
 * One deployment of a candidate plan: the unit tasks colocated in each replica, and how many replicas of
 * how many devices.
 *
 * @param name deployment name
 * @param units unit-task ids ({@code <model>/<component>}, split LLMs with {@code :prefill} / {@code :decode})
 * @param tensorParallel devices per replica
 * @param replicas replicas
 * @param hardware this deployment's hardware kind when it differs from the plan's, else null
 */
public record PlannedDeployment(String name, List<String> units, int tensorParallel, int replicas, String hardware) {
    public PlannedDeployment {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("deployment needs a name");
        }
        if (units == null || units.isEmpty()) {
            throw new IllegalArgumentException("deployment " + name + " has no tasks");
        }
        units = List.copyOf(units);
        if (tensorParallel < 1 || replicas < 1) {
            throw new IllegalArgumentException("deployment " + name + ": tensor_parallel and replicas must be >= 1");
        }
    }

    /** A deployment on the plan's hardware. */
    public PlannedDeployment(String name, List<String> units, int tensorParallel, int replicas) {
        this(name, units, tensorParallel, replicas, null);
    }

    /** Its hardware: its own kind, or the plan's. */
    public String hardwareOr(String planHardware) {
        return hardware != null ? hardware : planHardware;
    }

    public int devices() {
        return tensorParallel * replicas;
    }
}
