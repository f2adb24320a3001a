package org.cornserve.runtime.app;

import java.util.concurrent.CompletableFuture;

/**
 * The resource manager as the app manager sees it (Cornserve's app manager asks the resource manager for the task
 * managers an app needs): registering an app deploys the deployments its tasks need that are not deployed yet,
 * shared with other apps when they need the same unit tasks; unregistering removes the ones no remaining app
 * uses. Implemented by the runtime's control plane; an invoker that serves everything all the time (the in-process
 * engine) uses {@link #NONE}.
 */
public interface AppDeployer {

    /**
     * Deploys what app {@code appId} needs. The future completes once every deployment it needs serves (new
     * executors loaded and warmed up), or fails with an {@link AppRejectedException} naming why (503 when executors
     * did not start, 400 when the app asks for something the plan cannot serve); after a failure, nothing is held
     * for the app.
     */
    CompletableFuture<Void> deploy(String appId, AppConfig config);

    /** App {@code appId} is gone: deployments no remaining app uses drain (in-flight work finishes) and stop. */
    void release(String appId);

    /** How long a deploy may take before the app manager gives up on it (and releases what it held). */
    default long deployTimeoutMillis() {
        return 600_000;
    }

    /** Nothing to deploy: every model is always served. */
    AppDeployer NONE = new AppDeployer() {
        @Override
        public CompletableFuture<Void> deploy(String appId, AppConfig config) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void release(String appId) {
        }
    };
}
