package org.cornserve.runtime.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link GatewayBench} on a small load: every request answered and its overhead recorded, one row per kind of
 * request. The figures themselves are the bench's to print (timings are measured, not asserted).
 */
@Tag("slow")
@Timeout(120)
class GatewayOverheadTest {

    @Test
    void theBenchMeasuresEveryRequestAgainstTheEngineAndTheInstantInvoker() throws Exception {
        List<GatewayBench.Row> engine = GatewayBench.engine(3, 4, 2);
        List<GatewayBench.Row> instant = GatewayBench.instant(3, 20);
        assertEquals(List.of("chat completions, JSON", "chat completions, SSE stream", "chat app with a 56 px image"),
                engine.stream().map(GatewayBench.Row::request).toList());
        assertEquals(List.of("chat completions, JSON", "chat completions, SSE stream"),
                instant.stream().map(GatewayBench.Row::request).toList());
        for (GatewayBench.Row r : engine) {
            assertEquals(12, r.requests(), r.toString());
        }
        for (GatewayBench.Row r : instant) {
            assertEquals(60, r.requests(), r.toString());
        }
        for (GatewayBench.Row r : List.of(engine.get(0), instant.get(0))) {
            assertTrue(r.p50Ms() > 0 && r.p50Ms() <= r.p99Ms() && r.p99Ms() <= r.maxMs() && r.seconds() > 0,
                    r.toString());
            System.out.println(r.line());
        }
    }
}
