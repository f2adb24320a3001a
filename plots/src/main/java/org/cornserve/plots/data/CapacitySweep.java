package org.cornserve.plots.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A plan's runs at several offered rates, as {@code cornserve capacity --out} writes {@code capacity.json}: the
 * bisection's probes, each a full run.
 *
 * @param slo the targets, as text
 * @param attainmentTarget the SLO attainment the capacity is defined by
 * @param capacityRps the highest rate found to meet it
 * @param probes the runs, in the order they were made
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CapacitySweep(@JsonProperty(value = "plan", required = true) String plan,
        @JsonProperty("slo") String slo,
        @JsonProperty(value = "attainment_target", required = true) double attainmentTarget,
        @JsonProperty(value = "capacity_rps", required = true) double capacityRps,
        @JsonProperty(value = "probes", required = true) List<SweepPoint> probes) {

    public CapacitySweep {
        probes = List.copyOf(probes);
    }
}
