package org.cornserve.model.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a profile's numbers come from; every profile says which (DESIGN.md, "Profiles"). */
public enum ProfileSource {
    /** Measured on real executors by the profiler. */
    MEASURED,
    /** Estimated from the model's architecture and the hardware's roofline. */
    ESTIMATED,
    /** Imported from published measurements (the profile's note cites them). */
    IMPORTED;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ProfileSource parse(String name) {
        for (ProfileSource s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown profile source '" + name + "'; known: measured, estimated, imported");
    }
}
