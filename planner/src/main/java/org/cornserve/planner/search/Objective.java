package org.cornserve.planner.search;

import java.util.Locale;

/**
 * What a plan is chosen for: the most goodput on the given cluster (the highest rate served at the SLO),
 * or the fewest devices that serve {@code rateRps} at the SLO.
 *
 * @param kind goodput or min-devices
 * @param rateRps target rate for min-devices; ignored for goodput
 */
public record Objective(Kind kind, double rateRps) {
    /** The two objectives. */
    public enum Kind { GOODPUT, MIN_DEVICES }

    public Objective {
        if (kind == null) {
            throw new IllegalArgumentException("objective kind is required");
        }
        if (kind == Kind.MIN_DEVICES && !(rateRps > 0)) {
            throw new IllegalArgumentException("objective min-devices needs a target rate > 0 (--rate)");
        }
    }

    public static Objective goodput() {
        return new Objective(Kind.GOODPUT, 0);
    }

    public static Objective minDevices(double rateRps) {
        return new Objective(Kind.MIN_DEVICES, rateRps);
    }

    /** Parses {@code goodput} or {@code min-devices}. */
    public static Objective parse(String name, double rateRps) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "goodput" -> goodput();
            case "min-devices", "min_devices" -> minDevices(rateRps);
            default -> throw new IllegalArgumentException("unknown objective '" + name + "'; known: goodput, min-devices");
        };
    }

    public String jsonName() {
        return kind == Kind.GOODPUT ? "goodput" : "min-devices";
    }
}
