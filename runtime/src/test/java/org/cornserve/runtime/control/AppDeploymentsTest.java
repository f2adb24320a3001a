package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.schedule.Decisions;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.ReplicaStatus;
import org.cornserve.planner.schedule.SchedulerCore;
import org.cornserve.runtime.app.AppRejectedException;
import org.cornserve.runtime.app.Task;
import org.junit.jupiter.api.Test;

/**
 * Which deployments run as apps come and go, on the scheduling core alone (no processes): the default plan's thinker
 * (0) and speech (1) deployments, started and stopped through the core's replica decisions.
 */
class AppDeploymentsTest {
    private static final Task TEXT = Task.of("tiny-omni");
    private static final Task SPEECH = Task.of("tiny-omni", Modality.TEXT, Modality.AUDIO);

    /** The core's replica decisions, as "start d r" / "stop d r". */
    private final List<String> decisions = new ArrayList<>();
    private final SchedulerCore core;
    private final AppDeployments apps;

    AppDeploymentsTest() {
        ResolvedPlan plan = Runtimes.defaultPlan();
        List<DeploymentConfig> configs = PlanDeployments.of(plan, RuntimeOptions.defaults());
        // only the replica decisions matter here; every other decision is ignored
        Decisions recorder = (Decisions) java.lang.reflect.Proxy.newProxyInstance(Decisions.class.getClassLoader(),
                new Class<?>[] {Decisions.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "startReplica" -> decisions.add("start " + args[0] + " " + args[1]);
                        case "stopReplica" -> decisions.add("stop " + args[0] + " " + args[1]);
                        default -> { }
                    }
                    return null;
                });
        core = new SchedulerCore(configs, recorder, false);
        apps = new AppDeployments(core, new AppNeeds(plan, ModelCatalog.builtIn()),
                configs.stream().mapToInt(DeploymentConfig::replicas).toArray(),
                configs.stream().map(DeploymentConfig::name).toArray(String[]::new), () -> 0L, false);
        apps.startEmpty();
        assertEquals(List.of("stop 0 0", "stop 1 0"), decisions, "nothing runs before an app needs it");
        decisions.clear();
    }

    private CompletableFuture<Void> deploy(String app, Task task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        apps.deploy(app, List.of(task), done);
        return done;
    }

    private void up(int d, int r) {
        core.replicaUp(d, r, 0);
        apps.replicaUp(d, r);
    }

    @Test
    void aRegistrationCompletesWhenItsNewReplicasAreUpAndASharedOneAtOnce() {
        CompletableFuture<Void> voice = deploy("voice", SPEECH);
        assertEquals(List.of("start 0 1", "start 1 1"), decisions);
        up(0, 1);
        assertFalse(voice.isDone(), "speech is still starting");
        CompletableFuture<Void> chat = deploy("chat", TEXT);
        assertTrue(chat.isDone(), "chat needs only the thinker, which is up");
        up(1, 1);
        assertTrue(voice.isDone() && chat.isDone());
        assertEquals(List.of("start 0 1", "start 1 1"), decisions, "the shared thinker started once");
        assertEquals(List.of("voice", "chat"), apps.users(0));
        assertEquals(List.of("voice"), apps.users(1));
    }

    @Test
    void theLastAppLeavingStopsItsDeploymentsAndOnlyThose() {
        deploy("voice", SPEECH);
        up(0, 1);
        up(1, 1);
        assertTrue(deploy("chat", TEXT).isDone(), "the thinker already serves");
        decisions.clear();
        apps.release("voice");
        assertEquals(List.of("stop 1 1"), decisions, "speech had only voice; idle, it stops at once");
        assertEquals(ReplicaStatus.UP, core.replicaStatus(0, 1), "chat still uses the thinker");
        apps.release("chat");
        assertEquals(List.of("stop 1 1", "stop 0 1"), decisions);
        assertEquals(List.of(), apps.users(0));
        CompletableFuture<Void> again = deploy("chat", TEXT);
        assertEquals("start 0 2", decisions.get(2), "a new replica: indices are never reused");
        up(0, 2);
        assertTrue(again.isDone());
    }

    @Test
    void anExecutorThatDoesNotStartRefusesEveryRegistrationWaitingOnItAndReleasesWhatTheyHeld() {
        CompletableFuture<Void> voice = deploy("voice", SPEECH);
        CompletableFuture<Void> chat = deploy("chat", TEXT);
        up(0, 1);
        assertTrue(chat.isDone(), "chat needed only the thinker, which is up");
        apps.executorDown(1, 1, false, "launch failed: no device");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, voice::get);
        AppRejectedException rejected = (AppRejectedException) e.getCause();
        assertEquals(503, rejected.httpStatus());
        assertTrue(rejected.getMessage().contains("speech") && rejected.getMessage().contains("no device"),
                rejected.getMessage());
        assertEquals(List.of("start 0 1", "start 1 1", "stop 1 1"), decisions, "speech stops; the thinker stays");
        assertEquals(List.of("chat"), apps.users(0));
        assertEquals(List.of(), apps.users(1));
    }

    @Test
    void aTaskThePlanCannotServeIsA400() {
        CompletableFuture<Void> f = deploy("bad", Task.of("tiny-vl"));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
        assertEquals(400, ((AppRejectedException) e.getCause()).httpStatus());
        assertEquals(List.of(), decisions);
    }
}
