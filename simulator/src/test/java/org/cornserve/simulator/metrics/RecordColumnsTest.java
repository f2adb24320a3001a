package org.cornserve.simulator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.Slo;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.plan.PlanSimConfigs;
import org.cornserve.simulator.plan.TraceWorkload;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The records a collector keeps as columns read back the same as the live records they were stored from: for
 * seeded random requests fed to a collector directly (completed, rejected and left unfinished, across several
 * column chunks), and for a simulated Omni run with spoken answers and several invocations per request.
 */
class RecordColumnsTest {

    static void assertSameRecord(RequestRecord expected, RequestRecord actual) {
        String id = "request " + expected.request().id();
        assertEquals(expected.request(), actual.request(), id);
        for (int node = 0; node < expected.request().graph().size(); node++) {
            assertEquals(expected.queuedNanos(node), actual.queuedNanos(node), id + " node " + node);
            assertEquals(expected.startedNanos(node), actual.startedNanos(node), id + " node " + node);
            assertEquals(expected.finishedNanos(node), actual.finishedNanos(node), id + " node " + node);
        }
        assertEquals(expected.firstOutputNanos(), actual.firstOutputNanos(), id);
        assertEquals(expected.completionNanos(), actual.completionNanos(), id);
        assertEquals(expected.rejectReason(), actual.rejectReason(), id);
        assertEquals(expected.firstAudioNanos(), actual.firstAudioNanos(), id);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void readsBackWhatWasStored(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MetricsCollector collector = MetricsCollector.measured(app -> Slo.NONE);
        InvocationGraph graph = InvocationGraph.single(new Invocation("m/llm", Work.llm(10, 5), true), 5);
        List<RequestRecord> live = new ArrayList<>();
        int n = 9000 + rnd.nextInt(2000); // three chunks or so
        long t = 0;
        for (int i = 0; i < n; i++) {
            t += rnd.nextInt(1000);
            RequestRecord rec = collector.arrived(new SimRequest(i, t, rnd.nextBoolean() ? "chat" : "code", graph,
                    rnd.nextInt(500), rnd.nextInt(4) == 0 ? null : "trace-" + i));
            live.add(rec);
            int fate = rnd.nextInt(10);
            if (fate == 0) {
                collector.rejected(rec, "queue full at " + i, t);
            } else if (fate > 1) {
                MetricsCollector.queued(rec, 0, t);
                MetricsCollector.started(rec, 0, t + 1);
                MetricsCollector.firstOutput(rec, t + 2 + rnd.nextInt(100));
                MetricsCollector.finished(rec, 0, t + 200);
                collector.completed(rec, t + 200 + rnd.nextInt(3));
            } // else left in flight
        }
        SimResult result = collector.result(new long[0][], 0, 0, 0);
        assertEquals(n, result.records().size());
        for (int i = 0; i < n; i++) {
            assertSameRecord(live.get(i), result.records().get(i));
        }
        RequestRecord stored = live.get(live.size() - 1);
        assertThrows(IllegalStateException.class, () -> MetricsCollector.firstOutput(stored, 1));
    }

    @Test
    void anOmniRunWithSpeechReadsBackItsLiveRecords() throws IOException {
        var dir = java.nio.file.Path.of("src/test/resources/streaming");
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(dir.resolve("omni-talker-split.json"));
        SimConfig config = PlanSimConfigs.of(plan, HardwareCatalog.builtIn(), plan.plan().seed(), Slo.NONE, 0);
        var source = TraceFormat.JSONL.source(dir.resolve("omni-speech.jsonl"), ReadOptions.defaults());
        List<RequestRecord> ended = new ArrayList<>();
        SimResult result;
        try (TraceWorkload w = new TraceWorkload(source, 1, plan.models(), plan::splitsLlm, 16)) {
            result = new Simulator(config, true, ended::add).run(w);
        }
        assertEquals(ended.size(), result.records().size());
        ended.sort((a, b) -> Long.compare(a.request().id(), b.request().id()));
        assertTrue(ended.stream().anyMatch(r -> r.firstAudioNanos() >= 0), "some answers are spoken");
        assertTrue(ended.stream().anyMatch(r -> r.request().graph().size() > 2), "some requests have several stages");
        for (int i = 0; i < ended.size(); i++) {
            assertSameRecord(ended.get(i), result.records().get(i));
        }
    }
}
