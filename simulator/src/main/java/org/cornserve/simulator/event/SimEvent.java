package org.cornserve.simulator.event;

import org.cornserve.planner.schedule.dispatch.ActiveRequest;

/**
 * The simulator's events. At equal times they pop in {@link #tieBreak()} order: work that frees resources
 * (step ends, transfers) before wake-ups, and arrivals last, so an arrival sees the state after everything
 * that ended at that instant.
 */
public sealed interface SimEvent permits SimEvent.StepEnd, SimEvent.TransferEnd, SimEvent.Wake, SimEvent.Arrival,
        SimEvent.ReplicaReady, SimEvent.ScaleTick, SimEvent.Admit {

    int tieBreak();

    /**
     * The step running on a replica ends. The simulator pushes one such event per replica again and again (no
     * object per step) and tells a superseded end (the run was cut or re-timed) from the live one by the queue's
     * insertion sequence ({@link EventQueue#lastSequence()}).
     */
    record StepEnd(int deployment, int replica) implements SimEvent {
        @Override
        public int tieBreak() {
            return 0;
        }
    }

    /**
     * Edge {@code edge}'s data has reached the consumer's replica; {@code transfer} and {@code epoch} tell a finish
     * superseded by link sharing (another transfer started or ended on the link) from the live one; {@code transfer}
     * is -1 for a transfer on an unshared link.
     */
    record TransferEnd(ActiveRequest request, int edge, long transfer, long epoch) implements SimEvent {
        @Override
        public int tieBreak() {
            return 1;
        }
    }

    /** A bounded batch wait on a replica expires. */
    record Wake(int deployment, int replica) implements SimEvent {
        @Override
        public int tieBreak() {
            return 2;
        }
    }

    /**
     * A request arrives: the workload's next, or one a closed-loop client sends now that a slot is {@code granted}
     * to it (it holds the slot already).
     */
    record Arrival(SimRequest request, boolean granted) implements SimEvent {
        public Arrival(SimRequest request) {
            this(request, false);
        }

        @Override
        public int tieBreak() {
            return 3;
        }
    }

    /**
     * An arrived request reaches the scheduler after the serving system's fixed per-request overhead (gateway,
     * request building, response path; see {@code Simulator#requestOverheadNanos}); its latencies count from its
     * arrival.
     */
    record Admit(SimRequest request, org.cornserve.simulator.metrics.RequestRecord record) implements SimEvent {
        @Override
        public int tieBreak() {
            return 3;
        }
    }

    /** A starting replica has loaded its weights and warmed up. */
    record ReplicaReady(int deployment, int replica) implements SimEvent {
        @Override
        public int tieBreak() {
            return 2;
        }
    }

    /** The autoscaler's next evaluation. */
    record ScaleTick() implements SimEvent {
        @Override
        public int tieBreak() {
            return 2;
        }
    }
}
