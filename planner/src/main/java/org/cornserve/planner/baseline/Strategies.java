package org.cornserve.planner.baseline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cornserve.planner.search.CornserveSearch;

/**
 * The planning strategies by name: the four baselines ({@code monolithic}: the whole model in each
 * replica; {@code encoder-split}: encoders apart from the LLM; {@code pd-split}: prefill (with the
 * encoders) apart from decode (with what follows it); {@code full-split}: every unit task apart, LLM
 * prefill and decode split) and {@code cornserve}, the search.
 */
public final class Strategies {
    private Strategies() {}

    private static final Map<String, Function<CornserveSearch.Options, PlanningStrategy>> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("monolithic", o -> new FixedGroupingStrategy("monolithic", FixedGroupingStrategy::monolithic, o));
        REGISTRY.put("encoder-split", o -> new FixedGroupingStrategy("encoder-split", FixedGroupingStrategy::encoderSplit, o));
        REGISTRY.put("pd-split", o -> new FixedGroupingStrategy("pd-split", FixedGroupingStrategy::pdSplit, o));
        REGISTRY.put("full-split", o -> new FixedGroupingStrategy("full-split", FixedGroupingStrategy::fullSplit, o));
        REGISTRY.put("cornserve", CornserveStrategy::new);
    }

    /** Registered names, baselines first. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The named strategy; an unknown name lists the known ones. */
    public static PlanningStrategy byName(String name, CornserveSearch.Options options) {
        Function<CornserveSearch.Options, PlanningStrategy> f = REGISTRY.get(name.trim().toLowerCase(java.util.Locale.ROOT));
        if (f == null) {
            throw new IllegalArgumentException("unknown strategy '" + name + "'; known: " + String.join(", ", names()));
        }
        return f.apply(options);
    }

    public static PlanningStrategy byName(String name) {
        return byName(name, CornserveSearch.Options.DEFAULT);
    }
}
