package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.runtime.executor.ExecutorCommand;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A step's overhead split ({@link DispatchObserver#stepOverheadSplit}) on a clock the test sets: the executor's idle
 * wait before compute and the report's way back add up to what {@link DispatchObserver#stepEnded} counts outside
 * compute, and a step sent behind another (async scheduling) is flagged as computing while the report came back.
 */
class DispatcherOverheadSplitTest implements ReplicaPorts {
    private final SidecarTensorTransportTest.FakeLoop loop = new SidecarTensorTransportTest.FakeLoop();
    private final List<ExecutorCommand.RunStep> sent = new ArrayList<>();
    private final List<long[]> ended = new ArrayList<>(); // {busy, compute}
    private final List<long[]> splits = new ArrayList<>(); // {idle, reportBack, nextInFlight}
    private final RequestBuilder builder = new RequestBuilder(ModelCatalog.builtIn(), null);
    private int stepReplica = -1;

    @Override
    public void send(int deployment, int replica, ExecutorCommand command) {
        if (command instanceof ExecutorCommand.RunStep step) {
            sent.add(step);
            stepReplica = replica;
        }
    }

    private void drain() {
        while (!loop.posted.isEmpty()) {
            loop.runPosted();
        }
    }

    private Dispatcher dispatcher(boolean async) {
        var plan = PlanValidator.builtIn().readAndValidate(Path.of("src/test/resources/plans/tiny-vl-two-replicas.json"));
        DispatchObserver observer = new DispatchObserver() {
            @Override
            public void stepEnded(int deployment, int replica, long busyNanos, long computeNanos, long[] requestIds,
                    long nowNanos) {
                ended.add(new long[] {busyNanos, computeNanos});
            }

            @Override
            public void stepOverheadSplit(int deployment, int replica, long idleNanos, long reportBackNanos,
                    boolean nextInFlight, long[] requestIds, long nowNanos) {
                splits.add(new long[] {idleNanos, reportBackNanos, nextInFlight ? 1 : 0});
            }
        };
        return new Dispatcher(PlanDeployments.of(plan, RuntimeOptions.defaults().withMaxRunIterations(1)), true, loop,
                this, TensorTransport.sameHost(loop), null, observer, 0, Dispatcher.ReplicaLifecycle.FIXED, async);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void idleAndReportBackAddUpToTheOverheadOutsideCompute(boolean async) {
        Dispatcher dispatcher = dispatcher(async);
        ModelRequest req = new ModelRequest("tiny-vl", "a question of some length", List.of(), List.of(), 8, 0, 1,
                Set.of());
        RequestBuilder.Built b = builder.build(req);
        CollectingSink sink = new CollectingSink();
        loop.now = 1_000_000;
        long decided = loop.now;
        dispatcher.arrive(1, b.graph(), b.inputs(), b.promptTokens(), 0, 1, sink, b.placed(), () -> builder.build(req));
        drain();
        assertEquals(async ? 2 : 1, sent.size(), "async scheduling sends the next step behind the first");
        int replica = stepReplica;

        // the first step computes from +400 us to +2,400 us and its report is applied at +3,000 us
        long computeStart = decided + 400_000;
        loop.now = decided + 3_000_000;
        dispatcher.report(0, replica, new ExecutorReport.StepDone(sent.get(0).step(), 1, List.of(), List.of(),
                List.of(), null, 2_000_000, computeStart));
        drain();
        assertEquals(1, splits.size());
        long[] split = splits.get(0);
        assertEquals(400_000, split[0], "idle: decision to compute start");
        assertEquals(600_000, split[1], "report back: compute end to applied");
        assertEquals(async ? 1 : 0, split[2], "a step was already in flight behind it only under async scheduling");
        long[] e = ended.get(0);
        assertEquals(e[0] - e[1], split[0] + split[1], "the split adds up to the step's overhead");
        if (async) {
            // the second step, sent at the decision, starts when the first's compute ends (+2,400 us) and runs 1 ms:
            // its executor never waited for it
            loop.now = decided + 4_000_000;
            dispatcher.report(0, replica, new ExecutorReport.StepDone(sent.get(1).step(), 1, List.of(), List.of(),
                    List.of(), null, 1_000_000, computeStart + 2_000_000));
            drain();
            long[] second = splits.get(1);
            assertEquals(0, second[0], "no idle wait behind a step that computed");
            assertEquals(600_000, second[1]);
            long[] e2 = ended.get(1);
            assertEquals(e2[0] - e2[1], second[0] + second[1]);
            assertTrue(sent.size() >= 3, "the pipeline kept a step in flight");
        }
    }
}
