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
 * The registered apps (Cornserve's app manager). Registering checks that every task's model is served, then adds
 * the app atomically; a failed registration changes nothing. Thread-safe.
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
    private final Map<String, Registered> apps = new LinkedHashMap<>();

    /** A registry for apps over the models a server serves. */
    public AppRegistry(List<String> servedModels) {
        this.servedModels = Set.copyOf(servedModels);
    }

    /**
     * Registers {@code app} as {@code id}.
     *
     * @throws AppRejectedException 400 for a bad id or an unserved model, 409 when the id is taken
     */
    public Registered register(String id, AppCompiler.Compiled app, String origin) {
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
        synchronized (apps) {
            if (apps.containsKey(id)) {
                throw new AppRejectedException(409, "an app with id '" + id + "' is already registered; "
                        + "DELETE /apps/" + id + " first", List.of());
            }
            Registered r = new Registered(id, app, origin, Instant.now());
            apps.put(id, r);
            return r;
        }
    }

    /** The app registered as {@code id}, or null. */
    public Registered get(String id) {
        synchronized (apps) {
            return apps.get(id);
        }
    }

    /** Unregisters {@code id}; false when no such app. */
    public boolean remove(String id) {
        synchronized (apps) {
            return apps.remove(id) != null;
        }
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
