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
 */
public record ProfileSet(
        @JsonProperty(value = "model", required = true) String model,
        @JsonProperty(value = "hardware", required = true) String hardware,
        @JsonProperty(value = "profiles", required = true) List<Profile> profiles) {

    public ProfileSet {
        if (model == null || model.isBlank() || hardware == null || hardware.isBlank()) {
            throw new IllegalArgumentException("profile set needs 'model' and 'hardware'");
        }
        profiles = List.copyOf(profiles);
    }

    /** The profile of {@code taskId} at degree {@code tensorParallel}, if present. */
    public java.util.Optional<Profile> find(String taskId, int tensorParallel) {
        return profiles.stream().filter(p -> p.task().equals(taskId) && p.tensorParallel() == tensorParallel).findFirst();
    }
}
