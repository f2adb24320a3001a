package org.cornserve.planner.search;

import org.cornserve.planner.CandidatePlan;

/**
 * Ranks a plan on the real workload: a plan and a rate in, measured metrics out. The simulator implements
 * it (the command line and the experiment runner hand it in; the planner never imports the simulator).
 */
@FunctionalInterface
public interface PlanEvaluator {
    /**
     * Runs the plan on the workload's requests rescaled to {@code rateRps}.
     *
     * @return measured throughput, goodput and SLO attainment
     */
    Evaluation evaluate(CandidatePlan plan, double rateRps);

    /**
     * Measured figures of one run.
     *
     * @param throughputRps completed requests per second
     * @param goodputRps completed requests that met every SLO target, per second
     * @param sloAttainment fraction of requests that met every target
     * @param steady whether the run was in steady state (completions kept up with arrivals over its last part); a
     *     rate whose run was not is past the plan's capacity whatever its attainment
     */
    record Evaluation(double throughputRps, double goodputRps, double sloAttainment, boolean steady) {
        /** A run judged on attainment alone. */
        public Evaluation(double throughputRps, double goodputRps, double sloAttainment) {
            this(throughputRps, goodputRps, sloAttainment, true);
        }

        /** Whether the run met the attainment target and was in steady state. */
        public boolean meets(double attainmentTarget) {
            return steady && sloAttainment >= attainmentTarget;
        }

        public Evaluation {
            if (!(throughputRps >= 0) || !(goodputRps >= 0) || !(sloAttainment >= 0 && sloAttainment <= 1)) {
                throw new IllegalArgumentException("evaluation figures out of range: throughput=" + throughputRps
                        + " goodput=" + goodputRps + " attainment=" + sloAttainment);
            }
        }
    }
}
