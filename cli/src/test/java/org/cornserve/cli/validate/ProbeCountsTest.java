package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code validate --probe-scale}: each probe's requests scaled, rounded, never below the least a probe reads. */
class ProbeCountsTest {

    @Test
    void theDefaultsAreTheProbesConstantsAndScaleByRoundingWithAFloor() {
        assertEquals(new ProbeCounts(30, 12, 24, 6), ProbeCounts.DEFAULT);
        assertEquals(ProbeCounts.DEFAULT, ProbeCounts.scaled(1));
        assertEquals(new ProbeCounts(15, 6, 12, 3), ProbeCounts.scaled(0.5));
        // 7.5, 3, 6 and 1.5 rounded half up
        assertEquals(new ProbeCounts(8, 3, 6, 2), ProbeCounts.scaled(0.25));
        assertEquals(ProbeCounts.LEAST, ProbeCounts.scaled(0.01));
        assertEquals(new ProbeCounts(3, 3, Probes.MIN_DECODE_PROBE_REQUESTS, 1), ProbeCounts.LEAST);
        // as validation.json records them
        assertEquals("{\"idle\":8,\"shape\":3,\"decode\":6,\"batch_groups\":2}",
                org.cornserve.model.json.Json.mapper().valueToTree(ProbeCounts.scaled(0.25)).toString());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -0.5, 1.01, Double.NaN})
    void aScaleOutsideZeroToOneIsRefused(double x) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProbeCounts.scaled(x));
        assertTrue(e.getMessage().contains("--probe-scale"), e.getMessage());
    }

    @Test
    void countsBelowTheLeastAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProbeCounts(30, 12, 3, 6));
        assertTrue(e.getMessage().contains("4 decode") && e.getMessage().contains("got 30, 12, 3 and 6"),
                e.getMessage());
    }
}
