package org.cornserve.runtime.serve.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BusyWindowTest {
    @Test
    void utilisationIsTheBusyShareOfTheLastWindow() {
        AtomicLong now = new AtomicLong(10_000);
        BusyWindow w = new BusyWindow(1000, now::get);
        assertEquals(0.0, w.utilisation());
        w.busy(9_000, 9_500);   // half of [9000, 10000]
        assertEquals(0.5, w.utilisation(), 1e-12);
        w.busy(9_800, 10_000);
        assertEquals(0.7, w.utilisation(), 1e-12);
        now.set(10_250);        // window [9250, 10250]: 250 + 200 busy
        assertEquals(0.45, w.utilisation(), 1e-12);
        now.set(20_000);
        assertEquals(0.0, w.utilisation());
    }
}
