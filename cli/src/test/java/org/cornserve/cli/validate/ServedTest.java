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

    /**
     * The demo's decodes (a replay after a warm-up) take the served costs' {@code
     * replay_over_probe_decode_after_warmup} where set, validate's {@code replay_over_probe_decode}; left out, the demo
     * reads validate's; a negative one is refused naming its field.
     */
    @Test
    void aReplayAfterAWarmupHasItsOwnDecodeRatio() throws Exception {
        Path costs = Files.writeString(tmp.resolve("costs.json"), "{\"replay_over_probe_prefill\": 1.05,"
                + " \"replay_over_probe_decode\": 1.1, \"replay_over_probe_decode_after_warmup\": 1.3}");
        Served served = probed().withServedCosts(costs);
        assertArrayEquals(new double[] {1.05, 1.1}, served.replayOverProbe());
        assertArrayEquals(new double[] {1.05, 1.3}, served.replayOverProbe(true));
        assertEquals(1.2 * 1.1, served.asProbed(false).decodeComputeScale(), 1e-12);
        assertEquals(1.2 * 1.3, served.asProbed(false, true).decodeComputeScale(), 1e-12);
        assertEquals(1.1, served.asProbed(false, true).prefillComputeScale(), 1e-12,
                "no served shape: the prefills as probed");
        assertTrue(Validation.replayOverProbeNote(served, false, true).contains("x1.000 and x1.300"),
                Validation.replayOverProbeNote(served, false, true));

        Files.writeString(costs, "{\"replay_over_probe_decode\": 1.1}");
        assertArrayEquals(new double[] {0, 1.1}, probed().withServedCosts(costs).replayOverProbe(true));

        Files.writeString(costs, "{\"replay_over_probe_decode_after_warmup\": -1}");
        var e = assertThrows(IllegalArgumentException.class, () -> probed().withServedCosts(costs));
        assertTrue(e.getMessage().contains("replay_over_probe_decode_after_warmup"), e.getMessage());

        ServedStepCosts embedded = SimulateCommand.readServedCosts(Validation.servedCosts(
                Validation.EMBEDDED_SERVED_COSTS, tmp.resolve("embedded")));
        assertTrue(embedded.replayOverProbeDecode(true) > embedded.replayOverProbeDecode(false),
                "this machine's demos ran further above their probe than its validations");
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
