package org.cornserve.planner.baseline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cornserve.planner.PlannerTask;
import org.cornserve.planner.search.CornserveSearch;

/**
 * The planning strategies by name: the four baselines ({@code monolithic}: the whole model in each
 * replica; {@code encoder-split}: encoders apart from the LLM; {@code pd-split}: prefill (with the
 * encoders) apart from decode (with what follows it); {@code full-split}: every unit task apart, LLM
 * prefill and decode split) and {@code cornserve}, the search. Each baseline is the best plan of its
 * grouping that the same allocation search finds; {@code <baseline>-fixed} is the paper's fixed deployment
 * of that grouping (smallest tensor-parallel degree that fits, no ranking).
 */
public final class Strategies {
    private Strategies() {}

    /** Suffix of the paper's fixed deployments. */
    public static final String FIXED_SUFFIX = "-fixed";

    /** The four baselines' names, searched. */
    public static final List<String> BASELINES = List.of("monolithic", "encoder-split", "pd-split", "full-split");

    private static final Map<String, Function<CornserveSearch.Options, PlanningStrategy>> REGISTRY = new LinkedHashMap<>();

    static {
        Map<String, Function<List<PlannerTask>, List<List<String>>>> rules = new LinkedHashMap<>();
        rules.put("monolithic", FixedGroupingStrategy::monolithic);
        rules.put("encoder-split", FixedGroupingStrategy::encoderSplit);
        rules.put("pd-split", FixedGroupingStrategy::pdSplit);
        rules.put("full-split", FixedGroupingStrategy::fullSplit);
        rules.forEach((name, rule) -> REGISTRY.put(name, o -> new FixedGroupingStrategy(name, rule, o, false)));
        REGISTRY.put("cornserve", CornserveStrategy::new);
        rules.forEach((name, rule) -> REGISTRY.put(name + FIXED_SUFFIX,
                o -> new FixedGroupingStrategy(name + FIXED_SUFFIX, rule, o, true)));
    }

    /** Registered names: baselines, cornserve, then the fixed deployments. */
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
