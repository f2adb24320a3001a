package org.cornserve.planner.search;

import java.util.Locale;

/**
 * What a plan is chosen for: the most goodput on the given cluster (the highest rate served at the SLO),
 * the fewest devices that serve {@code rateRps} at the SLO, the most goodput per dollar (capacity at the SLO
 * over the plan's price per hour), or the fewest dollars per hour that serve {@code rateRps} at the SLO.
 * The dollar objectives need prices and are searched by {@link MixedKindSearch}.
 *
 * @param kind the objective
 * @param rateRps target rate for min-devices and min-dollars; ignored otherwise
 */
public record Objective(Kind kind, double rateRps) {
    /** The objectives. */
    public enum Kind {
        GOODPUT("goodput"), MIN_DEVICES("min-devices"), GOODPUT_PER_DOLLAR("goodput-per-dollar"), MIN_DOLLARS("min-dollars");

        private final String jsonName;

        Kind(String jsonName) {
            this.jsonName = jsonName;
        }

        /** True for the objectives that need a target rate. */
        public boolean needsRate() {
            return this == MIN_DEVICES || this == MIN_DOLLARS;
        }

        /** True for the objectives that weigh prices. */
        public boolean dollars() {
            return this == GOODPUT_PER_DOLLAR || this == MIN_DOLLARS;
        }

        /** The kind by its name ({@code goodput}, {@code min-devices}, ...); an unknown name lists the known ones. */
        public static Kind byName(String name) {
            String key = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Kind k : values()) {
                if (k.jsonName.equals(key)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown objective '" + name + "'; known: goodput, min-devices, "
                    + "goodput-per-dollar, min-dollars");
        }
    }

    public Objective {
        if (kind == null) {
            throw new IllegalArgumentException("objective kind is required");
        }
        if (kind.needsRate() && !(rateRps > 0)) {
            throw new IllegalArgumentException("objective " + kind.jsonName + " needs a target rate > 0 (--rate)");
        }
    }

    public static Objective goodput() {
        return new Objective(Kind.GOODPUT, 0);
    }

    public static Objective minDevices(double rateRps) {
        return new Objective(Kind.MIN_DEVICES, rateRps);
    }

    /** Parses {@code goodput}, {@code min-devices}, {@code goodput-per-dollar} or {@code min-dollars}. */
    public static Objective parse(String name, double rateRps) {
        Kind k = Kind.byName(name);
        return new Objective(k, k.needsRate() ? rateRps : 0);
    }

    public String jsonName() {
        return kind.jsonName;
    }
}
