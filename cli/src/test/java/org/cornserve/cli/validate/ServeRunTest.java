package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ServeRun}: the demo's one replay, an experiment case's, and what it refuses. */
class ServeRunTest {

    @Test
    void onceIsOneReplayWithoutCalibrationOrSensors() {
        assertNull(ServeRun.ONCE.calibration());
        assertEquals(1, ServeRun.ONCE.replays());
        assertEquals(false, ServeRun.ONCE.sense());
        assertEquals(ProbeCounts.DEFAULT, ServeRun.ONCE.probes());
        assertEquals(Validation.QUIET_MAX_MS, ServeRun.ONCE.quietMaxMs());
        ServeRun scaled = ServeRun.once(ProbeCounts.scaled(0.25), 1000);
        assertEquals(ProbeCounts.scaled(0.25), scaled.probes());
        assertEquals(1000, scaled.quietMaxMs());
        assertEquals(1, scaled.replays());
    }

    @Test
    void badSettingsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ServeRun(null, 0, false, ProbeCounts.DEFAULT,
                0));
        assertTrue(e.getMessage().contains("--replays must be at least 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ServeRun(null, 1, false, ProbeCounts.DEFAULT, -1));
        assertTrue(e.getMessage().contains("quiet host"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ServeRun(null, 1, false, null, 0));
        assertTrue(e.getMessage().contains("probe counts"), e.getMessage());
    }
}
