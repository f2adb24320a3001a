package org.cornserve.model.profile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.json.Json;

/**
 * Profiles that replace the roofline estimate task by task ({@code --profiles FILE...}): a unit task on a hardware
 * kind at a device count uses the profile given for it, and the estimate where none is. A profile of a whole LLM
 * ({@code model/llm}) also serves its prefill and decode phases ({@code model/llm:prefill}, {@code model/llm:decode})
 * unless a phase has a profile of its own.
 */
public final class ProfileBook {
    /** No profiles: every task keeps its estimate. */
    public static final ProfileBook EMPTY = new ProfileBook(List.of());

    private final Map<String, Profile> byKey = new LinkedHashMap<>();

    public ProfileBook(List<Profile> profiles) {
        for (Profile p : profiles) {
            Profile old = byKey.put(key(p.task(), p.hardware(), p.tensorParallel()), p);
            if (old != null) {
                throw new IllegalArgumentException("two profiles for " + p.task() + " on " + p.hardware() + " at "
                        + p.tensorParallel() + " device(s); give one");
            }
        }
    }

    /** Reads profile files ({@code cornserve profile measure} or {@code profile estimate} output). */
    public static ProfileBook load(List<Path> files) {
        List<Profile> all = new ArrayList<>();
        for (Path f : files) {
            ProfileSet set = Json.read(f, ProfileSet.class);
            for (Profile p : set.profiles()) {
                if (!p.hardware().equalsIgnoreCase(set.hardware())) {
                    throw new IllegalArgumentException(f + ": profile " + p.task() + " names hardware '" + p.hardware()
                            + "' in a set for '" + set.hardware() + "'");
                }
            }
            all.addAll(set.profiles());
        }
        return new ProfileBook(all);
    }

    public boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** Every profile, in the order given. */
    public List<Profile> profiles() {
        return List.copyOf(byKey.values());
    }

    /**
     * The profile of {@code taskId} on {@code hardware} at {@code devices} devices per replica: its own, else (for a
     * phase of an LLM) the whole LLM's.
     */
    public Optional<Profile> find(String taskId, String hardware, int devices) {
        Profile p = byKey.get(key(taskId, hardware, devices));
        String whole = org.cornserve.model.task.LlmPhase.wholeTaskId(taskId);
        if (p == null && !whole.equals(taskId)) {
            p = byKey.get(key(whole, hardware, devices));
        }
        return Optional.ofNullable(p);
    }

    private static String key(String task, String hardware, int devices) {
        return task + "@" + hardware.toLowerCase(java.util.Locale.ROOT) + "x" + devices;
    }
}
