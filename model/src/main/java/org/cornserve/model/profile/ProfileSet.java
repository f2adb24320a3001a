package org.cornserve.model.profile;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The profiles of one model's unit tasks on one hardware type, one per tensor-parallel degree: the file
 * {@code cornserve profile estimate} writes and the simulator and planner read.
 *
 * @param model catalog model name
 * @param hardware catalog hardware name
 * @param profiles one per unit task and tensor-parallel degree
 * @param measurement for measured sets: how they were measured (grid, repetitions, per-iteration overhead, the fit's
 *     error on held-back points, throughput-latency curves and Pareto frontiers per device count, and under {@value
 *     #MACHINE_FIELD} the CPU they were measured on, {@link org.cornserve.model.hardware.CpuInfo#record}); absent
 *     otherwise
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record ProfileSet(
        @JsonProperty(value = "model", required = true) String model,
        @JsonProperty(value = "hardware", required = true) String hardware,
        @JsonProperty(value = "profiles", required = true) List<Profile> profiles,
        @JsonProperty("measurement") com.fasterxml.jackson.databind.JsonNode measurement) {

    /** A set without a measurement section (estimated or imported profiles). */
    public ProfileSet(String model, String hardware, List<Profile> profiles) {
        this(model, hardware, profiles, null);
    }

    public ProfileSet {
        if (model == null || model.isBlank() || hardware == null || hardware.isBlank()) {
            throw new IllegalArgumentException("profile set needs 'model' and 'hardware'");
        }
        profiles = List.copyOf(profiles);
    }

    /** The measurement's field that records the machine a measured set was measured on. */
    public static final String MACHINE_FIELD = "machine";

    /**
     * The identity of the machine this set was measured on ({@link org.cornserve.model.hardware.CpuInfo#identity}),
     * empty for estimated sets and for sets measured before it was recorded.
     */
    public java.util.Optional<String> machineIdentity() {
        return measurement == null || !measurement.path(MACHINE_FIELD).path("identity").isTextual()
                ? java.util.Optional.empty()
                : java.util.Optional.of(measurement.path(MACHINE_FIELD).path("identity").asText());
    }

    /** The profile of {@code taskId} at degree {@code tensorParallel}, if present. */
    public java.util.Optional<Profile> find(String taskId, int tensorParallel) {
        return profiles.stream().filter(p -> p.task().equals(taskId) && p.tensorParallel() == tensorParallel).findFirst();
    }
}
