package org.cornserve.simulator.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How much {@code cornserve validate} and {@code demo} trust the served run right before a replay against the probes
 * just before it ({@link ServedStepCosts#servedBeforeWeights}). The level charged is the geometric mean {@code
 * probed^(1 - w) x before^w}, each reading times its ratio ({@code replay_over_probe_*}, {@code
 * replay_over_served_before_*} or {@code replay_over_warmup_*}). Not charged by the simulator.
 *
 * <p>The defaults are the weights chosen in code before they were data: 0.75 to validate's run before (its calibration
 * replay of the trace's own requests, or the replay before) since 7 December, chosen over the twelve replays of this
 * machine's six validations of 6 and 7 December whose own level the replay after read (the decodes 0.138, 0.103,
 * 0.079, 0.058 and 0.061 off in log at 0, 0.25, 0.5, 0.75 and 1; experiments/validation-tails.md, section 28); 0.5 to
 * the demo's warm-up's later half, synthetic requests rather than the trace's mix (0.75 made this machine's eight kept
 * demos worse, 13.7% to 17.5%). As data, a weight is judged on kept runs by {@code validate --resimulate RUN
 * --served-costs FILE} without a build: with the profiler's settled decode points (section 32) the decode probe read
 * two validations' decode levels nearer than the run before, but the probe alone at the ratio fitted on them, judged
 * on a third, held out, was 5.5% off pooled against 3.4% with these weights (section 33).
 *
 * <p>A field left out of the JSON keeps its default, so {@code {"decode": 0}} charges validate's decodes at the probe's
 * level and leaves the rest as it was.
 *
 * @param prefill validate's weight to the run before for prefills, 0 (the probes alone) to 1 (the run before alone)
 * @param decode the same for decodes
 * @param warmup the demo's weight to its warm-up's later half, for both
 */
public record ServedBeforeWeights(@JsonProperty("prefill") double prefill, @JsonProperty("decode") double decode,
        @JsonProperty("warmup") double warmup) {

    /** The weights charged where the served costs name none. */
    public static final ServedBeforeWeights DEFAULT = new ServedBeforeWeights(0.75, 0.75, 0.5);

    public ServedBeforeWeights {
        check("prefill", prefill);
        check("decode", decode);
        check("warmup", warmup);
    }

    /** From JSON: each field left out at its {@link #DEFAULT}. */
    @JsonCreator
    static ServedBeforeWeights fromJson(@JsonProperty("prefill") Double prefill, @JsonProperty("decode") Double decode,
            @JsonProperty("warmup") Double warmup) {
        return new ServedBeforeWeights(prefill != null ? prefill : DEFAULT.prefill,
                decode != null ? decode : DEFAULT.decode, warmup != null ? warmup : DEFAULT.warmup);
    }

    private static void check(String field, double w) {
        if (!(w >= 0 && w <= 1)) {
            throw new IllegalArgumentException("served step costs: served_before_weights." + field
                    + " must be 0 to 1, got " + w);
        }
    }

    /** The prefill and decode weights of a validation's run before ({@code warmup} false) or a demo's warm-up. */
    public double[] of(boolean warmup) {
        return warmup ? new double[] {this.warmup, this.warmup} : new double[] {prefill, decode};
    }
}
