package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.runtime.executor.ExecutorCommand;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's retries without executors: two replicas of tiny-vl, fake ports that record the commands, a loop
 * the test drains. A request whose replica goes down before it sent anything runs again on the other replica; one
 * that had streamed text, or has no replica left, fails with 503 naming the stage and why.
 */
class DispatcherRetryTest implements LoopServices, ReplicaPorts {
    private final LinkedBlockingQueue<Runnable> posted = new LinkedBlockingQueue<>();
    private final List<long[]> opens = new ArrayList<>(); // {deployment, replica, invocation}
    private final List<ExecutorCommand.RunStep> steps = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(100);
    private final RequestBuilder builder = new RequestBuilder(ModelCatalog.builtIn(), null);
    private final Dispatcher dispatcher;

    DispatcherRetryTest() {
        var plan = PlanValidator.builtIn().readAndValidate(Path.of("src/test/resources/plans/tiny-vl-two-replicas.json"));
        dispatcher = new Dispatcher(PlanDeployments.of(plan, RuntimeOptions.defaults().withMaxRunIterations(1)), true,
                this, this, TensorTransport.sameHost(this), null, new DispatchObserver() { }, 0,
                Dispatcher.ReplicaLifecycle.FIXED);
        dispatcher.enableRetries(2, ids::incrementAndGet);
    }

    @Override
    public long nowNanos() {
        return System.nanoTime();
    }

    @Override
    public void post(Runnable fact) {
        posted.add(fact);
    }

    @Override
    public void at(long atNanos, Runnable fact) {
        // no timers here: the dispatcher has no request timeout and the plan's batching does not wait
    }

    @Override
    public void send(int deployment, int replica, ExecutorCommand command) {
        if (command instanceof ExecutorCommand.Open open) {
            opens.add(new long[] {deployment, replica, open.invocation()});
        } else if (command instanceof ExecutorCommand.RunStep step) {
            steps.add(step);
        }
    }

    /** Runs posted facts until {@code done} holds (retries rebuild on another thread, then post). */
    private void drainUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Runnable r = posted.poll(50, TimeUnit.MILLISECONDS);
            if (r != null) {
                r.run();
            }
        }
        assertTrue(done.getAsBoolean(), "the loop reached the expected state");
    }

    private CollectingSink arrive(long id, String prompt) throws InterruptedException {
        ModelRequest req = new ModelRequest("tiny-vl", prompt, List.of(), List.of(), 8, 0, 1, Set.of());
        RequestBuilder.Built b = builder.build(req);
        CollectingSink sink = new CollectingSink();
        dispatcher.arrive(id, b.graph(), b.inputs(), b.promptTokens(), 0, 1, sink, b.placed(), () -> builder.build(req));
        drainUntil(() -> opens.stream().anyMatch(o -> o[2] >>> 8 == id));
        return sink;
    }

    /** The executor's report of {@code step}: one iteration that emitted {@code tokens} for {@code invocation}. */
    private void emitted(int replica, ExecutorCommand.RunStep step, long invocation, int... tokens) {
        dispatcher.report(0, replica, new ExecutorReport.StepDone(step.step(), 1,
                List.of(new ExecutorReport.Emitted(invocation, tokens)), List.of(), List.of(), null, 1000));
    }

    private long[] openOf(long id) {
        return opens.stream().filter(o -> o[2] >>> 8 == id).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void aRequestThatSentNothingRunsAgainOnTheOtherReplicaAndFailsWhenNoneIsLeft() throws Exception {
        CollectingSink a = arrive(1, "first");
        int replica = (int) openOf(1)[1];
        dispatcher.replicaDown(0, replica, "killed");
        drainUntil(() -> opens.stream().anyMatch(o -> o[2] >>> 8 == 101));
        assertEquals(1 - replica, openOf(101)[1], "the retry (new id 101) went to the other replica");
        assertEquals(0, a.ends(), "the client saw nothing of the lost attempt");
        assertEquals(1, dispatcher.inFlight());

        dispatcher.replicaDown(0, 1 - replica, "killed too");
        drainUntil(() -> a.ends() == 1);
        assertEquals(503, a.failure.httpStatus());
        assertEquals("tiny-vl/llm", a.failure.stage());
        assertTrue(a.failure.message().contains("no other replica of vl is up"), a.failure.message());
        assertEquals(0, dispatcher.inFlight());
    }

    @Test
    void aRequestWhoseTextHadGoneToTheClientIsNotRunAgain() throws Exception {
        CollectingSink a = arrive(1, "first");
        long[] open = openOf(1);
        int replica = (int) open[1];
        drainUntil(() -> !steps.isEmpty());
        ExecutorCommand.RunStep step = steps.get(steps.size() - 1);
        emitted(replica, step, open[2], 'h', 'i');
        drainUntil(() -> a.firstTextNanos >= 0);
        dispatcher.replicaDown(0, replica, "killed");
        drainUntil(() -> a.ends() == 1);
        assertNotNull(a.failure);
        assertEquals(503, a.failure.httpStatus());
        assertTrue(a.failure.message().contains("already gone to the client"), a.failure.message());
        assertTrue(opens.stream().noneMatch(o -> o[2] >>> 8 == 101), "no retry was sent");
    }

    @Test
    void theFirstTokenIsHeardThoughItMakesNoText() throws Exception {
        CollectingSink a = arrive(3, "third");
        long[] open = openOf(3);
        int replica = (int) open[1];
        drainUntil(() -> !steps.isEmpty());
        ExecutorCommand.RunStep prefill = steps.get(steps.size() - 1);
        // a special token (not text), as a byte-level model's first token may be
        emitted(replica, prefill, open[2], 300);
        drainUntil(() -> a.firstTokenNanos >= 0);
        assertEquals(1, a.firstTokens);
        assertEquals("", a.text.toString());
        assertEquals(-1, a.firstTextNanos, "no text yet");
        drainUntil(() -> steps.size() > 1 && steps.get(steps.size() - 1) != prefill);
        ExecutorCommand.RunStep decode = steps.get(steps.size() - 1);
        // the first byte of a two-byte character, then its second and one more character
        emitted(replica, decode, open[2], 0xC3);
        drainUntil(() -> steps.get(steps.size() - 1) != decode);
        ExecutorCommand.RunStep next = steps.get(steps.size() - 1);
        emitted(replica, next, open[2], 0xA9, 'x');
        drainUntil(() -> a.firstTextNanos >= 0);
        assertEquals("\u00e9x", a.text.toString());
        assertEquals(1, a.firstTokens, "the first token is told once");
        assertTrue(a.firstTokenNanos < a.firstTextNanos);
    }

    @Test
    void aClientThatLeavesDuringItsRetryIsForgotten() throws Exception {
        CollectingSink a = arrive(7, "leaving");
        int replica = (int) openOf(7)[1];
        dispatcher.replicaDown(0, replica, "killed");
        dispatcher.cancel(7); // by the id the client knows, before or after the retry arrives
        drainUntil(() -> posted.isEmpty() && dispatcher.inFlight() == 0);
        Thread.sleep(200);
        drainUntil(() -> posted.isEmpty());
        assertEquals(0, dispatcher.inFlight());
        assertNull(a.failure);
        assertNotEquals(1, a.ends(), "a cancelled request gets no answer");
    }
}
