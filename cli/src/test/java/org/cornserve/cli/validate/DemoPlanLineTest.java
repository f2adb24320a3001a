package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's "planned:" line: the plan, and how far the search ranked it ahead of the next. */
class DemoPlanLineTest {

    private static final String DEPLOYMENT = "{\"name\": \"llm\", \"tasks\": [\"tiny-omni/llm\"], \"replicas\": 1,"
            + " \"devices_per_replica\": 2}";

    @Test
    void saysTheMarginOverTheRunnerUp(@TempDir Path dir) throws IOException {
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"strategy\": \"cornserve\", \"deployments\": [" + DEPLOYMENT + "],"
                + " \"explanation\": {\"measured_capacity_rps\": 13.773, \"runners_up\": [{\"plan\":"
                + " \"[tiny-omni/llm]x2@tp1\", \"measured_capacity_rps\": 13.521}, {\"plan\": \"other\","
                + " \"measured_capacity_rps\": 6.8}]}}");
        // (13.773 - 13.521) / 13.773 = 1.83%
        assertEquals("cornserve: [tiny-omni/llm] x1 on 2 slot(s) (ranked first at 13.8 req/s of simulated capacity on"
                + " the planning window; next [tiny-omni/llm]x2@tp1 at 13.5, 1.8% lower)", DemoCommand.describe(plan));
    }

    @Test
    void aPlanWithoutARankingIsJustThePlan(@TempDir Path dir) throws IOException {
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"strategy\": \"monolithic-fixed\", \"deployments\": [" + DEPLOYMENT + "]}");
        assertEquals("monolithic-fixed: [tiny-omni/llm] x1 on 2 slot(s)", DemoCommand.describe(plan));
        Files.writeString(plan, "{\"strategy\": \"cornserve\", \"deployments\": [" + DEPLOYMENT + "],"
                + " \"explanation\": {\"measured_capacity_rps\": 13.773, \"runners_up\": []}}");
        assertEquals("cornserve: [tiny-omni/llm] x1 on 2 slot(s)", DemoCommand.describe(plan), "no runner-up");
    }
}
