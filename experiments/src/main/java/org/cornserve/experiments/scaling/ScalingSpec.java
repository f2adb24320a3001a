package org.cornserve.experiments.scaling;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cornserve.model.json.Json;
import org.cornserve.traces.transform.RateModulation;

/**
 * The scaling experiment as a JSON file: a ServeGen window rescaled to a base rate and rate-modulated into
 * bursts, and the plans (with or without {@code autoscale}) to run on it. Relative paths resolve against the
 * spec's folder's parent (the repository root for {@code experiments/scaling.json}).
 *
 * @param name experiment name
 * @param seed seed of trace generation and routers
 * @param trace a ServeGen folder
 * @param window START:END seconds of the ServeGen day
 * @param app app (model) every request goes to
 * @param baseRateRps the window's rate before modulation
 * @param modulation {@link RateModulation#parse} text
 * @param slo SLO text (planner syntax), e.g. {@code ttft=1000,tpot=50}
 * @param intervalSeconds autoscaler evaluation interval (default 15)
 * @param tolerance the policy's tolerance band (default 0.1)
 * @param variants the plans compared, in order
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties({"kind"}) // read by `experiment run` to pick the runner
public record ScalingSpec(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "seed", required = true) long seed,
        @JsonProperty(value = "trace", required = true) String trace,
        @JsonProperty(value = "window", required = true) String window,
        @JsonProperty(value = "app", required = true) String app,
        @JsonProperty(value = "base_rate_rps", required = true) double baseRateRps,
        @JsonProperty(value = "modulation", required = true) String modulation,
        @JsonProperty(value = "slo", required = true) String slo,
        @JsonProperty("interval_s") Double intervalSeconds,
        @JsonProperty("tolerance") Double tolerance,
        @JsonProperty(value = "variants", required = true) List<Variant> variants) {

    /**
     * @param name row label
     * @param plan plan file
     * @param note what it is, for the summary
     */
    public record Variant(@JsonProperty(value = "name", required = true) String name,
            @JsonProperty(value = "plan", required = true) String plan,
            @JsonProperty("note") String note) {
        public Variant {
            note = note == null ? "" : note;
        }
    }

    public ScalingSpec {
        if (!(baseRateRps > 0)) {
            throw new IllegalArgumentException("base_rate_rps: must be > 0, got " + baseRateRps);
        }
        RateModulation.parse(modulation);
        intervalSeconds = intervalSeconds == null ? 15.0 : intervalSeconds;
        if (!(intervalSeconds > 0)) {
            throw new IllegalArgumentException("interval_s: must be > 0, got " + intervalSeconds);
        }
        tolerance = tolerance == null ? 0.1 : tolerance;
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance: must be in [0, 1), got " + tolerance);
        }
        if (variants == null || variants.isEmpty()) {
            throw new IllegalArgumentException("variants: must list at least one plan");
        }
        variants = List.copyOf(variants);
        Set<String> names = new HashSet<>();
        for (Variant v : variants) {
            if (!names.add(v.name())) {
                throw new IllegalArgumentException("variants: name '" + v.name() + "' appears twice");
            }
        }
    }

    public static ScalingSpec read(Path file) {
        return Json.read(file, ScalingSpec.class);
    }
}
