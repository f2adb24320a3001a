package org.cornserve.model.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cornserve.model.json.Json;
import org.cornserve.model.task.UnitTask;

/**
 * Named models. {@link #builtIn()} loads {@code /org/cornserve/model/catalog/models.json} (every number
 * with its source); {@link #of(List)} builds one from records. Task ids ({@code model/component[:phase]}
 * or a share id such as {@code gemma-3-siglip}) resolve through {@link #unitTask(String)}.
 */
public final class ModelCatalog {
    /** Class-path resource holding the built-in models. */
    public static final String RESOURCE = "/org/cornserve/model/catalog/models.json";

    private static volatile ModelCatalog builtIn;

    private final Map<String, ModelSpec> byName;

    private ModelCatalog(List<ModelSpec> models) {
        Map<String, ModelSpec> map = new LinkedHashMap<>();
        for (ModelSpec m : models) {
            if (map.putIfAbsent(m.name(), m) != null) {
                throw new IllegalArgumentException("model '" + m.name() + "' appears twice in the catalog");
            }
        }
        this.byName = map;
        checkSharedComponentsAgree();
    }

    /** Components with the same share id must be the same component (same architecture and settings). */
    private void checkSharedComponentsAgree() {
        Map<String, UnitTask> seen = new LinkedHashMap<>();
        for (ModelSpec m : byName.values()) {
            for (UnitTask t : m.unitTasks()) {
                if (t.component().shareId().isEmpty()) {
                    continue;
                }
                UnitTask old = seen.putIfAbsent(t.id(), t);
                if (old != null && !old.component().equals(t.component())) {
                    throw new IllegalArgumentException("share id '" + t.id() + "' is used by different components in "
                            + old.model() + " and " + m.name());
                }
            }
        }
    }

    public static ModelCatalog of(List<ModelSpec> models) {
        return new ModelCatalog(models);
    }

    /** A catalog read from a file in the layout of the built-in one ({@code {"models": [...]}}). */
    public static ModelCatalog read(java.nio.file.Path file) {
        return new ModelCatalog(Json.read(file, File.class).models());
    }

    /** This catalog followed by another's models (a model name in both is an error). */
    public ModelCatalog plus(ModelCatalog other) {
        List<ModelSpec> all = new ArrayList<>(byName.values());
        all.addAll(other.models());
        return new ModelCatalog(all);
    }

    /** The built-in catalog (loaded once). */
    public static ModelCatalog builtIn() {
        ModelCatalog c = builtIn;
        if (c == null) {
            synchronized (ModelCatalog.class) {
                c = builtIn;
                if (c == null) {
                    c = new ModelCatalog(Json.readResource(RESOURCE, File.class).models());
                    builtIn = c;
                }
            }
        }
        return c;
    }

    /** The model with this name (case-insensitive); an unknown name lists the known ones. */
    public ModelSpec model(String name) {
        ModelSpec m = byName.get(name.trim().toLowerCase(Locale.ROOT));
        if (m == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known: " + String.join(", ", names()));
        }
        return m;
    }

    public boolean contains(String name) {
        return byName.containsKey(name.trim().toLowerCase(Locale.ROOT));
    }

    public List<ModelSpec> models() {
        return List.copyOf(byName.values());
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /**
     * Resolves a task id: {@code model/component}, {@code model/component:prefill|decode}, or a share id
     * (optionally with a phase). An unknown id lists the known ones.
     */
    public UnitTask unitTask(String taskId) {
        String id = taskId.trim().toLowerCase(Locale.ROOT);
        int slash = id.indexOf('/');
        if (slash > 0) {
            String model = id.substring(0, slash);
            if (!contains(model)) {
                throw new IllegalArgumentException("unknown model '" + model + "' in task id '" + taskId
                        + "'; known models: " + String.join(", ", names()));
            }
            try {
                return model(model).unitTask(id.substring(slash + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown task id '" + taskId + "' (" + e.getMessage()
                        + "); known task ids of " + model + ": " + String.join(", ", knownTaskIds(List.of(model))));
            }
        }
        for (ModelSpec m : byName.values()) {
            for (UnitTask t : m.unitTasks(true)) {
                if (t.id().equals(id)) {
                    return t;
                }
            }
            for (UnitTask t : m.unitTasks(false)) {
                if (t.id().equals(id)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown task id '" + taskId + "'; task ids look like model/component"
                + " (e.g. qwen2.5-vl-7b/llm or qwen2.5-vl-7b/llm:prefill) or a shared id; known shared ids: "
                + String.join(", ", sharedIds()));
    }

    private Set<String> sharedIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (ModelSpec m : byName.values()) {
            m.components().stream().filter(c -> !c.shareId().isEmpty()).forEach(c -> ids.add(c.shareId()));
        }
        return ids;
    }

    /** Every task id the given models accept, whole and split ({@code :prefill}, {@code :decode}). */
    public List<String> knownTaskIds(Collection<String> modelNames) {
        Set<String> ids = new LinkedHashSet<>();
        for (String name : modelNames) {
            ModelSpec m = model(name);
            m.unitTasks(false).forEach(t -> ids.add(t.id()));
            m.unitTasks(true).forEach(t -> ids.add(t.id()));
        }
        return List.copyOf(ids);
    }

    /**
     * The distinct unit tasks of several models (the set that sharing works on): equivalent tasks (same
     * share id and component) appear once, attributed to the first model that has them.
     */
    public Set<UnitTask> distinctUnitTasks(Collection<String> modelNames, boolean splitLlm) {
        Set<UnitTask> tasks = new LinkedHashSet<>();
        for (String name : modelNames) {
            tasks.addAll(model(name).unitTasks(splitLlm));
        }
        return tasks;
    }

    /** The JSON layout of the model catalog file. */
    public record File(@JsonProperty(value = "models", required = true) List<ModelSpec> models) {
        public File {
            models = List.copyOf(new ArrayList<>(models));
        }
    }
}
