package org.cornserve.cli.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code cornserve plan-mixed} end to end on a small seeded trace. */
class PlanMixedCommandTest {
    @TempDir
    Path tmp;

    @Test
    void plansOnTwoKindsAndWritesAValidPlanOnBothNodeGroups() throws Exception {
        PlanCommandTest helper = new PlanCommandTest();
        helper.tmp = tmp;
        Path out = tmp.resolve("mixed.json");
        PlanCommandTest.Run r = PlanCommandTest.run("plan-mixed", "--model", "qwen2.5-vl-7b", "--node-group", "h100-sxm:1:2",
                "--node-group", "l40s:1:2", "--trace", helper.trace().toString(), "--slo", "ttft=1000,tpot=50",
                "--rank", "analytic", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("requests per dollar") && r.out().contains("h100-sxm only"), r.out());
        DeploymentPlan plan = PlanValidator.builtIn().readAndValidate(out).plan();
        assertEquals(2, plan.cluster().nodeGroups().size());
    }

    @Test
    void aKindWithoutAPriceIsAClearError() throws Exception {
        PlanCommandTest helper = new PlanCommandTest();
        helper.tmp = tmp;
        PlanCommandTest.Run r = PlanCommandTest.run("plan-mixed", "--model", "qwen2.5-vl-7b", "--node-group", "a100-80gb:1:2",
                "--trace", helper.trace().toString(), "--rank", "analytic", "--out", tmp.resolve("x.json").toString());
        assertTrue(r.exitCode() != 0);
        assertTrue(r.err().contains("--price a100-80gb=USD"), r.err());
    }
}
