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
    private final Map<String, List<Double>> hostSlowdown = new LinkedHashMap<>();

    public ProfileBook(List<Profile> profiles) {
        this(profiles, Map.of());
    }

    /**
     * @param hostSlowdown per hardware kind (lower case), a measured host-sharing slowdown: element {@code k - 1}
     *     stretches a step while {@code k} executors of one host compute at once (see {@link #hostSlowdown})
     */
    public ProfileBook(List<Profile> profiles, Map<String, List<Double>> hostSlowdown) {
        hostSlowdown.forEach((hw, factors) -> {
            if (factors.isEmpty() || factors.stream().anyMatch(f -> !(f > 0) || Double.isInfinite(f))) {
                throw new IllegalArgumentException("host slowdown of " + hw + " needs positive finite factors, got "
                        + factors);
            }
            this.hostSlowdown.put(hw.toLowerCase(java.util.Locale.ROOT), List.copyOf(factors));
        });
        for (Profile p : profiles) {
            Profile old = byKey.put(key(p.task(), p.hardware(), p.tensorParallel()), p);
            if (old != null) {
                throw new IllegalArgumentException("two profiles for " + p.task() + " on " + p.hardware() + " at "
                        + p.tensorParallel() + " device(s); give one");
            }
        }
    }

    /** The measurement section's field holding the host-sharing slowdown by executors computing at once. */
    public static final String HOST_SLOWDOWN_FIELD = "slowdown_by_busy_executors";

    /**
     * Reads profile files ({@code cornserve profile measure} or {@code profile estimate} output); a measured set's
     * {@code measurement.host_sharing.slowdown_by_busy_executors} (written by {@code profile measure}) becomes the
     * set's hardware's {@link #hostSlowdown} (the first file that has one gives it).
     */
    public static ProfileBook load(List<Path> files) {
        List<Profile> all = new ArrayList<>();
        Map<String, List<Double>> slowdown = new LinkedHashMap<>();
        for (Path f : files) {
            ProfileSet set = Json.read(f, ProfileSet.class);
            if (set.measurement() != null && set.measurement().path("host_sharing").path(HOST_SLOWDOWN_FIELD)
                    .isArray()) {
                List<Double> factors = new ArrayList<>();
                for (com.fasterxml.jackson.databind.JsonNode n : set.measurement().path("host_sharing")
                        .path(HOST_SLOWDOWN_FIELD)) {
                    if (!n.isNumber() || !(n.asDouble() > 0)) {
                        throw new IllegalArgumentException(f + ": at measurement.host_sharing." + HOST_SLOWDOWN_FIELD
                                + ": expected positive numbers, got " + n);
                    }
                    factors.add(n.asDouble());
                }
                if (factors.isEmpty()) {
                    throw new IllegalArgumentException(f + ": at measurement.host_sharing." + HOST_SLOWDOWN_FIELD
                            + ": empty");
                }
                slowdown.putIfAbsent(set.hardware().toLowerCase(java.util.Locale.ROOT), factors);
            }
            for (Profile p : set.profiles()) {
                if (!p.hardware().equalsIgnoreCase(set.hardware())) {
                    throw new IllegalArgumentException(f + ": profile " + p.task() + " names hardware '" + p.hardware()
                            + "' in a set for '" + set.hardware() + "'");
                }
            }
            all.addAll(set.profiles());
        }
        return new ProfileBook(all, slowdown);
    }

    /**
     * The measured host-sharing slowdown of {@code hardware}'s executors: element {@code k - 1} is how much longer a
     * step takes while {@code k} executors of one host compute at once than alone (the profile's points are timed
     * alone); empty when none was measured (a GPU, whose replicas own their devices, or an estimated set).
     */
    public List<Double> hostSlowdown(String hardware) {
        return hostSlowdown.getOrDefault(hardware.toLowerCase(java.util.Locale.ROOT), List.of());
    }

    public boolean isEmpty() {
        return byKey.isEmpty();
    }

    /**
     * This book with its measured LLM profiles as compute alone ({@link Profile#computeOnly}), for a simulation that
     * charges the served runtime's per-step round trip apart; estimated and imported profiles, host slowdowns kept.
     */
    public ProfileBook computeOnly() {
        return new ProfileBook(byKey.values().stream().map(p -> p.source() == ProfileSource.MEASURED ? p.computeOnly()
                : p).toList(), hostSlowdown);
    }

    /**
     * This book with its measured LLM profiles' prefill and decode latencies scaled ({@link Profile#withComputeScale});
     * estimated and imported profiles, host slowdowns kept.
     */
    /**
     * This book with {@code factors} as the host-sharing slowdown of every hardware kind that has a measured one
     * (kinds without one, GPUs, stay unshared); this book itself where {@code factors} is empty.
     */
    public ProfileBook withHostSlowdown(List<Double> factors) {
        if (factors.isEmpty()) {
            return this;
        }
        Map<String, List<Double>> replaced = new LinkedHashMap<>();
        hostSlowdown.keySet().forEach(hw -> replaced.put(hw, factors));
        return new ProfileBook(List.copyOf(byKey.values()), replaced);
    }

    public ProfileBook withComputeScale(double prefillScale, double decodeScale) {
        return new ProfileBook(byKey.values().stream().map(p -> p.source() == ProfileSource.MEASURED
                ? p.withComputeScale(prefillScale, decodeScale) : p).toList(), hostSlowdown);
    }

    /**
     * As above with each measured prefill point scaled by {@code prefillScaleAt} of its tokens ({@link
     * PrefillScaleCurve}).
     */
    public ProfileBook withComputeScale(java.util.function.LongToDoubleFunction prefillScaleAt, double decodeScale) {
        return new ProfileBook(byKey.values().stream().map(p -> p.source() == ProfileSource.MEASURED
                ? p.withComputeScale(prefillScaleAt, decodeScale) : p).toList(), hostSlowdown);
    }

    /**
     * As above with each measured decode point scaled by {@code decodeScaleAt} of its batch too ({@link
     * Profile#withComputeScale(java.util.function.LongToDoubleFunction, java.util.function.LongToDoubleFunction)}).
     */
    public ProfileBook withComputeScale(java.util.function.LongToDoubleFunction prefillScaleAt,
            java.util.function.LongToDoubleFunction decodeScaleAt) {
        return new ProfileBook(byKey.values().stream().map(p -> p.source() == ProfileSource.MEASURED
                ? p.withComputeScale(prefillScaleAt, decodeScaleAt) : p).toList(), hostSlowdown);
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
