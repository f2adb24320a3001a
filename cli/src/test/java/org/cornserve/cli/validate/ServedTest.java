package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cornserve.cli.simulate.SimulateCommand;
import org.cornserve.simulator.config.ServedStepCosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Served}: its served costs are read once, when the run is built with their file, and travel with it. */
class ServedTest {
    @TempDir
    Path tmp;

    private Served probed() {
        return new Served(5, 0.3, Map.of(), null, null, 0, HostLoad.NONE, 1.1, 1.2, 0.05, null);
    }

    @Test
    void theCostsAreReadWhenTheFileIsNamedAndNotAgain() throws Exception {
        Path file = Validation.servedCosts(Validation.EMBEDDED_SERVED_COSTS, tmp);
        ServedStepCosts expected = SimulateCommand.readServedCosts(file);
        Served served = probed().withServedCosts(file);
        assertEquals(expected, served.costs());
        Files.delete(file);
        // everything charged from the costs still answers: it holds them, not the file
        assertArrayEquals(new double[] {expected.replayOverProbePrefill(), expected.replayOverProbeDecode()},
                served.replayOverProbe());
        assertArrayEquals(expected.servedBeforeWeights().of(false), served.servedBeforeWeights(false));
        assertEquals(expected.prefillAfterPrefillRatio(), served.chargedPrefillAfterPrefillRatio());
        assertEquals(0.05, served.chargedExtraMsPerSequence(), "the batch probe's extra, measured");
        assertEquals(expected.extraMsPerSequence(), served.withExtraMsPerSequence(Double.NaN)
                .chargedExtraMsPerSequence(), "the served costs' own where the probe measured none");
        assertEquals(expected.draws() ? expected.passes() : 1, served.predictionPasses());
        // the copies a prediction and the diagnoses make keep the costs read, not a second reading
        for (Served copy : new Served[] {served.withStepOverheadMs(0.4), served.withComputeScales(1, 1),
            served.atSpeedTrace(null), served.atProfileSpeed(), served.asProbed(true), served.withPrefillCurve(null)}) {
            assertSame(served.costs(), copy.costs());
            assertEquals(file, copy.servedCosts());
        }
    }

    @Test
    void withoutAFileThereAreNoCosts() {
        Served served = probed().withServedCosts(null);
        assertNull(served.costs());
        assertArrayEquals(new double[2], served.replayOverProbe());
        assertEquals(0, served.chargedExtraMsPerSequence(), "nothing extra without served costs");
        assertEquals(1, served.predictionPasses());
        assertTrue(served.simulateArgs().stream().noneMatch(a -> a.equals("--served-costs")));
        // costs handed in without their file are dropped: the file is what a simulation is told to charge
        Served orphan = new Served(5, 0.3, Map.of(), null, null, 0, HostLoad.NONE, 1, 1, Double.NaN, null,
                ServedStepCosts.NONE);
        assertNull(orphan.costs());
    }

    @Test
    void aBadCostsFileFailsAsTheRunIsBuiltNamingTheFile() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad-costs.json"), "{\"replay_over_probe_decode\": \"fast\"}");
        var e = assertThrows(IllegalArgumentException.class, () -> probed().withServedCosts(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        Path missing = tmp.resolve("missing.json");
        var gone = assertThrows(java.io.UncheckedIOException.class, () -> probed().withServedCosts(missing));
        assertTrue(gone.getMessage().contains(missing.toString()), gone.getMessage());
    }
}
