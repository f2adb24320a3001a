package org.cornserve.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A kind of data a request carries in or asks for out. Written in JSON as its lowercase name. */
public enum Modality {
    TEXT, IMAGE, AUDIO, VIDEO;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a lowercase (or any-case) name; an unknown name lists the known ones. */
    @JsonCreator
    public static Modality parse(String name) {
        for (Modality m : values()) {
            if (m.name().equalsIgnoreCase(name.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown modality '" + name + "'; known: "
                + Arrays.stream(values()).map(Modality::jsonName).collect(Collectors.joining(", ")));
    }
}
