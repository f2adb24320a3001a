package org.cornserve.planner.schedule.scale;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/** The scaling policies by name, as plans and the command line spell them. */
public enum ScalingPolicies {
    /** Each deployment on its own ({@link TargetTrackingPolicy}). */
    PER_DEPLOYMENT("per-deployment", TargetTrackingPolicy::new),
    /** The plan's scaled deployments together, by one factor ({@link LockstepPolicy}). */
    WHOLE("whole", LockstepPolicy::new);

    /** Default tolerance band: 10%, Kubernetes' horizontal pod autoscaler's. */
    public static final double DEFAULT_TOLERANCE = 0.1;

    private final String policyName;
    private final DoubleFunction<ScalingPolicy> factory;

    ScalingPolicies(String policyName, DoubleFunction<ScalingPolicy> factory) {
        this.policyName = policyName;
        this.factory = factory;
    }

    public String policyName() {
        return policyName;
    }

    /** A new policy with the given tolerance band. */
    public ScalingPolicy create(double tolerance) {
        return factory.apply(tolerance);
    }

    /** The policy named {@code name}; an unknown name lists the known ones. */
    public static ScalingPolicies byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ScalingPolicies p : values()) {
            if (p.policyName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown scaling policy '" + name + "'; known: "
                + Arrays.stream(values()).map(ScalingPolicies::policyName).collect(Collectors.joining(", ")));
    }
}
