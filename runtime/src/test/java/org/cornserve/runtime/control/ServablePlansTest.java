package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plans the runtime cannot serve (a model without an engine) are refused by deployment and task before any executor,
 * sidecar file or socket exists; the plans it serves pass, a prefill/decode split of a tiny model's LLM among them.
 */
class ServablePlansTest {
    @TempDir
    Path shm;

    private static ResolvedPlan read(String file) {
        return PlanValidator.builtIn().readAndValidate(Path.of(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"src/test/resources/plans/tiny-omni-monolith-cpu.json",
            "src/test/resources/plans/tiny-vl-split-cpu.json", "src/test/resources/plans/tiny-vl-two-replicas.json",
            "src/test/resources/plans/tiny-omni-pd-split-cpu.json"})
    void plansOfTinyModelsAreServable(String file) {
        assertNull(ServablePlans.whyNot(read(file)));
    }

    @Test
    void theEmbeddedDefaultPlanIsServable() {
        assertNull(ServablePlans.whyNot(Runtimes.defaultPlan()));
    }

    @Test
    void aModelWithoutAnEngineIsRefusedNamingItsDeploymentAndTask() {
        String why = ServablePlans.whyNot(read("../model/src/test/resources/plans/encoder-split.json"));
        assertTrue(why != null && why.contains("deployment 'vision'")
                && why.contains("'qwen2.5-vl-7b/vision-encoder'") && why.contains("tiny engine models"), why);
    }

    @Test
    void startingAnUnservablePlanFailsBeforeAnyExecutorOrSharedMemoryFileExists() throws Exception {
        ResolvedPlan unservable = read("../model/src/test/resources/plans/encoder-split.json");
        RuntimeOptions options = RuntimeOptions.defaults().withShmDir(shm);
        long childrenBefore = ProcessHandle.current().children().count();
        IllegalArgumentException viaRuntimes = assertThrows(IllegalArgumentException.class,
                () -> Runtimes.start(unservable, DeviceSlots.parse("cpu:2"), options));
        assertTrue(viaRuntimes.getMessage().contains("qwen2.5-vl-7b/vision-encoder"), viaRuntimes.getMessage());
        try (LocalProcessLauncher launcher = new LocalProcessLauncher()) {
            IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
                    () -> new ControlPlane(unservable, DeviceSlots.parse("cpu:2"), options, launcher));
            assertEquals(viaRuntimes.getMessage(), direct.getMessage());
        }
        assertEquals(childrenBefore, ProcessHandle.current().children().count(), "no executor process started");
        try (Stream<Path> files = Files.list(shm)) {
            assertEquals(List.of(), files.toList(), "no shared-memory file was made");
        }
    }
}
