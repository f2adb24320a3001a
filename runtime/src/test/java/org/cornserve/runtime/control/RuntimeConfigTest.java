package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {

    @Test
    void theDefaultPlanSplitsSpeechFromTheThinkerOnTwoSlots() {
        ResolvedPlan plan = Runtimes.defaultPlan();
        assertEquals(List.of("tiny-omni"), plan.models().stream().map(m -> m.name()).toList());
        List<DeploymentConfig> configs = PlanDeployments.of(plan, RuntimeOptions.defaults());
        assertEquals(List.of("thinker", "speech"), configs.stream().map(DeploymentConfig::name).toList());
        TaskConfig.Llm llm = (TaskConfig.Llm) configs.get(0).tasks().get(2);
        assertEquals("tiny-omni/llm", llm.taskKey());
        assertEquals(16384, llm.batching().kvCapacityTokens(), "the plan's KV figure is capped by the options");
        assertEquals(4, llm.batching().maxRunIterations());
        assertEquals(256, configs.get(0).maxOutstandingInvocations());
        assertEquals(2, ResourcePlacement.threadsPerReplica(plan, new DeviceSlots("cpu", 2, 1)).length);
    }

    @Test
    void aModelIsServedWhenOneOfItsDeploymentsHasAReplicaUp() throws Exception {
        ResolvedPlan two = org.cornserve.model.plan.PlanValidator.builtIn().readAndValidate(
                java.nio.file.Path.of("src/test/resources/plans/tiny-vl-image-cpu.json"));
        assertEquals(List.of(), PlanDeployments.modelsServed(two, d -> false));
        assertEquals(List.of("tiny-image"), PlanDeployments.modelsServed(two, d -> d == 1));
        assertEquals(List.of("tiny-vl"), PlanDeployments.modelsServed(two, d -> d == 0));
        assertEquals(List.of("tiny-vl", "tiny-image"), PlanDeployments.modelsServed(two, d -> true));
        ResolvedPlan omni = Runtimes.defaultPlan();
        assertEquals(List.of("tiny-omni"), PlanDeployments.modelsServed(omni, d -> d == 1), "speech alone is up");
        assertEquals(List.of(), PlanDeployments.modelsServed(omni, d -> false));
    }

    @Test
    void aPlanLargerThanTheDevicesIsRefusedWithTheNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResourcePlacement.threadsPerReplica(Runtimes.defaultPlan(), new DeviceSlots("cpu", 1, 2)));
        assertTrue(e.getMessage().contains("needs 2 cpu slots") && e.getMessage().contains("gives 1"), e.getMessage());
    }

    @Test
    void devicesParseWithClearErrors() {
        assertEquals(3, DeviceSlots.parse("cpu:3").count());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceSlots.parse("cpu")).getMessage()
                .contains("KIND:COUNT"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceSlots.parse("gpu:2")).getMessage()
                .contains("not supported"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceSlots.parse("cpu:x")).getMessage()
                .contains("not a number"));
    }
}
