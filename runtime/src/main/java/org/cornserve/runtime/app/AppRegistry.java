package org.cornserve.runtime.app;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The registered apps (Cornserve's app manager). Registering checks that every task's model is served, reserves the
 * id, has the {@link AppDeployer} deploy what the app needs (waiting until it serves), then adds the app; a failed
 * registration (a bad id or model, a taken id, executors that did not start) changes nothing. Unregistering
 * releases the app's deployments. Thread-safe; registrations of different apps deploy concurrently.
 */
public final class AppRegistry {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /**
     * One registered app.
     *
     * @param id its id in {@code /apps/{id}/invoke}
     * @param app the compiled, checked app
     * @param origin "built-in" or "source"
     * @param registeredAt when it was registered
     */
    public record Registered(String id, AppCompiler.Compiled app, String origin, Instant registeredAt) {
    }

    private final Set<String> servedModels;
    private final AppDeployer deployer;
    private final Map<String, Registered> apps = new LinkedHashMap<>();
    private final Set<String> deploying = new java.util.HashSet<>();

    /** A registry for apps over the models a server serves, every one of them always deployed. */
    public AppRegistry(List<String> servedModels) {
        this(servedModels, AppDeployer.NONE);
    }

    /** A registry whose apps deploy what they need through {@code deployer} when registered. */
    public AppRegistry(List<String> servedModels, AppDeployer deployer) {
        this.servedModels = Set.copyOf(servedModels);
        this.deployer = deployer;
    }

    /** A registration under way: its id is reserved and its deployments are starting. */
    public final class Pending {
        private final Registered app;
        private final java.util.concurrent.CompletableFuture<Void> deployed;

        private Pending(Registered app, java.util.concurrent.CompletableFuture<Void> deployed) {
            this.app = app;
            this.deployed = deployed;
        }

        /** The app's id. */
        public String id() {
            return app.id();
        }
    }

    /**
     * Registers {@code app} as {@code id} once what it needs is deployed.
     *
     * @throws AppRejectedException 400 for a bad id or an unserved model, 409 when the id is taken, 503 when its
     *     deployments did not start (with the reason)
     */
    public Registered register(String id, AppCompiler.Compiled app, String origin) {
        return finish(begin(id, app, origin));
    }

    /**
     * Checks {@code app}, reserves {@code id} and starts deploying what it needs, without waiting: several
     * registrations begun before any {@link #finish} deploy at the same time.
     *
     * @throws AppRejectedException 400 for a bad id or an unserved model, 409 when the id is taken
     */
    public Pending begin(String id, AppCompiler.Compiled app, String origin) {
        check(id, app);
        synchronized (apps) {
            if (apps.containsKey(id) || deploying.contains(id)) {
                throw new AppRejectedException(409, "an app with id '" + id + "' is already registered; "
                        + "DELETE /apps/" + id + " first", List.of());
            }
            deploying.add(id);
        }
        java.util.concurrent.CompletableFuture<Void> deployed;
        try {
            deployed = deployer.deploy(id, app.config());
        } catch (RuntimeException e) {
            deployed = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        return new Pending(new Registered(id, app, origin, Instant.now()), deployed);
    }

    /**
     * Waits until {@code pending}'s deployments serve, then adds the app (in the order of the calls to finish).
     *
     * @throws AppRejectedException when they did not start (503, or the deployer's own status), or took longer than
     *     the deployer's timeout (503); the id is free again and nothing is held for the app
     */
    public Registered finish(Pending pending) {
        String id = pending.id();
        try {
            pending.deployed.get(deployer.deployTimeoutMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                | InterruptedException | RuntimeException e) {
            deployer.release(id);
            synchronized (apps) {
                deploying.remove(id);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            if (cause instanceof AppRejectedException rejected) {
                throw rejected;
            }
            throw new AppRejectedException(503, "app '" + id + "' was not registered: its deployments did not start"
                    + (e instanceof java.util.concurrent.TimeoutException ? " within "
                    + deployer.deployTimeoutMillis() + " ms" : ": " + cause), List.of());
        }
        synchronized (apps) {
            deploying.remove(id);
            Registered r = new Registered(id, pending.app.app(), pending.app.origin(), Instant.now());
            apps.put(id, r);
            return r;
        }
    }

    private void check(String id, AppCompiler.Compiled app) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new AppRejectedException("app id '" + id + "' must be 1 to 63 lowercase letters, digits or '-', "
                    + "starting with a letter or digit");
        }
        app.config().tasks().forEach((name, task) -> {
            if (!servedModels.contains(task.model())) {
                throw new AppRejectedException("task '" + name + "' of " + app.className() + " names model '"
                        + task.model() + "', which this server does not serve (it serves "
                        + String.join(", ", servedModels.stream().sorted().toList()) + ")");
            }
        });
    }

    /** The app registered as {@code id}, or null. */
    public Registered get(String id) {
        synchronized (apps) {
            return apps.get(id);
        }
    }

    /** Unregisters {@code id} and releases its deployments (those no other app uses drain and stop); false when no such app. */
    public boolean remove(String id) {
        synchronized (apps) {
            if (apps.remove(id) == null) {
                return false;
            }
        }
        deployer.release(id);
        return true;
    }

    /** Every registered app, in registration order. */
    public List<Registered> list() {
        synchronized (apps) {
            return new ArrayList<>(apps.values());
        }
    }

    /** The id an app class gets when none is given: its simple name in kebab case ({@code EchoApp} -> {@code echo-app}). */
    public static String defaultId(String className) {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return simple.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
