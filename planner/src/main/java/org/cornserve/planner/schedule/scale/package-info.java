/**
 * Scaling with load: an {@link org.cornserve.planner.schedule.scale.Autoscaler} evaluated periodically by the
 * engine measures each scaled deployment's load from what a live engine knows (busy time, outstanding
 * invocations), a {@link org.cornserve.planner.schedule.scale.ScalingPolicy} turns it into replica counts, and the
 * autoscaler adds or removes replicas through the core within cooldowns, replica bounds and the cluster's devices.
 */
package org.cornserve.planner.schedule.scale;
