package org.cornserve.runtime.app;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An app's configuration: the tasks it calls, by the names its serve function uses.
 *
 * @param tasks at least one; insertion order is kept
 */
public record AppConfig(Map<String, Task> tasks) {
    public AppConfig {
        if (tasks == null || tasks.isEmpty()) {
            throw new IllegalArgumentException("an app's config must name at least one task");
        }
        tasks.forEach((name, task) -> {
            if (name == null || name.isBlank() || task == null) {
                throw new IllegalArgumentException("every task in an app's config needs a name and a task");
            }
        });
        tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
    }

    /** A config with one task. */
    public static AppConfig of(String name, Task task) {
        return new AppConfig(Map.of(name, task));
    }

    /** A config with tasks given as name, task, name, task, ... in that order. */
    public static AppConfig of(Object... namesAndTasks) {
        if (namesAndTasks.length == 0 || namesAndTasks.length % 2 != 0) {
            throw new IllegalArgumentException("AppConfig.of takes name, task pairs");
        }
        Map<String, Task> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTasks.length; i += 2) {
            if (!(namesAndTasks[i] instanceof String name) || !(namesAndTasks[i + 1] instanceof Task task)) {
                throw new IllegalArgumentException("AppConfig.of: argument " + i + " must be a String name and "
                        + "argument " + (i + 1) + " a Task");
            }
            m.put(name, task);
        }
        return new AppConfig(m);
    }
}
