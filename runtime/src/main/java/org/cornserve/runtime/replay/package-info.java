/**
 * Replaying a workload trace against a live server, open loop: {@link org.cornserve.runtime.replay.Replayer} sends
 * each record at its (rescaled) arrival time whatever the server's state, with synthesised inputs of the traced
 * sizes ({@link org.cornserve.runtime.replay.RequestSynthesizer}), and records what every exchange took
 * ({@link org.cornserve.runtime.replay.ReplayRecord}).
 */
package org.cornserve.runtime.replay;
