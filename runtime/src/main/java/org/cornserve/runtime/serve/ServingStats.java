package org.cornserve.runtime.serve;

import java.util.List;

/**
 * What a {@link ModelInvoker} can tell the gateway's {@code /metrics} about its deployments, read at each scrape.
 * An invoker that also implements this interface gets per-deployment queue, running, utilisation and restart
 * series; the gateway measures request counts, latencies, TTFT and TPOT itself.
 */
public interface ServingStats {

    /** Every deployment's state now. Called from scrape threads; must be cheap and thread-safe. */
    List<Deployment> deployments();

    /**
     * One deployment (a unit task's replicas) as seen now.
     *
     * @param name the deployment (e.g. {@code tiny-vl/llm}, {@code vision-encoder})
     * @param queued work waiting for admission to a replica (requests, images, sequences)
     * @param running work being computed now
     * @param utilisation fraction of the last few seconds its replicas spent computing, in [0, 1]
     * @param restarts times one of its replicas (executor) was restarted after a failure, since start
     * @param retries requests that lost work with one of its executors and ran again on another replica, since start
     */
    record Deployment(String name, int queued, int running, double utilisation, long restarts, long retries) {
        public Deployment {
            if (name == null || name.isBlank() || queued < 0 || running < 0 || restarts < 0 || retries < 0
                    || !(utilisation >= 0 && utilisation <= 1)) {
                throw new IllegalArgumentException("bad deployment stats: " + name + " queued " + queued
                        + " running " + running + " utilisation " + utilisation + " restarts " + restarts
                        + " retries " + retries);
            }
        }

        /** A deployment whose requests are never retried (an engine without replicas to retry on). */
        public Deployment(String name, int queued, int running, double utilisation, long restarts) {
            this(name, queued, running, utilisation, restarts, 0);
        }
    }
}
