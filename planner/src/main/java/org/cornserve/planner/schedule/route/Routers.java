package org.cornserve.planner.schedule.route;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/** The routers by name, as plans and the command line spell them. */
public enum Routers {
    ROUND_ROBIN("round-robin", seed -> new RoundRobinRouter()),
    LEAST_OUTSTANDING("least-outstanding", seed -> new LeastOutstandingRouter()),
    POWER_OF_TWO("power-of-two", PowerOfTwoChoicesRouter::new),
    PREFIX_AWARE("prefix-aware", seed -> new PrefixAwareRouter());

    private final String routerName;
    private final LongFunction<Router> factory;

    Routers(String routerName, LongFunction<Router> factory) {
        this.routerName = routerName;
        this.factory = factory;
    }

    public String routerName() {
        return routerName;
    }

    /** A new router; {@code seed} feeds the randomised ones. */
    public Router create(long seed) {
        return factory.apply(seed);
    }

    /** The router named {@code name}; an unknown name lists the known ones. */
    public static Routers byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Routers r : values()) {
            if (r.routerName.equals(n)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown router '" + name + "'; known: "
                + Arrays.stream(values()).map(Routers::routerName).collect(Collectors.joining(", ")));
    }
}
