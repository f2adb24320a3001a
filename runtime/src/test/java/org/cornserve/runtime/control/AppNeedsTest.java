package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.app.Task;
import org.cornserve.runtime.app.builtin.BuiltInApps;
import org.cornserve.runtime.app.AppCompiler;
import org.junit.jupiter.api.Test;

/** Which of a plan's deployments an app's tasks need: by the unit tasks its requests can touch. */
class AppNeedsTest {
    private static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    private static Set<Integer> needs(ResolvedPlan plan, Task... tasks) {
        return new AppNeeds(plan, CATALOG).deployments(List.of(tasks));
    }

    @Test
    void speechNeedsTheTalkerDeploymentAndTextDoesNot() {
        ResolvedPlan omni = Runtimes.defaultPlan(); // thinker (encoders + LLM), speech (talker + vocoder)
        assertEquals(Set.of(0), needs(omni, Task.of("tiny-omni")));
        assertEquals(Set.of(0, 1), needs(omni, Task.of("tiny-omni", Modality.TEXT, Modality.AUDIO)));
        Set<Integer> voice = new AppNeeds(omni, CATALOG).deployments(AppCompiler.check(BuiltInApps.all().get("voice"))
                .config().tasks().values());
        assertEquals(Set.of(0, 1), voice, "the built-in voice app deploys the whole default plan");
    }

    @Test
    void appsOnTheSameModelNeedTheSameDeploymentAndOthersNeedTheirOwn() {
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(Path.of("src/test/resources/plans/tiny-vl-image-cpu.json"));
        assertEquals(Set.of(0), needs(plan, Task.of("tiny-vl")));
        assertEquals(Set.of(1), needs(plan, Task.of("tiny-image", Modality.IMAGE)));
        assertEquals(Set.of(0, 1), needs(plan, Task.of("tiny-image", Modality.IMAGE), Task.of("tiny-vl")));
    }

    @Test
    void whatThePlanCannotServeIsRefusedWithTheReason() {
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(Path.of("src/test/resources/plans/tiny-vl-image-cpu.json"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> needs(plan, Task.of("tiny-omni")));
        assertTrue(missing.getMessage().contains("tiny-omni/") && missing.getMessage().contains("no deployment"),
                missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> needs(plan, Task.of("tiny-vl", Modality.AUDIO)),
                "tiny-vl cannot speak");
    }
}
