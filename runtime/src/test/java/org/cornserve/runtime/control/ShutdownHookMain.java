package org.cornserve.runtime.control;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.runtime.serve.ModelRequest;

/**
 * Starts the default runtime, prints its session and executor pids, starts a request and then waits to be killed:
 * {@link ShutdownHookIntegrationTest} ends it with SIGTERM and checks that its shutdown hook left nothing behind.
 */
public final class ShutdownHookMain {
    private ShutdownHookMain() {
    }

    public static void main(String[] args) throws Exception {
        ControlPlane runtime = Runtimes.start(Runtimes.defaultPlan(), DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(Path.of(args[0])));
        StringBuilder pids = new StringBuilder();
        for (TaskManager tm : runtime.taskManagers()) {
            pids.append(pids.isEmpty() ? "" : ",").append(tm.executor(0).pid());
        }
        runtime.invoke(new ModelRequest("tiny-omni", "keep talking", List.of(), List.of(), 2000, 0, 1,
                Set.of(Modality.TEXT, Modality.AUDIO)), new CollectingSink());
        System.out.println("session " + runtime.session());
        System.out.println("pids " + pids);
        System.out.flush();
        Thread.sleep(600_000);
    }
}
