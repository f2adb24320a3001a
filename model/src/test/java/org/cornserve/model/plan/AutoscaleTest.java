package org.cornserve.model.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cornserve.model.json.Json;
import org.cornserve.model.json.JsonFileException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AutoscaleTest {
    private static final String DEPLOYMENT = "{\"name\":\"llm\",\"tasks\":[\"llama-3.1-8b/llm\"],\"hardware\":\"h100\","
            + "\"replicas\":2,\"autoscale\":%s}";

    static Deployment read(String autoscale) {
        return Json.parse(DEPLOYMENT.formatted(autoscale), "p.json", Deployment.class);
    }

    @Test
    void defaultsFillIn() {
        Autoscale a = read("{}").autoscale();
        assertEquals("per-deployment", a.policy());
        assertEquals("utilization", a.metric());
        assertEquals(0.7, a.target());
        assertEquals(1, a.minReplicas());
        assertEquals(Integer.MAX_VALUE, a.maxReplicas());
        assertEquals(30.0, a.upCooldownSeconds());
        assertEquals(120.0, a.downCooldownSeconds());
        assertNull(a.startupSeconds());
        // 16 GB of weights on 2 devices at 2.5 GB/s each, plus 20 s of warm-up
        assertEquals(20 + 16e9 / 5e9, a.startupSeconds(16_000_000_000L, 2), 1e-9);
        assertNull(read("null").autoscale());
    }

    @Test
    void roundTrips() {
        Deployment d = read("{\"policy\":\"whole\",\"metric\":\"queue\",\"target\":64,\"min_replicas\":2,"
                + "\"max_replicas\":6,\"up_cooldown_s\":10,\"down_cooldown_s\":60,\"startup_seconds\":45}");
        assertEquals(45.0, d.autoscale().startupSeconds(1, 1));
        assertEquals(d, Json.parse(Json.write(d), "again.json", Deployment.class));
        assertEquals(d.autoscale(), d.withReplicas(5).autoscale());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"metric\":\"latency\"}|metric",
            "{\"metric\":\"queue\"}|target",
            "{\"target\":1.5}|target",
            "{\"target\":0}|target",
            "{\"min_replicas\":0}|min_replicas",
            "{\"min_replicas\":3,\"max_replicas\":2}|max_replicas",
            "{\"up_cooldown_s\":-1}|up_cooldown_s",
            "{\"down_cooldown_s\":-1}|down_cooldown_s",
            "{\"startup_seconds\":-5}|startup_seconds",
            "{\"start_up\":5}|start_up"})
    void badFieldsAreNamed(String autoscale, String field) {
        JsonFileException e = assertThrows(JsonFileException.class, () -> read(autoscale));
        assertTrue(e.getMessage().startsWith("p.json:1:") && e.getMessage().contains(field), e.getMessage());
        assertTrue(e.getMessage().contains("autoscale"), e.getMessage());
    }
}
